import { stackObjects, stackOf } from './helpers/chart';
import { DIST, manifestObjects, readTree } from './helpers/dist';
import { Endpoint, IpPeer, isAllowed, podEndpoints } from './helpers/network-policy';
import { App, Chart, Testing } from 'cdk8s';
import { ElasticsearchCluster, ElasticsearchMaxMapCount, ElasticsearchSetup, FalcoDriver, FluentdDaemonSet, SecurityLoggingNamespace, SecurityLoggingNetworkPolicies } from '../src';

/**
 * Who may talk to whom, evaluated with Kubernetes' NetworkPolicy semantics
 * (test/helpers/network-policy.ts) over every pod of the stack, a few outside pods
 * and addresses, and every port the stack uses: the full matrix is pinned.
 */
const PORTS = [53, 443, 5601, 6443, 9200, 9300, 24231];
const NS = 'security-logging';
const AGENTS = 'security-logging-agents';

type Peer = (Endpoint | IpPeer) & { readonly name: string };

function peersOf(objects: any[]): Peer[] {
  const stackPods = podEndpoints(objects).map((p) => ({ ...p, name: `${p.kind}/${p.name.replace(/-[0-9a-f]{10}$/, '')}` }));
  return [
    ...stackPods,
    { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
    { name: 'a pod in default', namespace: 'default', labels: { app: 'web' } },
    { name: 'a pod in ingress-nginx', namespace: 'ingress-nginx', labels: { app: 'ingress-nginx' } },
    { name: 'a pod in monitoring', namespace: 'monitoring', labels: { app: 'prometheus' } },
    { name: 'the API server', ip: '10.96.0.1' },
    { name: 'the internet', ip: '203.0.113.7' },
  ];
}

/** Every allowed `from -> to:port/protocol` among the peers. */
function matrix(objects: any[], namespaces = [NS, AGENTS]): string[] {
  const peers = peersOf(objects);
  const allowed: string[] = [];
  for (const from of peers) {
    for (const to of peers) {
      if (from === to && !('namespace' in to)) continue;
      for (const port of PORTS) {
        for (const protocol of port === 53 ? ['UDP', 'TCP'] as const : ['TCP'] as const) {
          // Only what the stack's policies decide: traffic between outside peers is not ours.
          if (!('labels' in from && namespaces.includes(from.namespace)) && !('labels' in to && namespaces.includes(to.namespace))) continue;
          if (isAllowed(objects, from, to, port, protocol)) allowed.push(`${from.name} -> ${to.name}:${port}${protocol === 'UDP' ? '/udp' : ''}`);
        }
      }
    }
  }
  return allowed;
}

const objectsOfStack = (props: any = {}) => stackObjects(stackOf(props));
const dns = (name: string) => [`${name} -> kube-dns:53/udp`, `${name} -> kube-dns:53`];
const apiServer = (name: string) => [`${name} -> the API server:443`, `${name} -> the API server:6443`];

describe('NetworkPolicies of the default stack (dist/)', () => {
  const objects = manifestObjects(readTree(DIST));
  const allowed = matrix(objects);

  test('fourteen policies: deny everything and allow DNS in both namespaces, then one per component', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(policies).toEqual([
      `${AGENTS}/default-deny`, `${AGENTS}/allow-dns`, `${AGENTS}/fluentd`, `${AGENTS}/falco`,
      `${NS}/default-deny`, `${NS}/allow-dns`, `${NS}/elasticsearch`, `${NS}/kibana`, `${NS}/elasticsearch-setup`,
      `${NS}/kibana-saved-objects`, `${NS}/kibana-detection-rules`, `${NS}/kubernetes-events`, `${NS}/elasticsearch-bootstrap`, `${NS}/kibana-bootstrap`,
    ]);
    const denyAll = objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny');
    for (const policy of denyAll) expect(policy.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('exactly the connections the stack makes, and nothing else', () => {
    // With the default apiServer (any address on 443 and 6443), the callers of the API
    // server can reach any address on those ports: narrowing apiServer.cidr closes that.
    const anywhere = (name: string) => [...apiServer(name), `${name} -> the internet:443`, `${name} -> the internet:6443`];
    expect(allowed.sort()).toEqual([
      // Log agent: to Elasticsearch's HTTP port, to the API server (pod metadata), DNS.
      'DaemonSet/fluentd -> StatefulSet/elasticsearch:9200', ...anywhere('DaemonSet/fluentd'), ...dns('DaemonSet/fluentd'),
      // Falco (modern eBPF): only DNS.
      ...dns('DaemonSet/falco'),
      // Elasticsearch: transport among its nodes.
      'StatefulSet/elasticsearch -> StatefulSet/elasticsearch:9300', ...dns('StatefulSet/elasticsearch'),
      // Kibana: to Elasticsearch's HTTP port.
      'Deployment/kibana -> StatefulSet/elasticsearch:9200', ...dns('Deployment/kibana'),
      // Jobs: what each calls.
      ...anywhere('Job/elasticsearch-bootstrap'), ...dns('Job/elasticsearch-bootstrap'),
      ...anywhere('Job/kibana-bootstrap'), ...dns('Job/kibana-bootstrap'),
      'Job/elasticsearch-setup -> StatefulSet/elasticsearch:9200', ...anywhere('Job/elasticsearch-setup'), ...dns('Job/elasticsearch-setup'),
      'Job/kibana-saved-objects -> Deployment/kibana:5601', ...dns('Job/kibana-saved-objects'),
      'Job/kibana-detection-rules -> Deployment/kibana:5601', ...dns('Job/kibana-detection-rules'),
      // The events collector: events from the API server into Elasticsearch.
      'Deployment/kubernetes-events -> StatefulSet/elasticsearch:9200', ...anywhere('Deployment/kubernetes-events'), ...dns('Deployment/kubernetes-events'),
    ].sort());
  });

  test('in particular: nothing outside the stack reaches Elasticsearch or Kibana, and Falco reaches nothing', () => {
    for (const denied of [
      'a pod in default -> StatefulSet/elasticsearch:9200', 'a pod in default -> Deployment/kibana:5601',
      'a pod in default -> StatefulSet/elasticsearch:9300', 'DaemonSet/falco -> StatefulSet/elasticsearch:9200',
      'Deployment/kibana -> StatefulSet/elasticsearch:9300', 'DaemonSet/fluentd -> StatefulSet/elasticsearch:9300',
      'Job/kibana-saved-objects -> StatefulSet/elasticsearch:9200', 'Job/kibana-detection-rules -> StatefulSet/elasticsearch:9200', 'StatefulSet/elasticsearch -> the internet:443',
      'a pod in monitoring -> DaemonSet/fluentd:24231',
    ]) expect({ denied, allowed: allowed.includes(denied) }).toEqual({ denied, allowed: false });
  });
});

describe('NetworkPolicy options', () => {
  test('Kibana clients, metrics scrapers and a narrow API server address are allowed in, and only they', () => {
    const allowed = matrix(objectsOfStack({
      kibanaClientNamespaces: ['ingress-nginx'], kibanaClientCidrs: ['203.0.113.0/24'], metricsClientNamespaces: ['monitoring'],
      apiServer: { cidr: '10.96.0.1/32', ports: [443] },
    }));
    expect(allowed).toEqual(expect.arrayContaining([
      'a pod in ingress-nginx -> Deployment/kibana:5601', 'the internet -> Deployment/kibana:5601',
      'a pod in monitoring -> DaemonSet/fluentd:24231', 'DaemonSet/fluentd -> the API server:443',
    ]));
    for (const denied of [
      'a pod in ingress-nginx -> StatefulSet/elasticsearch:9200', 'a pod in default -> Deployment/kibana:5601',
      'DaemonSet/fluentd -> the internet:443', 'DaemonSet/fluentd -> the API server:6443', 'a pod in monitoring -> StatefulSet/elasticsearch:9200',
    ]) expect({ denied, allowed: allowed.includes(denied) }).toEqual({ denied, allowed: false });
  });

  test('Falco with a downloaded driver may fetch it over HTTPS', () => {
    const allowed = matrix(objectsOfStack({ falco: { driver: FalcoDriver.KMOD } }));
    expect(allowed.filter((a) => a.startsWith('DaemonSet/falco ->')).sort()).toEqual([
      'DaemonSet/falco -> the API server:443', 'DaemonSet/falco -> the internet:443', ...dns('DaemonSet/falco'),
    ].sort());
  });

  test('networkPolicies: false leaves traffic to the cluster\'s own policies', () => {
    expect(objectsOfStack({ networkPolicies: false }).filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });
});

describe('NetworkPolicies in a chart of one\'s own (the README\'s first example)', () => {
  test('the same deny-by-default policies, allowing exactly the connections its parts make', async () => {
    const objects: any[] = [];
    const original = App.prototype.synth;
    App.prototype.synth = function (this: App) {
      objects.push(...this.charts.flatMap((chart) => Testing.synth(chart)));
    };
    try {
      await import('../examples/my-logging-chart');
    } finally {
      App.prototype.synth = original;
    }
    const anywhere = (name: string) => [...apiServer(name), `${name} -> the internet:443`, `${name} -> the internet:6443`];
    expect(matrix(objects, ['logging']).sort()).toEqual([
      'DaemonSet/fluentd -> StatefulSet/elasticsearch:9200', ...anywhere('DaemonSet/fluentd'), ...dns('DaemonSet/fluentd'),
      'StatefulSet/elasticsearch -> StatefulSet/elasticsearch:9300', ...dns('StatefulSet/elasticsearch'),
      'Deployment/kibana -> StatefulSet/elasticsearch:9200', ...dns('Deployment/kibana'),
      ...anywhere('Job/elasticsearch-bootstrap'), ...dns('Job/elasticsearch-bootstrap'),
      ...anywhere('Job/kibana-bootstrap'), ...dns('Job/kibana-bootstrap'),
      'Job/elasticsearch-setup -> StatefulSet/elasticsearch:9200', ...anywhere('Job/elasticsearch-setup'), ...dns('Job/elasticsearch-setup'),
    ].sort());
    // The Namespace comes first, labelled privileged: Fluentd reads the node's /var/log.
    expect(objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'logging', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } });
  });

  test('a writer added after the policies, or a Namespace that is not first, fails at synth', () => {
    const chart = new Chart(Testing.app(), 'mine', { namespace: 'logging' });
    const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
    new SecurityLoggingNamespace(chart, 'Namespace');
    new SecurityLoggingNetworkPolicies(chart, 'NetworkPolicies', { elasticsearch });
    new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch });
    new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
    expect(() => Testing.synth(chart)).toThrow(/a writer or Kibana was added after them and has no policy/);
    expect(() => Testing.synth(chart)).toThrow(/must be the first object of chart mine/);
  });

  test('without a node agent the namespace is restricted', () => {
    const chart = new Chart(Testing.app(), 'data', { namespace: 'logging' });
    new SecurityLoggingNamespace(chart, 'Namespace');
    new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1, maxMapCount: ElasticsearchMaxMapCount.DISABLE_MMAP });
    expect(Testing.synth(chart)[0].metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
});
