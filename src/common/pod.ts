import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

/** Options cdk8s-plus-27 has no prop for, applied to a workload's pod template. */
export interface PodTemplateExtras {
  /** `priorityClassName`. */
  readonly priorityClassName?: string;
}

/**
 * Sets the pod-template fields cdk8s-plus-27 does not model: the `RuntimeDefault`
 * seccomp profile on every pod, and an optional priority class.
 */
export function applyPodTemplateExtras(workload: kplus.Workload, extras: PodTemplateExtras = {}): void {
  const api = ApiObject.of(workload);
  api.addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
  if (extras.priorityClassName !== undefined) {
    api.addJsonPatch(JsonPatch.add('/spec/template/spec/priorityClassName', extras.priorityClassName));
  }
}

/**
 * Drops every Linux capability of the listed containers (`capabilities.drop: [ALL]`, as
 * the restricted Pod Security Standard asks). cdk8s-plus-27's `Capability` enum has no
 * `ALL` member, so this is a patch.
 */
export function dropAllCapabilities(workload: kplus.Workload, containerIndexes: number[], kind: 'containers' | 'initContainers' = 'containers'): void {
  const api = ApiObject.of(workload);
  for (const index of containerIndexes) {
    api.addJsonPatch(JsonPatch.add(`/spec/template/spec/${kind}/${index}/securityContext/capabilities`, { drop: ['ALL'] }));
  }
}

/**
 * Removes `metadata.namespace` from a cluster-scoped object: cdk8s gives every object
 * the chart's namespace, which is meaningless (and misleading) on these.
 */
export function clusterScoped(construct: Construct): void {
  if (Chart.of(construct).namespace !== undefined) {
    ApiObject.of(construct).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
}

/**
 * A container that runs as `user` with no privilege and no way to gain any
 * (capabilities are dropped by {@link dropAllCapabilities}).
 * @param readOnlyRootFilesystem false only where the image needs it, with the reason at the call
 */
export function unprivilegedContainer(user: number, readOnlyRootFilesystem: boolean): kplus.ContainerSecurityContextProps {
  return {
    user,
    group: user,
    ensureNonRoot: user !== 0,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem,
  };
}
