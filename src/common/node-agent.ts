import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { selectorLabels } from './labels';
import { ResolvedPlacement, applyPlacement } from './node-placement';
import { applyPodTemplateExtras, clusterScoped, dropAllCapabilities, unprivilegedContainer } from './pod';
import { BUSYBOX_IMAGE } from '../images';

/** What a log agent on every node is made of, shared by Fluentd and Fluent Bit. */
export interface NodeAgent {
  readonly serviceAccount: kplus.ServiceAccount;
  readonly clusterRole: kplus.ClusterRole;
  readonly daemonSet: kplus.DaemonSet;
}

/** What {@link createClusterReader} makes. */
export interface ClusterReader {
  readonly serviceAccount: kplus.ServiceAccount;
  readonly clusterRole: kplus.ClusterRole;
}

/**
 * A ServiceAccount and a ClusterRole bound to it that may get, list and watch the
 * given resources. The account hands no token to every pod: the pod that uses it asks
 * for its own. The role and binding are named `instance` (`<namespace>-<name>`).
 */
export function createClusterReader(scope: Construct, options: {
  readonly name: string;
  readonly instance: string;
  readonly labels: { [key: string]: string };
  readonly resources: kplus.IApiEndpoint[];
}): ClusterReader {
  const { name, instance, labels } = options;
  const serviceAccount = new kplus.ServiceAccount(scope, 'ServiceAccount', { metadata: { name, labels }, automountToken: false });
  const clusterRole = new kplus.ClusterRole(scope, 'ClusterRole', { metadata: { name: instance, labels } });
  clusterRole.allow(['get', 'list', 'watch'], ...options.resources);
  const binding = new kplus.ClusterRoleBinding(scope, 'ClusterRoleBinding', { metadata: { name: instance, labels }, role: clusterRole });
  binding.addSubjects(serviceAccount);
  clusterScoped(clusterRole);
  clusterScoped(binding);
  return { serviceAccount, clusterRole };
}

/**
 * A log agent's ServiceAccount, its ClusterRole (pods and namespaces: get, list,
 * watch, for Kubernetes metadata) and binding, and its DaemonSet: on the nodes of its
 * placement (by default every node, every taint tolerated), as root without
 * capabilities (other pods' log files are root-owned, mode 0640), with the account's
 * token (the metadata lookups).
 */
export function createNodeAgent(scope: Construct, options: {
  readonly name: string;
  /** Cluster-wide name of the ClusterRole and binding (`<namespace>-<name>`). */
  readonly instance: string;
  readonly labels: { [key: string]: string };
  readonly podAnnotations: { [key: string]: string };
  readonly terminationGracePeriod: Duration;
  readonly priorityClassName?: string;
  readonly placement: ResolvedPlacement;
}): NodeAgent {
  const { name, instance, labels } = options;
  const { serviceAccount, clusterRole } = createClusterReader(scope, { name, instance, labels, resources: [kplus.ApiResource.PODS, kplus.ApiResource.NAMESPACES] });

  const daemonSet = new kplus.DaemonSet(scope, 'Resource', {
    metadata: { name, labels },
    podMetadata: { labels, annotations: options.podAnnotations },
    serviceAccount,
    // A selector from our labels, not from the construct path: it is immutable.
    select: false,
    automountServiceAccountToken: true,
    terminationGracePeriod: options.terminationGracePeriod,
    securityContext: { user: 0, group: 0, ensureNonRoot: false },
  });
  applyPodTemplateExtras(daemonSet, { priorityClassName: options.priorityClassName });
  daemonSet.select(kplus.LabelSelector.of({ labels: selectorLabels(labels) }));
  applyPlacement(daemonSet, options.placement);
  return { serviceAccount, clusterRole, daemonSet };
}

/**
 * The node's `/var/log` (read-only), the agent's own state directory on the node
 * (writable), and Docker's container directory when the runtime is Docker (the
 * `/var/log/containers` links point into it).
 */
export function mountNodeLogs(scope: Construct, container: kplus.Container, stateDir: string, dockerJson: boolean): void {
  container.mount('/var/log', kplus.Volume.fromHostPath(scope, 'VarLogVolume', 'varlog', {
    path: '/var/log', type: kplus.HostPathVolumeType.DIRECTORY,
  }), { readOnly: true });
  container.mount(stateDir, kplus.Volume.fromHostPath(scope, 'StateVolume', 'state', {
    path: stateDir, type: kplus.HostPathVolumeType.DIRECTORY_OR_CREATE,
  }));
  if (dockerJson) {
    container.mount('/var/lib/docker/containers', kplus.Volume.fromHostPath(scope, 'DockerContainersVolume', 'docker-containers', {
      path: '/var/lib/docker/containers', type: kplus.HostPathVolumeType.DIRECTORY,
    }), { readOnly: true });
  }
}

/**
 * The directory an agent's journal input reads, made safe for nodes without it: both
 * inputs open a directory (Fluent Bit does not start when it is missing, Fluentd warns
 * every second), and journald keeps `/var/log/journal` only where it is persistent. So
 * for a journal under `/var/log`, an init container links `<stateDir>/<name>-link` to the
 * journal when the node has it, else to an empty directory beside the link, and the input
 * reads the link; nothing is created outside the agent's state directory (journald would
 * start keeping a persistent journal in a `/var/log/journal` that appeared). The volatile
 * `/run/log/journal` is mounted read-only (`DirectoryOrCreate`: a directory in the node's
 * tmpfs, which journald makes at boot anyway).
 * @returns the path the input reads
 */
export function journalReadPath(scope: Construct, workload: kplus.Workload, container: kplus.Container, stateDir: string, name: string, path: string): string {
  if (!path.startsWith('/var/log/')) {
    if (scope.node.tryFindChild('JournalVolume') === undefined) {
      container.mount(path, kplus.Volume.fromHostPath(scope, 'JournalVolume', 'journal', { path, type: kplus.HostPathVolumeType.DIRECTORY_OR_CREATE }), { readOnly: true });
    }
    return path;
  }
  const link = `${stateDir}/${name}-link`;
  const empty = `${stateDir}/${name}-none`;
  const init = workload.addInitContainer({
    name: `${name.replace(/_/g, '-')}-link`,
    image: BUSYBOX_IMAGE,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    command: ['sh', '-c', [
      'set -eu',
      `mkdir -p '${empty}'`,
      `if [ -d '${path}' ]; then target='${path}'; else target='${empty}'; fi`,
      `ln -sfn "$target" '${link}'`,
      'echo "journal: reading $target"',
    ].join('\n')],
    resources: { cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(16), limit: Size.mebibytes(16) } },
    // Root, as the agent: the state directory on the node is root's.
    securityContext: unprivilegedContainer(0, true),
  });
  for (const mount of container.mounts) {
    if (mount.path === '/var/log' || mount.path === stateDir) init.mount(mount.path, mount.volume, { readOnly: mount.readOnly });
  }
  dropAllCapabilities(workload, [workload.initContainers.length - 1], 'initContainers');
  return link;
}

/** A headless Service over the agent's pods for its metrics port. */
export function createMetricsService(scope: Construct, name: string, labels: { [key: string]: string }, portName: string, port: number): kplus.Service {
  const service = new kplus.Service(scope, 'MetricsService', {
    metadata: { name: `${name}-metrics`, labels },
    clusterIP: 'None',
    ports: [{ name: portName, port, targetPort: port }],
  });
  for (const [key, value] of Object.entries(selectorLabels(labels))) service.selectLabel(key, value);
  return service;
}
