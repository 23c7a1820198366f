/**
 * A model of where a DaemonSet's pods can run, per Kubernetes' rules, driven by the
 * synthesized pod spec: taints with effect NoSchedule or NoExecute must be tolerated
 * (PreferNoSchedule only steers), with the tolerations the DaemonSet controller adds to
 * every pod; the node must carry the `nodeSelector` labels and satisfy one of the
 * required node-affinity terms.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/#taints-and-tolerations
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#node-affinity
 */

export interface Taint { readonly key: string; readonly value?: string; readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }
export interface ModelNode { readonly name: string; readonly labels: { [key: string]: string }; readonly taints: Taint[] }

/** What the DaemonSet controller adds to every DaemonSet pod (hostNetwork pods also get network-unavailable). */
const DAEMONSET_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

function tolerates(toleration: any, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  const operator = toleration.operator ?? 'Equal';
  if (!toleration.key) return operator === 'Exists';
  if (toleration.key !== taint.key) return false;
  return operator === 'Exists' || (toleration.value ?? '') === (taint.value ?? '');
}

function matchesExpression(labels: { [key: string]: string }, e: any): boolean {
  const value = labels[e.key];
  switch (e.operator) {
    case 'In': return value !== undefined && e.values.includes(value);
    case 'NotIn': return value === undefined || !e.values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt': return value !== undefined && Number(value) > Number(e.values[0]);
    case 'Lt': return value !== undefined && Number(value) < Number(e.values[0]);
    default: throw new Error(`node selector operator ${e.operator} is not modelled`);
  }
}

/** Whether the pod of a synthesized workload can run on the node. */
export function canRunOn(podSpec: any, node: ModelNode): boolean {
  const tolerations = [...(podSpec.tolerations ?? []), ...DAEMONSET_TOLERATIONS];
  for (const taint of node.taints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!tolerations.some((t) => tolerates(t, taint))) return false;
  }
  for (const [key, value] of Object.entries(podSpec.nodeSelector ?? {})) if (node.labels[key] !== value) return false;
  const terms = podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms !== undefined) {
    const termMatches = (term: any) => (term.matchExpressions ?? []).every((e: any) => matchesExpression(node.labels, e))
      && (term.matchFields ?? []).every((e: any) => matchesExpression({ 'metadata.name': node.name }, e));
    if (!terms.some(termMatches)) return false;
  }
  return true;
}

/** The names of the nodes a workload's pods can run on. */
export function nodesOf(podSpec: any, nodes: ModelNode[]): string[] {
  return nodes.filter((n) => canRunOn(podSpec, n)).map((n) => n.name);
}
