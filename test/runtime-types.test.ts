import * as fs from 'fs';
import * as path from 'path';
import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { testChart } from './helpers/chart';
import {
  BuiltInDetectionRules, DetectionRules, KibanaDetectionRulesImport, AuditPolicy, BuiltInSavedObjects, DetectionCondition, DetectionRule, DetectionRuleSeverity, ElasticsearchCluster, ElasticsearchSetup, ElasticsearchStorage,
  FalcoDaemonSet, FluentBitConfig, FluentBitDaemonSet, FluentBitPlugin, FluentdBuffer, FluentdDaemonSet, FluentdSection, IlmPolicy, IndexFieldType,
  IndexTemplate, IngestPipeline, IngestProcessor, Kibana, KibanaIndexConnector, KibanaChartType, KibanaConfig, KibanaDataView, KibanaSavedObjects, KibanaSavedObjectsImport,
  KibanaSavedSearch, KibanaVisualization, KubeApiServerAudit, KubeArmorRelayCollector, KubernetesAuditLogs, KubernetesEventsCollector, MitreTactic,
  MitreTechnique, S3Credentials, SecurityIndexTemplates, SecurityLoggingNetworkPolicies,
} from '../src';

/**
 * JavaScript and JSON callers have no type checker: a class-typed prop given as a
 * string or a plain object (`storage: '10Gi'`) must be an error naming the prop, never
 * a quietly different manifest (that one gave Elasticsearch an emptyDir). Every struct
 * property whose type is a class, in the jsii assembly (the public API as every
 * language sees it), is tried here with such values; a new one without a builder
 * below fails the test until it is covered.
 */
const root = path.join(__dirname, '..');
const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf-8'));
const dependencies = ['cdk8s', 'cdk8s-plus-27'].map((d) => JSON.parse(fs.readFileSync(path.join(root, 'node_modules', d, '.jsii'), 'utf-8')).types);
const kindOf = (fqn: string): string | undefined => (assembly.types[fqn] ?? dependencies.find((t) => t[fqn])?.[fqn])?.kind;
/** Structs that the library returns, never takes. */
const OUTPUTS = new Set(['SizingResult']);

/** Every (struct, property) whose type is a class or a list of one. */
function classTypedProps(): { struct: string; prop: string; list: boolean }[] {
  const found: { struct: string; prop: string; list: boolean }[] = [];
  for (const [fqn, type] of Object.entries<any>(assembly.types)) {
    if (type.kind !== 'interface' || !type.datatype || OUTPUTS.has(type.name)) continue;
    for (const property of type.properties ?? []) {
      const element = property.type.collection?.elementtype ?? property.type;
      if (element.fqn && kindOf(element.fqn) === 'class') found.push({ struct: fqn.split('.').pop() as string, prop: property.name, list: !!property.type.collection });
    }
  }
  return found;
}

const lifecycle = () => new IlmPolicy({ name: 'p', retention: Duration.days(7) });
const template = (props: any = {}) => new IndexTemplate({ name: 't', indexPatterns: ['t-*'], fields: { '@timestamp': IndexFieldType.DATE }, lifecycle: lifecycle(), ...props });
const dataView = (props: any = {}) => new KibanaDataView({ id: 'v', name: 'v', template: template(), ...props });
const cluster = (chart: Chart, props: any = {}) => new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1, ...props });
/** A complete stack in one chart, with `props` for one of its parts; synthesized, so that checks at synth count too. */
function inChart(build: (chart: Chart, elasticsearch: ElasticsearchCluster) => void): void {
  const chart = testChart();
  const elasticsearch = cluster(chart);
  build(chart, elasticsearch);
  // A template of its own, so that the setup has work also where no writer registered.
  new ElasticsearchSetup(chart, 'Setup', { elasticsearch, templates: [template()] });
  Testing.synth(chart);
}
const fluentd = (props: any) => inChart((chart, elasticsearch) => new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch, ...props }));
const fluentBit = (props: any) => inChart((chart, elasticsearch) => new FluentBitDaemonSet(chart, 'FluentBit', { elasticsearch, ...props }));
const s3 = { bucket: 'b-logs', region: 'eu-west-1', credentials: S3Credentials.serviceAccountRole('arn:aws:iam::123456789012:role/r') };

const ruleProps = () => ({
  ruleId: 'r-1', name: 'r', description: 'd', severity: DetectionRuleSeverity.LOW, riskScore: 1,
  techniques: [MitreTechnique.of(MitreTactic.EXECUTION, 'T1609', 'Container Administration Command')],
  indexTemplates: SecurityIndexTemplates.of([{ family: 'seclog-x', fields: SecurityIndexTemplates.FALCO_ALERT_FIELDS, retentionDays: 7 }]),
  condition: DetectionCondition.exists('host.name'),
});

/** How to hand each struct a value: struct name to a builder that uses `props` as that struct. */
const BUILDERS: { [struct: string]: (props: any) => unknown } = {
  ElasticsearchClusterProps: (props) => Testing.synth(cluster(testChart(), props).node.scope as Chart),
  ElasticsearchNodeResources: (props) => Testing.synth(cluster(testChart(), props).node.scope as Chart),
  ElasticsearchPersistentStorageOptions: (props) => ElasticsearchStorage.persistent(props),
  ElasticsearchSetupProps: (props) => {
    const chart = testChart();
    const elasticsearch = cluster(chart);
    new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch });
    new ElasticsearchSetup(chart, 'Setup', { elasticsearch, ...props });
  },
  FalcoDaemonSetOptions: (props) => inChart((chart) => new FalcoDaemonSet(chart, 'Falco', props)),
  FalcoDaemonSetProps: (props) => inChart((chart) => new FalcoDaemonSet(chart, 'Falco', props)),
  FluentBitConfigProps: (props) => new FluentBitConfig({
    service: {}, pipeline: [FluentBitPlugin.input('dummy', {}), FluentBitPlugin.output('null', '*', {})], ...props,
  }).render(),
  FluentBitContainerFileRouteOptions: (props) => inChart((chart, elasticsearch) => new FluentBitDaemonSet(chart, 'FluentBit', { elasticsearch })
    .addContainerFileRoute({ name: 'app', path: '/var/log/containers/app-*.log', tag: 'app', plugins: [], ...props })),
  FluentBitDaemonSetOptions: fluentBit,
  FluentBitDaemonSetProps: fluentBit,
  FluentBitStorageOptions: (props) => fluentBit({ storage: props }),
  FluentdBufferOptions: (props) => new FluentdBuffer(props),
  FluentdContainerFileRouteOptions: (props) => inChart((chart, elasticsearch) => new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch })
    .addContainerFileRoute({ name: 'app', path: '/var/log/containers/app-*.log', tag: 'app', label: '@APP', directives: [], ...props })),
  FluentdDaemonSetOptions: fluentd,
  FluentdDaemonSetProps: fluentd,
  FluentdPluginOptions: (props) => FluentdSection.source('tail', props).render(),
  FluentdSectionOptions: (props) => FluentdSection.section('record', props).render(),
  KubernetesAuditLogsOptions: (props) => inChart((chart, elasticsearch) => new KubernetesAuditLogs(chart, 'AuditLogs', { agent: new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch }), ...props })),
  KubernetesAuditLogsProps: (props) => inChart((chart, elasticsearch) => new KubernetesAuditLogs(chart, 'AuditLogs', { agent: new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch }), ...props })),
  KibanaDetectionRulesImportProps: (props) => inChart((chart, elasticsearch) => new KibanaDetectionRulesImport(chart, 'Rules', {
    kibana: new Kibana(chart, 'Kibana', { elasticsearch }), rules: new DetectionRules([DetectionRule.query(ruleProps())]), ...props,
  })),
  BuiltInDetectionRulesProps: (props) => BuiltInDetectionRules.of(props).renderNdjson(),
  DetectionRuleProps: (props) => DetectionRule.query({ ...ruleProps(), ...props }).toJson(),
  ThresholdDetectionRuleProps: (props) => DetectionRule.threshold({ ...ruleProps(), groupBy: ['host.name'], threshold: 5, ...props }).toJson(),
  NewTermsDetectionRuleProps: (props) => DetectionRule.newTerms({ ...ruleProps(), newTermsFields: ['host.name'], historyWindow: Duration.days(7), ...props }).toJson(),
  IlmPolicyProps: (props) => new IlmPolicy({ name: 'p', retention: Duration.days(7), ...props }),
  IndexTemplateProps: (props) => template(props),
  IngestPipelineProps: (props) => new IngestPipeline({ name: 'p', description: 'd', processors: [IngestProcessor.set('a', '1')], ...props }).toJson(),
  IngestProcessorOptions: (props) => IngestProcessor.rename('a', 'b', props).toJson(),
  SecurityIndexSource: (props) => SecurityIndexTemplates.of([{ family: 'seclog-x', fields: SecurityIndexTemplates.CONTAINER_LOG_FIELDS, retentionDays: 7, ...props }])[0].toJson(),
  KibanaConfigProps: (props) => new KibanaConfig({ serverName: 'k', elasticsearchHosts: ['http://es:9200'], ...props }).render(),
  KibanaDataViewProps: (props) => dataView(props),
  KibanaOptions: (props) => inChart((chart, elasticsearch) => new Kibana(chart, 'Kibana', { elasticsearch, ...props })),
  KibanaProps: (props) => inChart((chart, elasticsearch) => new Kibana(chart, 'Kibana', { elasticsearch, ...props })),
  KibanaSavedObjectsImportProps: (props) => inChart((chart, elasticsearch) => {
    const kibana = new Kibana(chart, 'Kibana', { elasticsearch });
    new KibanaSavedObjectsImport(chart, 'Import', { kibana, savedObjects: new KibanaSavedObjects(), name: 'mine', ...props });
  }),
  KibanaSavedSearchProps: (props) => new KibanaSavedSearch({ id: 's', title: 's', dataView: dataView(), columns: [], ...props }).toJson(),
  KibanaVisualizationProps: (props) => new KibanaVisualization({ id: 'v', title: 'v', dataView: dataView(), chart: KibanaChartType.AREA_OVER_TIME, ...props }).toJson(),
  KubeApiServerAuditProps: (props) => new KubeApiServerAudit(props).files(),
  KubeArmorRelayCollectorProps: (props) => inChart((chart, elasticsearch) => new KubeArmorRelayCollector(chart, 'KubeArmor', {
    ...(props.agent === undefined ? { agent: new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch }) } : {}), ...props,
  })),
  KubernetesEventsCollectorOptions: (props) => inChart((chart, elasticsearch) => new KubernetesEventsCollector(chart, 'Events', { elasticsearch, ...props })),
  KubernetesEventsCollectorProps: (props) => inChart((chart, elasticsearch) => new KubernetesEventsCollector(chart, 'Events', { elasticsearch, ...props })),
  S3ArchiveOptions: (props) => fluentBit({ s3Archive: { ...s3, ...props } }),
  SecurityLoggingNetworkPoliciesProps: (props) => inChart((chart, elasticsearch) => new SecurityLoggingNetworkPolicies(chart, 'NetworkPolicies', { elasticsearch, ...props })),
  KibanaIndexConnectorProps: (props) => new KibanaIndexConnector({ template: template(), index: 't-alerts', ...props })._preconfigured(),
  SecurityOverviewProps: (props) => BuiltInSavedObjects.securityOverviewDashboard({ events: dataView(), ...props }).toJson(),
  BuiltInSavedObjectsProps: (props) => BuiltInSavedObjects.of({
    containers: SecurityIndexTemplates.of([{ family: 'seclog-containers', fields: SecurityIndexTemplates.CONTAINER_LOG_FIELDS, retentionDays: 14 }])[0], ...props,
  }).objects(),
};

/** What a JavaScript or JSON caller may pass instead of the object. */
const WRONG = [['a string', '10Gi'], ['a plain object', { size: '10Gi' }], ['a number', 3]] as const;

describe('class-typed props are checked at run time', () => {
  const props = classTypedProps();

  test('the assembly has them, and each struct has a builder here', () => {
    expect(props.length).toBeGreaterThan(40);
    expect([...new Set(props.map((p) => p.struct))].filter((s) => !BUILDERS[s])).toEqual([]);
  });

  test('each builder builds with valid props (so a failure below is the wrong value\'s)', () => {
    const errors = Object.entries(BUILDERS).map(([struct, build]) => {
      try {
        build({});
        return undefined;
      } catch (e) {
        return `${struct}: ${(e as Error).message}`;
      }
    });
    expect(errors.filter((e) => e !== undefined)).toEqual([]);
  });

  const cases = props.flatMap((p) => WRONG.map(([what, value]) => [`${p.struct}.${p.prop} as ${what}${p.list ? ' (and inside its list)' : ''}`, p, value] as const));
  test.each(cases)('%s is an error naming the prop', (_name, { struct, prop, list }, value) => {
    for (const given of list ? [value, [value]] : [value]) {
      let message = '';
      try {
        BUILDERS[struct]({ [prop]: given });
      } catch (e) {
        message = (e as Error).message;
      }
      expect({ given, message }).toEqual({ given, message: expect.stringContaining(prop) });
    }
  });
});

describe('the values cdk8s makes are accepted', () => {
  test('Size, Duration, Cpu from cdk8s and cdk8s-plus', () => {
    expect(() => new FluentdBuffer({ totalLimitSize: Size.gibibytes(1), flushInterval: Duration.seconds(2) })).not.toThrow();
    expect(() => inChart((chart, elasticsearch) => new Kibana(chart, 'Kibana', { elasticsearch, cpuRequest: kplus.Cpu.units(1) }))).not.toThrow();
    expect(() => new KubeApiServerAudit({ policy: AuditPolicy.production() })).not.toThrow();
  });
});
