import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { addTemplates, fakeCluster, globsIntersect, runInFakeCluster, secretsOf, templateFor } from './helpers/fake-cluster';
import { jobFiles, stackOf } from './helpers/chart';
import { runPipeline } from './helpers/ingest-model';
import { FAMILY_KINDS, SourceNormalization, familyPipeline } from '../src/elasticsearch/security-index-templates';
import { IndexFamilyKind, IndexNaming, LogAgent, SecurityLoggingChart } from '../src';

/**
 * The two ways of naming the families, tested alike: our own prefix (the default) and
 * Elastic's data stream scheme `logs-<dataset>-<namespace>`, which Elastic Security's
 * prebuilt rules (`index: logs-kubernetes.audit_logs-*`, ...) and the integrations'
 * dashboards search.
 */
const DATA_STREAM_FAMILIES = [
  'logs-kubernetes.container_logs-default', 'logs-kubernetes.audit_logs-default', 'logs-falco.alerts-default',
  'logs-kubearmor.alerts-default', 'logs-kubearmor.messages-default', 'logs-kubearmor.logs-default', 'logs-system.journal-default',
];
const PREFIX_FAMILIES = ['seclog-containers', 'seclog-audit', 'seclog-falco', 'seclog-kubearmor-alerts', 'seclog-kubearmor-messages', 'seclog-kubearmor-logs', 'seclog-journal'];

const stack = (props: object = {}) => new SecurityLoggingChart(Testing.app(), 'stack', props);
const agentOf = (chart: SecurityLoggingChart) => (chart.fluentd ?? chart.fluentBit) as { writtenIndexFamilies(): string[] };

describe.each([
  ['Fluentd', LogAgent.FLUENTD],
  ['Fluent Bit', LogAgent.FLUENT_BIT],
])('%s: both namings give every source its family, template and pipeline', (_name, agent) => {
  test.each([
    ['PREFIX (the default)', {}, PREFIX_FAMILIES, 'seclog-events'],
    ['DATA_STREAM', { indexNaming: IndexNaming.DATA_STREAM }, DATA_STREAM_FAMILIES, 'logs-kubernetes.event-default'],
  ])('%s', (_mode, props, families, events) => {
    const chart = stack({ agent, ...props });
    expect(agentOf(chart).writtenIndexFamilies()).toEqual(families);
    expect(chart.kubernetesEventsCollector?.indexName).toBe(events);
    const objects = Testing.synth(chart); // schema-validated
    const files = jobFiles(objects, 'elasticsearch-setup-');
    for (const family of [...families, events]) {
      const template = JSON.parse(files[`template-${family}.json`]);
      expect({ family, patterns: template.index_patterns, pipeline: template.template.settings['index.default_pipeline'], priority: template.priority })
        .toEqual({ family, patterns: [family, `${family}-*`], pipeline: `${family}-pipeline`, priority: family.startsWith('logs-') ? 210 : 200 });
    }
    // No family is auto-created without its template.
    const yml = parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'elasticsearch-config').data['elasticsearch.yml']);
    for (const family of families) expect(yml['action.auto_create_index'].split(',')).toContain(`-${family}`);
    // The dashboards read the families.
    const views = chart.savedObjects.objects().filter((o) => o.type === 'index-pattern').map((o) => o.attributes.title);
    expect(views).toContain(`${families[2]},${families[2]}-*`);
  });

  test('DATA_STREAM with a namespace of one\'s own: every stream ends in it', () => {
    const families = agentOf(stack({ agent, indexNaming: IndexNaming.DATA_STREAM, dataStreamNamespace: 'prod' })).writtenIndexFamilies();
    expect(families.every((f) => /^logs-[a-z0-9_.]+-prod$/.test(f))).toBe(true);
  });
});

test('with DATA_STREAM, Fluentd writes the audit log to one stream (the name has no room for a Kubernetes namespace)', () => {
  const conf = stack({ indexNaming: IndexNaming.DATA_STREAM }).fluentd?.config.render() ?? '';
  expect(conf).not.toContain('route_audit_by_namespace');
  expect(conf).toMatch(/<match audit>\n\s+@type elasticsearch\n\s+@id out_es_audit\n[\s\S]*?index_name logs-kubernetes\.audit_logs-default\n/);
  expect(stack().fluentd?.config.render()).toContain("index_name 'seclog-audit-${tag[1]}'");
});

describe('each stream\'s name says the dataset and namespace its documents carry', () => {
  // data_stream.dataset and .namespace are constant_keyword: one value per stream, the one its name says.
  test.each(Object.values(IndexFamilyKind).filter((k) => k !== IndexFamilyKind.KUBEARMOR))('%s', (kind) => {
    const normalization = FAMILY_KINDS[kind].normalization as SourceNormalization;
    const dataset = runPipeline(familyPipeline('x', normalization).toJson() as any, { ...normalization.checks[0].document }).event.dataset;
    const family = `logs-${dataset}-prod`;
    const doc = runPipeline(familyPipeline(family, normalization).toJson() as any, { ...normalization.checks[0].document, _index: family });
    expect(doc.data_stream).toEqual({ type: 'logs', dataset, namespace: 'prod' });
  });

  test('KubeArmor: each of its three streams carries its own dataset', () => {
    const chart = stack({ indexNaming: IndexNaming.DATA_STREAM });
    const normalization = FAMILY_KINDS[IndexFamilyKind.KUBEARMOR].normalization as SourceNormalization;
    const names = chart.kubeArmorCollector?.indexNames ?? {};
    for (const check of normalization.checks) {
      const dataset = runPipeline(familyPipeline('x', normalization).toJson() as any, { ...check.document }).event.dataset;
      expect(Object.values(names)).toContain(`logs-${dataset}-default`);
    }
  });

  test('an own-prefix family keeps its namespace from the part after the family, or "default"', () => {
    const normalization = FAMILY_KINDS[IndexFamilyKind.AUDIT].normalization as SourceNormalization;
    const doc = runPipeline(familyPipeline('seclog-audit', normalization).toJson() as any, { ...normalization.checks[0].document, _index: 'seclog-audit-kube-system' });
    expect(doc.data_stream.namespace).toBe('kube_system');
  });
});

/** Bootstraps a fake cluster, adds `templates` as if installed before, and runs the stack's setup Job on it. */
async function setUpWith(props: object, templates: { [name: string]: { index_patterns: string[]; priority: number } }) {
  const chart = stackOf(props);
  const objects = Testing.synth(chart);
  const cluster = fakeCluster();
  await runInFakeCluster(cluster, jobFiles(objects, 'elasticsearch-bootstrap-'));
  addTemplates(cluster, templates);
  const ca = secretsOf(cluster).find((s) => s.name === 'elasticsearch-certs')?.data['ca.crt'] ?? 'CA';
  const run = await runInFakeCluster(cluster, jobFiles(objects, 'elasticsearch-setup-'), { mounts: { '/elastic/password': cluster.elasticPassword, '/elasticsearch/ca.crt': ca } });
  return { chart, cluster, run };
}

describe('on a cluster that already holds Elasticsearch\'s built-in logs template and a Fleet integration\'s', () => {
  const BUILT_IN = {
    'logs': { index_patterns: ['logs-*-*'], priority: 100 },
    // What the Kubernetes and Falco integrations install (Fleet: priority 200, pattern <type>-<dataset>-*).
    'logs-kubernetes.audit_logs': { index_patterns: ['logs-kubernetes.audit_logs-*'], priority: 200 },
    'logs-falco.alerts': { index_patterns: ['logs-falco.alerts-*'], priority: 200 },
  };

  test.each([
    ['DATA_STREAM', { indexNaming: IndexNaming.DATA_STREAM }],
    ['PREFIX', {}],
  ])('%s: the setup puts every template, and ours is the one each of our streams gets', async (_mode, props) => {
    const { chart, cluster, run } = await setUpWith(props, BUILT_IN);
    expect(run.output).toMatch(/done\n$/);
    for (const family of Object.keys(chart.indexTemplates)) expect([family, templateFor(cluster, family)]).toEqual([family, family]);
    // Elastic's own streams of those datasets (another namespace, written by Elastic Agent) keep Fleet's template.
    expect(templateFor(cluster, 'logs-kubernetes.audit_logs-staging')).toBe('logs-kubernetes.audit_logs');
  }, 30_000);

  test('a template of one priority with overlapping patterns is refused, as Elasticsearch refuses it: the setup fails, naming it', async () => {
    expect(globsIntersect('logs-falco.alerts-*', 'logs-falco.alerts-default')).toBe(true);
    expect(globsIntersect('logs-*-*', 'seclog-falco')).toBe(false);
    expect(globsIntersect('seclog-audit-*', 'seclog-audit')).toBe(false);
    const { run } = await setUpWith({ indexNaming: IndexNaming.DATA_STREAM }, { 'logs-falco.alerts': { index_patterns: ['logs-falco.alerts-*'], priority: 210 } });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('PUT /_index_template/logs-falco.alerts-default answered 400');
  }, 30_000);
});

describe('bad naming props', () => {
  test.each([
    ['an indexPrefix with DATA_STREAM', { indexNaming: IndexNaming.DATA_STREAM, fluentd: { indexPrefix: 'sec' } }, /fluentd indexPrefix "sec" is for IndexNaming.PREFIX/],
    ['a dataStreamNamespace with PREFIX', { dataStreamNamespace: 'prod' }, /fluentd dataStreamNamespace "prod" is for IndexNaming.DATA_STREAM/],
    ['a namespace with "-"', { indexNaming: IndexNaming.DATA_STREAM, dataStreamNamespace: 'prod-eu' }, /dataStreamNamespace must be 1 to 100 lowercase letters, digits or '_' .*got "prod-eu"/],
    ['an unknown naming (a JavaScript caller)', { indexNaming: 'ecs' }, /fluentd indexNaming must be one of prefix, data-stream, got "ecs"/],
    ['a family under logs- that is not logs-<dataset>-<namespace>', { falco: { indexName: 'logs-falco' } }, /falco indexName must not be "logs-falco": .*logs-<dataset>-<namespace>/],
  ])('%s is refused', (_name, props, message) => {
    expect(() => stack(props)).toThrow(message);
  });

  test('a family of one\'s own in Elastic\'s scheme is taken, with its own template priority', () => {
    const chart = stack({ falco: { indexName: 'logs-falco.alerts-prod' } });
    expect(chart.indexTemplates['logs-falco.alerts-prod']?.toJson().priority).toBe(210);
  });
});
