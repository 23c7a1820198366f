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
