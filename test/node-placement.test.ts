import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { objectNamed, stackObjects, stackOf, testChart } from './helpers/chart';
import { ModelNode, canRunOn, nodesOf } from './helpers/scheduling';
import {
  ElasticsearchCluster, ElasticsearchSetup, FalcoDaemonSet, FluentBitDaemonSet, FluentdDaemonSet, KubernetesAuditLogs, LogAgent, NodeAgentPlacement, SecurityLoggingChartProps, TolerationOperator,
} from '../src';

/**
 * A source is shipped only from nodes where the log agent runs: the agent must run on
 * every node a source it collects from runs on (Falco's DaemonSet; the API server's
 * audit log on control-plane nodes). Checked on the synthesized DaemonSets with a model
 * of the scheduler's taint and affinity rules, on nodes of the kinds clusters have.
 */
const NODES: ModelNode[] = [
  { name: 'worker', labels: { 'kubernetes.io/os': 'linux' }, taints: [] },
  { name: 'control-plane', labels: { 'node-role.kubernetes.io/control-plane': '' }, taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] },
  { name: 'gpu', labels: { 'pool': 'gpu' }, taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] },
  { name: 'dedicated', labels: { pool: 'security' }, taints: [{ key: 'dedicated', value: 'security', effect: 'NoExecute' }] },
  { name: 'spot', labels: { pool: 'spot' }, taints: [{ key: 'cloud.google.com/gke-spot', value: 'true', effect: 'NoSchedule' }] },
];

function placementOf(props: SecurityLoggingChartProps, agent: string): { agent: string[]; falco: string[] } {
  const objects = stackObjects(stackOf(props));
  const pod = (name: string) => objects.find((o) => o.kind === 'DaemonSet' && o.metadata.name === name).spec.template.spec;
  return { agent: nodesOf(pod(agent), NODES), falco: nodesOf(pod('falco'), NODES) };
}

describe('node agents run wherever a source they collect from runs', () => {
  test.each([
    ['Fluentd', LogAgent.FLUENTD, 'fluentd'],
    ['Fluent Bit', LogAgent.FLUENT_BIT, 'fluent-bit'],
  ])('%s and Falco run on every node by default: GPU, dedicated and spot nodes too', (_name, agent, daemonSet) => {
    const placed = placementOf({ agent }, daemonSet);
    expect(placed.agent).toEqual(NODES.map((n) => n.name));
    expect(placed.falco).toEqual(placed.agent);
  });

  test('agentPlacement narrows the agent and Falco together; audit needs the control plane, which it keeps', () => {
    const placement: NodeAgentPlacement = {
      tolerations: [
        { key: 'node-role.kubernetes.io/control-plane', effect: kplus.TaintEffect.NO_SCHEDULE },
        { key: 'node-role.kubernetes.io/master', effect: kplus.TaintEffect.NO_SCHEDULE },
        { key: 'dedicated', operator: TolerationOperator.EQUAL, value: 'security' },
      ],
    };
    const placed = placementOf({ agentPlacement: placement }, 'fluentd');
    expect(placed.agent).toEqual(['worker', 'control-plane', 'dedicated']);
    expect(placed.falco).toEqual(placed.agent);
  });

  test('a nodeSelector reaches only the labelled nodes, for both', () => {
    const placed = placementOf({ auditLogs: false, agentPlacement: { nodeSelector: { pool: 'security' } } }, 'fluentd');
    expect(placed.agent).toEqual(['dedicated']);
    expect(placed.falco).toEqual(['dedicated']);
  });

  test('in a chart of one\'s own, Falco takes the agent\'s placement; a narrower one of its own is allowed', () => {
    const chart = testChart();
    const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
    const fluentd = new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch, placement: { nodeSelector: { 'kubernetes.io/os': 'linux' } } });
    new FalcoDaemonSet(chart, 'Falco', { agent: fluentd });
    new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
    const falco = objectNamed(chart, 'DaemonSet', 'falco').spec.template.spec;
    expect(nodesOf(falco, NODES)).toEqual(['worker']);
    const other = testChart();
    const cluster = new ElasticsearchCluster(other, 'Elasticsearch', { replicas: 1 });
    const agent = new FluentdDaemonSet(other, 'Fluentd', { elasticsearch: cluster });
    const narrow = new FalcoDaemonSet(other, 'Falco', { agent, placement: { nodeSelector: { pool: 'gpu' }, tolerations: [{ key: 'nvidia.com/gpu' }] } });
    new ElasticsearchSetup(other, 'Setup', { elasticsearch: cluster });
    expect(nodesOf(objectNamed(other, 'DaemonSet', 'falco').spec.template.spec, NODES)).toEqual(['gpu']);
    expect(narrow.placement).toEqual({ nodeSelector: { pool: 'gpu' }, tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }] });
  });

  test('the model itself: an untolerated NoSchedule taint keeps a pod off, PreferNoSchedule does not, affinity terms are ORed', () => {
    const node = (taints: any[], labels = {}): ModelNode => ({ name: 'n', labels, taints });
    expect(canRunOn({}, node([{ key: 'a', effect: 'NoSchedule' }]))).toBe(false);
    expect(canRunOn({}, node([{ key: 'a', effect: 'PreferNoSchedule' }]))).toBe(true);
    expect(canRunOn({ tolerations: [{ key: 'a', operator: 'Equal', value: 'x' }] }, node([{ key: 'a', value: 'y', effect: 'NoSchedule' }]))).toBe(false);
    expect(canRunOn({ tolerations: [{ operator: 'Exists' }] }, node([{ key: 'a', value: 'y', effect: 'NoExecute' }]))).toBe(true);
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
      { matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }] }, { matchExpressions: [{ key: 'b', operator: 'Exists' }] },
    ] } } };
    expect(canRunOn({ affinity }, node([], { b: '' }))).toBe(true);
    expect(canRunOn({ affinity }, node([], { a: '2' }))).toBe(false);
  });
});

describe('placement mistakes are errors', () => {
  test('a Falco placement wider than its agent\'s: alerts on the other nodes would never be shipped', () => {
    const chart = testChart();
    const fluentd = new FluentdDaemonSet(chart, 'Fluentd', {
      elasticsearch: new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 }), placement: { nodeSelector: { pool: 'security' } },
    });
    expect(() => new FalcoDaemonSet(chart, 'Falco', { agent: fluentd, placement: {} })).toThrow(/falco placement .* reaches nodes the log agent does not run on/);
  });

  test('audit logs with an agent that does not tolerate the control plane', () => {
    const chart = testChart();
    const fluentd = new FluentdDaemonSet(chart, 'Fluentd', {
      elasticsearch: new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 }), placement: { tolerations: [{ key: 'dedicated' }] },
    });
    expect(() => new KubernetesAuditLogs(chart, 'AuditLogs', { agent: fluentd })).toThrow(/fluentd placement does not tolerate the control-plane taints/);
  });

  test('a per-agent placement inside the chart, which places them all together', () => {
    expect(() => stackOf({ falco: { placement: {} } })).toThrow(/chart falco.placement cannot be set: the chart places every node agent together, with agentPlacement/);
  });

  test.each([
    ['an invalid label key', { nodeSelector: { 'bad key': 'x' } }, /fluentd placement.nodeSelector key must be a label key/],
    ['Equal without a key', { tolerations: [{ operator: TolerationOperator.EQUAL, value: 'x' }] }, /fluentd placement.tolerations\[0\]: operator Equal needs a key/],
    ['Exists with a value', { tolerations: [{ key: 'a', value: 'x' }] }, /operator Exists matches any value; remove value "x"/],
    ['an unknown effect', { tolerations: [{ key: 'a', effect: 'NoRun' }] }, /fluentd placement.tolerations\[0\].effect must be one of NoSchedule, PreferNoSchedule, NoExecute, got "NoRun"/],
    ['tolerations that are not a list', { tolerations: 'all' }, /fluentd placement.tolerations must be a list of tolerations, got "all"/],
  ])('%s', (_what, placement, error) => {
    const chart = testChart();
    expect(() => new FluentdDaemonSet(chart, 'Fluentd', {
      elasticsearch: new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 }), placement: placement as any,
    })).toThrow(error);
  });
});

describe('events indexed twice', () => {
  const setup = (build: (chart: ReturnType<typeof testChart>, elasticsearch: ElasticsearchCluster) => void) => {
    const chart = testChart();
    const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
    build(chart, elasticsearch);
    new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
    return () => Testing.synth(chart);
  };

  test('Fluentd and Fluent Bit on the same nodes: every container log line twice', () => {
    const synth = setup((chart, elasticsearch) => {
      new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch });
      new FluentBitDaemonSet(chart, 'FluentBit', { elasticsearch, indexPrefix: 'other' });
    });
    expect(synth).toThrow(/the log agents test\/Fluentd and test\/FluentBit can run on the same nodes, where both tail every container's log file: every line would be indexed twice/);
  });

  test('two agents writing one family', () => {
    const synth = setup((chart, elasticsearch) => {
      new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch, placement: { nodeSelector: { pool: 'a' } } });
      new FluentdDaemonSet(chart, 'Fluentd2', { elasticsearch, name: 'fluentd-b', placement: { nodeSelector: { pool: 'b' } } });
    });
    expect(synth).toThrow(/test\/Fluentd2 and test\/Fluentd both write index family "seclog-containers": every event would be indexed twice/);
  });

  test('two agents on disjoint nodes with families of their own are fine', () => {
    const synth = setup((chart, elasticsearch) => {
      new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch, placement: { nodeSelector: { pool: 'a' } } });
      new FluentdDaemonSet(chart, 'Fluentd2', { elasticsearch, name: 'fluentd-b', indexPrefix: 'pool-b', placement: { nodeSelector: { pool: 'b' } } });
    });
    expect(synth).not.toThrow();
  });
});
