import { DIST, manifestObjects, readTree } from './dist';

/**
 * What the default stack asks of a cluster, computed from the synthesized objects in
 * dist/ (requests of every long-running container, volumes, the agents' buffer bound),
 * so that the README's table cannot drift from the manifests.
 */
const objects = manifestObjects(readTree(DIST));

/** A Kubernetes quantity in base units (cores, bytes). */
function quantity(value: string | undefined): number {
  if (value === undefined) return 0;
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti)?$/.exec(value);
  if (!m) throw new Error(`quantity ${value} not modelled`);
  const factor: { [unit: string]: number } = { '': 1, 'm': 0.001, 'Ki': 1024, 'Mi': 1024 ** 2, 'Gi': 1024 ** 3, 'Ti': 1024 ** 4 };
  return Number(m[1]) * factor[m[2] ?? ''];
}

const GiB = 1024 ** 3;
const fmt = (bytes: number) => `${+(bytes / GiB).toFixed(2)} GiB`;
const cores = (n: number) => `${+n.toFixed(2)} cores`;

function requests(kinds: string[]): { names: string[]; cpu: number; memory: number; volumes: number } {
  let cpu = 0;
  let memory = 0;
  let volumes = 0;
  const names: string[] = [];
  for (const o of objects.filter((x) => kinds.includes(x.kind))) {
    const replicas = o.kind === 'DaemonSet' ? 1 : o.spec.replicas ?? 1;
    names.push(replicas > 1 ? `${o.metadata.name} ×${replicas}` : o.metadata.name);
    for (const c of o.spec.template.spec.containers) {
      cpu += replicas * quantity(c.resources?.requests?.cpu);
      memory += replicas * quantity(c.resources?.requests?.memory);
    }
    for (const t of o.spec.volumeClaimTemplates ?? []) volumes += replicas * quantity(t.spec.resources.requests.storage);
  }
  for (const pvc of objects.filter((x) => x.kind === 'PersistentVolumeClaim' && kinds.includes('Deployment'))) volumes += quantity(pvc.spec.resources.requests.storage);
  return { names, cpu, memory, volumes };
}

/** The most the log agent keeps on each node's disk: the sum of its outputs' total_limit_size. */
function agentDiskPerNode(): number {
  const conf: string = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'fluentd-config').data['fluent.conf'];
  const units: { [u: string]: number } = { k: 1024, m: 1024 ** 2, g: GiB };
  return [...conf.matchAll(/total_limit_size (\d+)([kmg])/g)].reduce((sum, m) => sum + Number(m[1]) * units[m[2]], 0);
}

export function costTable(): string {
  const perNode = requests(['DaemonSet']);
  const central = requests(['StatefulSet', 'Deployment']);
  const disk = agentDiskPerNode();
  return [
    '| | runs | CPU requested | memory requested | disk |',
    '|---|---|---|---|---|',
    `| every node | ${perNode.names.join(', ')} | ${cores(perNode.cpu)} | ${fmt(perNode.memory)} | up to ${fmt(disk)} of agent buffers under \`/var/log\` |`,
    `| the stack's namespace, once | ${central.names.join(', ')} | ${cores(central.cpu)} | ${fmt(central.memory)} | ${fmt(central.volumes)} of persistent volumes |`,
    `| a cluster of 10 nodes | | ${cores(central.cpu + 10 * perNode.cpu)} | ${fmt(central.memory + 10 * perNode.memory)} | ${fmt(central.volumes)} of volumes, ${fmt(10 * disk)} of node disk at most |`,
  ].join('\n');
}

