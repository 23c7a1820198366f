import { cidrContains, Endpoint, isAllowed, podEndpoints } from './helpers/network-policy';

/**
 * Self-check of the NetworkPolicy evaluator against hand-written policies: every case asserts
 * both an allowed and a denied connection, so a wrong evaluator fails it.
 */

const NAME = 'kubernetes.io/metadata.name';

function policy(namespace: string, name: string, spec: object): object {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

function namespaceObject(name: string, labels: { [key: string]: string } = {}): object {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

const pod = (namespace: string, labels: { [key: string]: string }, ip?: string): Endpoint => (ip === undefined ? { namespace, labels } : { namespace, labels, ip });

const es = pod('logging', { app: 'elasticsearch' });
const kibana = pod('logging', { app: 'kibana' });
const fluentd = pod('logging', { app: 'fluentd' });
const kibanaElsewhere = pod('monitoring', { app: 'kibana' });
const grafana = pod('monitoring', { app: 'grafana' });
const kubeDns = pod('kube-system', { 'k8s-app': 'kube-dns' });
const node = { ip: '192.168.1.10' };
const apiServer = { ip: '10.96.0.1' };

const denyAllIngress = policy('logging', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });

describe('no policy', () => {
  test('every connection is allowed until a policy selects the pod', () => {
    const unrelated = [
      namespaceObject('logging'),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'es', namespace: 'logging' }, spec: {} },
      // Same kind, other API group (Calico): not a Kubernetes NetworkPolicy.
      { apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'logging' }, spec: { podSelector: {} } },
    ];
    for (const objects of [[], unrelated]) {
      expect(isAllowed(objects, kibana, es, 9200)).toBe(true);
      expect(isAllowed(objects, kibanaElsewhere, es, 9200, 'UDP')).toBe(true);
      expect(isAllowed(objects, node, es, 9200)).toBe(true);
      expect(isAllowed(objects, es, apiServer, 443)).toBe(true);
    }
    expect(isAllowed([...unrelated, denyAllIngress], kibana, es, 9200)).toBe(false);
  });
});

describe('default-deny ingress', () => {
  const objects = [denyAllIngress];

  test('blocks ingress to every pod of its namespace, from pods and from IPs', () => {
    expect(isAllowed(objects, kibana, es, 9200)).toBe(false);
    expect(isAllowed(objects, kubeDns, es, 9200)).toBe(false);
    expect(isAllowed(objects, node, es, 9200)).toBe(false);
  });

  test('does not block egress, nor ingress to pods of other namespaces', () => {
    expect(isAllowed(objects, es, kubeDns, 53, 'UDP')).toBe(true);
    expect(isAllowed(objects, es, apiServer, 443)).toBe(true);
    expect(isAllowed(objects, es, kibanaElsewhere, 5601)).toBe(true);
    expect(isAllowed(objects, grafana, kibanaElsewhere, 5601)).toBe(true);
  });

  test('a policy with no ingress rules and default policyTypes denies ingress too', () => {
    const implicit = [policy('logging', 'deny', { podSelector: { matchLabels: { app: 'elasticsearch' } } })];
    expect(isAllowed(implicit, kibana, es, 9200)).toBe(false);
    expect(isAllowed(implicit, es, kibana, 5601)).toBe(true);
  });
});

describe('policyTypes', () => {
  test('defaults to Ingress, plus Egress only when there are egress rules', () => {
    const withEgress = [policy('logging', 'p', { podSelector: { matchLabels: { app: 'elasticsearch' } }, egress: [{ to: [{ podSelector: { matchLabels: { app: 'kibana' } } }] }] })];
    expect(isAllowed(withEgress, es, kibana, 5601)).toBe(true);
    expect(isAllowed(withEgress, es, fluentd, 24224)).toBe(false);
    expect(isAllowed(withEgress, kibana, es, 9200)).toBe(false);

    const emptyEgress = [policy('logging', 'p', { podSelector: { matchLabels: { app: 'elasticsearch' } }, egress: [] })];
    expect(isAllowed(emptyEgress, es, fluentd, 24224)).toBe(true);
    expect(isAllowed(emptyEgress, kibana, es, 9200)).toBe(false);
  });

  test('explicit Egress without Ingress leaves ingress open', () => {
    const objects = [policy('logging', 'p', { podSelector: {}, policyTypes: ['Egress'] })];
    expect(isAllowed(objects, node, es, 9200)).toBe(true);
    expect(isAllowed(objects, es, node, 10250)).toBe(false);
  });
});

describe('peers', () => {
  test('a podSelector-only peer means pods of the policy namespace', () => {
    const objects = [
      denyAllIngress,
      policy('logging', 'kibana-to-es', {
        podSelector: { matchLabels: { app: 'elasticsearch' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'kibana' } } }] }],
      }),
    ];
    expect(isAllowed(objects, kibana, es, 9200)).toBe(true);
    expect(isAllowed(objects, kibanaElsewhere, es, 9200)).toBe(false);
    expect(isAllowed(objects, fluentd, es, 9200)).toBe(false);
  });

  test('a namespaceSelector-only peer means every pod of the matching namespaces', () => {
    const objects = [
      namespaceObject('monitoring', { team: 'obs' }),
      policy('logging', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'obs' } } }] }] }),
    ];
    expect(isAllowed(objects, grafana, es, 9200)).toBe(true);
    expect(isAllowed(objects, kibanaElsewhere, es, 9200)).toBe(true);
    expect(isAllowed(objects, kibana, es, 9200)).toBe(false);
    expect(isAllowed(objects, kubeDns, es, 9200)).toBe(false);
  });

  const obsNamespaces = [namespaceObject('monitoring', { team: 'obs' }), namespaceObject('other', { team: 'dev' })];
  const kibanaOther = pod('other', { app: 'kibana' });
  const grafanaOther = pod('other', { app: 'grafana' });

  test('namespaceSelector and podSelector in ONE peer are ANDed', () => {
    const objects = [
      ...obsNamespaces,
      policy('logging', 'p', {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'obs' } }, podSelector: { matchLabels: { app: 'kibana' } } }] }],
      }),
    ];
    expect(isAllowed(objects, kibanaElsewhere, es, 9200)).toBe(true);
    expect(isAllowed(objects, grafana, es, 9200)).toBe(false);
    expect(isAllowed(objects, kibanaOther, es, 9200)).toBe(false);
    // The podSelector no longer means "in the policy namespace": logging is not team=obs.
    expect(isAllowed(objects, kibana, es, 9200)).toBe(false);
  });

  test('two peers are ORed', () => {
    const objects = [
      ...obsNamespaces,
      policy('logging', 'p', {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'obs' } } }, { podSelector: { matchLabels: { app: 'kibana' } } }] }],
      }),
    ];
    expect(isAllowed(objects, kibanaElsewhere, es, 9200)).toBe(true);
    expect(isAllowed(objects, grafana, es, 9200)).toBe(true);
    expect(isAllowed(objects, kibana, es, 9200)).toBe(true);
    expect(isAllowed(objects, kibanaOther, es, 9200)).toBe(false);
    expect(isAllowed(objects, grafanaOther, es, 9200)).toBe(false);
  });

  test('every namespace has the kubernetes.io/metadata.name label, with or without a Namespace object', () => {
    const allowKubeSystem = policy('logging', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { [NAME]: 'kube-system' } } }] }] });
    for (const objects of [[allowKubeSystem], [allowKubeSystem, namespaceObject('kube-system', { [NAME]: 'spoofed' }), namespaceObject('monitoring', { [NAME]: 'kube-system' })]]) {
      expect(isAllowed(objects, kubeDns, es, 9200)).toBe(true);
      expect(isAllowed(objects, grafana, es, 9200)).toBe(false);
      expect(isAllowed(objects, kibana, es, 9200)).toBe(false);
    }
  });

  test('a rule with no from (or an empty from) matches every peer', () => {
    for (const rule of [{}, { from: [] }, { ports: [{ port: 9200 }] }]) {
      const objects = [policy('logging', 'p', { podSelector: { matchLabels: { app: 'elasticsearch' } }, ingress: [rule] })];
      expect(isAllowed(objects, kibanaElsewhere, es, 9200)).toBe(true);
      expect(isAllowed(objects, node, es, 9200)).toBe(true);
      expect(isAllowed(objects, node, es, 9300)).toBe(!('ports' in rule));
    }
    const none = [policy('logging', 'p', { podSelector: { matchLabels: { app: 'elasticsearch' } }, ingress: [] })];
    expect(isAllowed(none, kibana, es, 9200)).toBe(false);
  });

  test('a peer with no selector and no ipBlock is rejected', () => {
    const objects = [policy('logging', 'p', { podSelector: {}, ingress: [{ from: [{}] }] })];
    expect(() => isAllowed(objects, kibana, es, 9200)).toThrow(/invalid peer/);
    expect(isAllowed(objects, es, kibanaElsewhere, 5601)).toBe(true);
  });
});

describe('ports', () => {
  const objects = [
    policy('logging', 'p', {
      podSelector: { matchLabels: { app: 'elasticsearch' } },
      ingress: [{ ports: [{ port: 53, protocol: 'UDP' }, { port: 9200 }, { port: 9300, endPort: 9400, protocol: 'TCP' }, { protocol: 'SCTP' }] }],
    }),
  ];

  test('protocol defaults to TCP, and must match', () => {
    expect(isAllowed(objects, kibana, es, 53, 'UDP')).toBe(true);
    expect(isAllowed(objects, kibana, es, 53, 'TCP')).toBe(false);
    expect(isAllowed(objects, kibana, es, 53)).toBe(false);
    expect(isAllowed(objects, kibana, es, 9200)).toBe(true);
    expect(isAllowed(objects, kibana, es, 9200, 'UDP')).toBe(false);
  });

  test('endPort makes an inclusive range', () => {
    for (const port of [9300, 9350, 9400]) expect(isAllowed(objects, kibana, es, port)).toBe(true);
    for (const port of [9299, 9401]) expect(isAllowed(objects, kibana, es, port)).toBe(false);
    expect(isAllowed(objects, kibana, es, 9350, 'UDP')).toBe(false);
  });

  test('an entry without port allows every port of its protocol', () => {
    expect(isAllowed(objects, kibana, es, 1, 'SCTP')).toBe(true);
    expect(isAllowed(objects, kibana, es, 65535, 'SCTP')).toBe(true);
    expect(isAllowed(objects, kibana, es, 65535, 'TCP')).toBe(false);
  });

  test('absent or empty ports allow every port and protocol', () => {
    for (const rule of [{ from: [{ podSelector: {} }] }, { from: [{ podSelector: {} }], ports: [] }]) {
      const open = [policy('logging', 'p', { podSelector: {}, ingress: [rule] })];
      expect(isAllowed(open, kibana, es, 12345, 'UDP')).toBe(true);
      expect(isAllowed(open, kibana, es, 22)).toBe(true);
      expect(isAllowed(open, kibanaElsewhere, es, 22)).toBe(false);
    }
  });

  test('named ports are unsupported, and bad port numbers are rejected', () => {
    const named = [policy('logging', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] })];
    expect(() => isAllowed(named, kibana, es, 9200)).toThrow(/unsupported/);
    expect(() => isAllowed([], kibana, es, 0)).toThrow(/not a port/);
    expect(() => isAllowed([], kibana, es, 70000)).toThrow(/not a port/);
  });
});

describe('egress isolation', () => {
  const objects = [
    policy('logging', 'egress-dns-only', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { [NAME]: 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
        },
      ],
    }),
  ];

  test('allows only the DNS rule out of the isolated pods', () => {
    expect(isAllowed(objects, es, kubeDns, 53, 'UDP')).toBe(true);
    expect(isAllowed(objects, es, kubeDns, 53, 'TCP')).toBe(true);
    expect(isAllowed(objects, es, kubeDns, 443)).toBe(false);
    expect(isAllowed(objects, es, kibana, 5601)).toBe(false);
    expect(isAllowed(objects, es, pod('monitoring', { 'k8s-app': 'kube-dns' }), 53, 'UDP')).toBe(false);
    expect(isAllowed(objects, es, apiServer, 443)).toBe(false);
  });

  test('leaves ingress and other namespaces alone', () => {
    expect(isAllowed(objects, kibanaElsewhere, es, 9200)).toBe(true);
    expect(isAllowed(objects, node, es, 9200)).toBe(true);
    expect(isAllowed(objects, grafana, apiServer, 443)).toBe(true);
  });
});

describe('ipBlock', () => {
  const objects = [
    policy('logging', 'p', {
      podSelector: { matchLabels: { app: 'fluentd' } },
      policyTypes: ['Egress', 'Ingress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.96.0.0/12', '10.1.2.3/32'] } }], ports: [{ port: 443 }] }],
      ingress: [{ from: [{ ipBlock: { cidr: '192.168.1.10/32' } }, { ipBlock: { cidr: 'fd00::/8' } }] }],
    }),
  ];

  test('cidr with except', () => {
    for (const ip of ['10.0.0.0', '10.1.2.2', '10.95.255.255', '10.112.0.0', '10.255.255.255']) expect(isAllowed(objects, fluentd, { ip }, 443)).toBe(true);
    for (const ip of ['9.255.255.255', '11.0.0.0', '10.96.0.1', '10.111.255.255', '10.1.2.3', '192.168.1.10']) expect(isAllowed(objects, fluentd, { ip }, 443)).toBe(false);
    expect(isAllowed(objects, fluentd, { ip: '10.0.0.1' }, 80)).toBe(false);
  });

  test('a /32 admits exactly one address, and an IPv6 block never matches IPv4', () => {
    expect(isAllowed(objects, node, fluentd, 24231)).toBe(true);
    expect(isAllowed(objects, { ip: '192.168.1.11' }, fluentd, 24231)).toBe(false);
    expect(isAllowed(objects, { ip: '253.0.0.1' }, fluentd, 24231)).toBe(false);
  });

  test('matches a pod only through its ip', () => {
    expect(isAllowed(objects, fluentd, pod('logging', { app: 'elasticsearch' }, '10.0.0.7'), 443)).toBe(true);
    expect(isAllowed(objects, fluentd, es, 443)).toBe(false);
  });

  test('CIDR arithmetic', () => {
    expect(cidrContains('0.0.0.0/0', '255.255.255.255')).toBe(true);
    expect(cidrContains('172.16.0.0/12', '172.31.255.255')).toBe(true);
    expect(cidrContains('172.16.0.0/12', '172.32.0.0')).toBe(false);
    expect(cidrContains('128.0.0.0/1', '127.255.255.255')).toBe(false);
    expect(cidrContains('128.0.0.0/1', '128.0.0.0')).toBe(true);
    expect(() => cidrContains('10.0.0.0/33', '10.0.0.1')).toThrow(/not a CIDR/);
    expect(() => cidrContains('10.0.0.0/8', '10.0.0.256')).toThrow(/not an IPv4/);
    expect(() => cidrContains('10.0.0.0/8', 'fd00::1')).toThrow(/unsupported/);
  });
});

describe('matchExpressions', () => {
  test('In selects the policy pods; Exists, NotIn and DoesNotExist select the peers', () => {
    const objects = [
      policy('logging', 'p', {
        podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['elasticsearch', 'kibana'] }] },
        ingress: [{
          from: [{
            podSelector: {
              matchLabels: { tier: 'app' },
              matchExpressions: [
                { key: 'role', operator: 'Exists' },
                { key: 'env', operator: 'NotIn', values: ['dev'] },
                { key: 'debug', operator: 'DoesNotExist' },
              ],
            },
          }],
        }],
      }),
    ];
    const client = (labels: { [key: string]: string }) => pod('logging', { tier: 'app', ...labels });
    // In: es and kibana are isolated, fluentd is not.
    expect(isAllowed(objects, client({}), es, 9200)).toBe(false);
    expect(isAllowed(objects, client({}), kibana, 5601)).toBe(false);
    expect(isAllowed(objects, client({}), fluentd, 24224)).toBe(true);
    // The peer expressions, with matchLabels ANDed in.
    expect(isAllowed(objects, client({ role: 'x' }), es, 9200)).toBe(true);
    expect(isAllowed(objects, client({ role: '' }), es, 9200)).toBe(true);
    expect(isAllowed(objects, client({ role: 'x', env: 'prod' }), es, 9200)).toBe(true);
    expect(isAllowed(objects, client({ role: 'x', env: 'dev' }), es, 9200)).toBe(false);
    expect(isAllowed(objects, client({ role: 'x', debug: 'true' }), es, 9200)).toBe(false);
    expect(isAllowed(objects, pod('logging', { role: 'x' }), es, 9200)).toBe(false);
  });

  test('NotIn and DoesNotExist select pods without the label; unknown operators throw', () => {
    const objects = [policy('logging', 'p', { podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['kibana'] }, { key: 'open', operator: 'DoesNotExist' }] } })];
    expect(isAllowed(objects, kibana, es, 9200)).toBe(false);
    expect(isAllowed(objects, kibana, pod('logging', {}), 80)).toBe(false);
    expect(isAllowed(objects, es, kibana, 5601)).toBe(true);
    expect(isAllowed(objects, es, pod('logging', { app: 'x', open: '' }), 80)).toBe(true);
    const bad = [policy('logging', 'p', { podSelector: { matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] } })];
    expect(() => isAllowed(bad, kibana, es, 9200)).toThrow(/unsupported/);
  });
});

describe('namespaces', () => {
  test('a policy selects only pods of its own namespace', () => {
    const objects = [policy('monitoring', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })];
    expect(isAllowed(objects, kibana, es, 9200)).toBe(true);
    expect(isAllowed(objects, es, kibana, 5601)).toBe(true);
    expect(isAllowed(objects, kibana, kibanaElsewhere, 5601)).toBe(false);
    expect(isAllowed(objects, grafana, es, 9200)).toBe(false);
  });

  test('a policy without a namespace is in default', () => {
    const objects = [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p' }, spec: { podSelector: {} } }];
    expect(isAllowed(objects, kibana, pod('default', {}), 80)).toBe(false);
    expect(isAllowed(objects, kibana, es, 9200)).toBe(true);
  });
});

describe('both sides must allow', () => {
  const esIngressFromKibana = policy('logging', 'es-in', {
    podSelector: { matchLabels: { app: 'elasticsearch' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'kibana' } } }], ports: [{ port: 9200 }] }],
  });
  const kibanaEgressToEs = policy('logging', 'kibana-out', {
    podSelector: { matchLabels: { app: 'kibana' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ podSelector: { matchLabels: { app: 'elasticsearch' } } }], ports: [{ port: 9200 }] }],
  });
  const kibanaEgressElsewhere = policy('logging', 'kibana-out', {
    podSelector: { matchLabels: { app: 'kibana' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ podSelector: { matchLabels: { app: 'fluentd' } } }] }],
  });

  test('egress of the source and ingress of the destination', () => {
    expect(isAllowed([esIngressFromKibana, kibanaEgressToEs], kibana, es, 9200)).toBe(true);
    expect(isAllowed([esIngressFromKibana, kibanaEgressToEs], kibana, es, 9300)).toBe(false);
    // Destination allows, source egress does not.
    expect(isAllowed([esIngressFromKibana, kibanaEgressElsewhere], kibana, es, 9200)).toBe(false);
    // Source egress allows, destination ingress does not.
    expect(isAllowed([esIngressFromKibana, kibanaEgressToEs], fluentd, es, 9200)).toBe(false);
    expect(isAllowed([kibanaEgressToEs, denyAllIngress], kibana, es, 9200)).toBe(false);
  });

  test('rules of all selecting policies add up', () => {
    const extra = policy('logging', 'es-in-fluentd', { podSelector: { matchLabels: { app: 'elasticsearch' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'fluentd' } } }] }] });
    expect(isAllowed([esIngressFromKibana, denyAllIngress, extra], fluentd, es, 9200)).toBe(true);
    expect(isAllowed([esIngressFromKibana, denyAllIngress, extra], kibana, es, 9200)).toBe(true);
    expect(isAllowed([esIngressFromKibana, denyAllIngress, extra], kibanaElsewhere, es, 9200)).toBe(false);
  });
});

describe('podEndpoints', () => {
  test('lists the pod templates of the workload kinds', () => {
    const template = (labels: object, spec: object = {}) => ({ template: { metadata: { labels }, spec: { containers: [], ...spec } } });
    const objects = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'kibana', namespace: 'logging' }, spec: template({ app: 'kibana' }) },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'es', namespace: 'logging' }, spec: template({ app: 'es' }) },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'fluentd', namespace: 'logging' }, spec: template({ app: 'fluentd' }, { hostNetwork: true }) },
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'setup' }, spec: template({ job: 'setup' }) },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'es', namespace: 'logging' }, spec: { selector: { app: 'es' } } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'logging' }, data: {} },
    ];
    expect(podEndpoints(objects)).toEqual([
      { name: 'kibana', kind: 'Deployment', namespace: 'logging', labels: { app: 'kibana' }, hostNetwork: false },
      { name: 'es', kind: 'StatefulSet', namespace: 'logging', labels: { app: 'es' }, hostNetwork: false },
      { name: 'fluentd', kind: 'DaemonSet', namespace: 'logging', labels: { app: 'fluentd' }, hostNetwork: true },
      { name: 'setup', kind: 'Job', namespace: 'default', labels: { job: 'setup' }, hostNetwork: false },
    ]);
    const [deployment, statefulSet] = podEndpoints(objects);
    const objectsWithPolicy = [...objects, policy('logging', 'p', { podSelector: { matchLabels: { app: 'es' } } })];
    expect(isAllowed(objectsWithPolicy, deployment, statefulSet, 9200)).toBe(false);
    expect(isAllowed(objectsWithPolicy, statefulSet, deployment, 5601)).toBe(true);
  });
});
