/** Value of `app.kubernetes.io/part-of` on every object the library creates. */
export const PART_OF = 'cdk8s-security-logging';

/** Recommended Kubernetes labels for one component instance. */
export function appLabels(name: string, instance: string, component?: string): { [key: string]: string } {
  const labels: { [key: string]: string } = {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': instance,
  };
  if (component !== undefined) labels['app.kubernetes.io/component'] = component;
  labels['app.kubernetes.io/part-of'] = PART_OF;
  return labels;
}

/** The labels that select one instance's pods: name and instance (stable, unlike path-derived labels). */
export function selectorLabels(labels: { [key: string]: string }): { [key: string]: string } {
  return {
    'app.kubernetes.io/name': labels['app.kubernetes.io/name'],
    'app.kubernetes.io/instance': labels['app.kubernetes.io/instance'],
  };
}
