import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { jobFiles, stackOf } from './helpers/chart';
import { valuesAt } from './helpers/kql';
import { lensRows } from './helpers/lens';
import {
  DETECTION_ALERT_FIELDS, DetectionCondition, DetectionRule, DetectionRuleSeverity, DetectionRules, FALCO_ALERT_FIELDS, IndexFieldType, IndexTemplate,
  IlmPolicy, KibanaConfig, KibanaIndexConnector, MitreTactic, MitreTechnique, SecurityIndexTemplates,
} from '../src';
import { Duration } from 'cdk8s';

const [alerts, falco] = SecurityIndexTemplates.of([
  { family: 'seclog-alerts', fields: DETECTION_ALERT_FIELDS, retentionDays: 365 },
  { family: 'seclog-falco', fields: FALCO_ALERT_FIELDS, retentionDays: 90 },
]);
const rule = (ruleId: string, name = 'Falco alert at Critical or above') => DetectionRule.query({
  ruleId, name, description: 'A Falco rule fired at Critical or above.', severity: DetectionRuleSeverity.HIGH, riskScore: 73,
  techniques: [MitreTechnique.of(MitreTactic.PRIVILEGE_ESCALATION, 'T1611', 'Escape to Host'), MitreTechnique.of(MitreTactic.PERSISTENCE, 'T1098.006', 'Account Manipulation: Additional Container Cluster Roles')],
  indexTemplates: [falco], condition: DetectionCondition.atLeast('event.severity', 5),
});
const importLines = (rules: DetectionRules) => rules.renderNdjson().trimEnd().split('\n').map((l) => JSON.parse(l));

/**
 * What Kibana's Index connector indexes for one alert: the action's document with its
 * Mustache variables rendered (only string leaves are templates; stack_connectors
 * es_index/index.ts renderParameterTemplates) and `@timestamp` set to the action's time
 * (executionTimeField).
 */
function indexedAlert(document: any, vars: { [name: string]: string }): any {
  const render = (v: any): any => (typeof v === 'string' ? v.replace(/\{\{\{?([\w.]+)\}?\}\}/g, (_m, name) => {
    if (!(name in vars)) throw new Error(`no variable ${name}`);
    return vars[name];
  }) : Array.isArray(v) ? v.map(render) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, render(x)])) : v);
  return { ...render(document), '@timestamp': '2026-07-29T15:05:00.000Z' };
}
const leafPaths = (v: any, prefix = ''): string[] => Object.entries(v).flatMap(([k, x]) =>
  (x !== null && typeof x === 'object' && !Array.isArray(x) ? leafPaths(x, `${prefix}${k}.`) : [`${prefix}${k}`]));

describe('KibanaIndexConnector', () => {
  test('defaults: seclog-alerts-index, writing the template\'s data stream with the action time in @timestamp', () => {
    const connector = new KibanaIndexConnector({ template: alerts });
    expect([connector.id, connector.index]).toEqual(['seclog-alerts-index', 'seclog-alerts']);
    expect(connector._preconfigured()).toEqual({ name: 'Index: seclog-alerts', actionTypeId: '.index', config: { index: 'seclog-alerts', refresh: false, executionTimeField: '@timestamp' } });
  });

  test('kibana.yml: one xpack.actions.preconfigured entry per connector, beside the user\'s own connectors', () => {
    const config = new KibanaConfig({
      serverName: 'kibana', elasticsearchHosts: ['https://es:9200'], indexConnectors: [new KibanaIndexConnector({ template: alerts })],
      extraSettings: { 'xpack.actions.preconfigured.ops-log': { name: 'Ops log', actionTypeId: '.server-log' } },
    });
    const yml = parse(config.render());
    expect(yml['xpack.actions.preconfigured.seclog-alerts-index']).toEqual({ name: 'Index: seclog-alerts', actionTypeId: '.index', config: { index: 'seclog-alerts', refresh: false, executionTimeField: '@timestamp' } });
    expect(yml['xpack.actions.preconfigured.ops-log.actionTypeId']).toBe('.server-log');
  });

  describe('fails if', () => {
    const lifecycle = new IlmPolicy({ name: 'p', retention: Duration.days(1) });
    test.each([
      ['the template is not an IndexTemplate (JavaScript)', () => new KibanaIndexConnector({ template: 'seclog-alerts' as any }), /template must be a IndexTemplate/],
      ['the index is not the template\'s', () => new KibanaIndexConnector({ template: alerts, index: 'other-alerts' }), /index "other-alerts" is not matched by template seclog-alerts \(seclog-alerts, seclog-alerts-\*\)/],
      ['the template is no data stream', () => new KibanaIndexConnector({
        template: new IndexTemplate({ name: 'plain', indexPatterns: ['plain'], lifecycle, dataStream: false, fields: { a: IndexFieldType.KEYWORD } }),
      }), /template plain is not a data stream/],
      ['the id has capitals', () => new KibanaIndexConnector({ template: alerts, id: 'Alerts' }), /id must be lowercase letters, digits and '-'/],
      ['the name is empty', () => new KibanaIndexConnector({ template: alerts, name: ' ' }), /name must be a non-empty string/],
      ['two connectors have one id', () => new KibanaConfig({
        serverName: 'kibana', elasticsearchHosts: ['https://es:9200'], indexConnectors: [new KibanaIndexConnector({ template: alerts }), new KibanaIndexConnector({ template: alerts })],
      }), /connector id seclog-alerts-index is given twice/],
      ['the user\'s settings set one of ours', () => new KibanaConfig({
        serverName: 'kibana', elasticsearchHosts: ['https://es:9200'], indexConnectors: [new KibanaIndexConnector({ template: alerts })],
        extraSettings: { 'xpack.actions.preconfigured.seclog-alerts-index.config.index': 'x' },
      }), /must not set "xpack.actions.preconfigured.seclog-alerts-index.config.index": connector seclog-alerts-index is one of the indexConnectors/],
      ['the user\'s settings set ours whole', () => new KibanaConfig({
        serverName: 'kibana', elasticsearchHosts: ['https://es:9200'], indexConnectors: [new KibanaIndexConnector({ template: alerts })],
        extraSettings: { 'xpack.actions.preconfigured.seclog-alerts-index': 'x' },
      }), /must not set "xpack.actions.preconfigured.seclog-alerts-index": connector seclog-alerts-index/],
    ])('%s', (_name, build, message) => {
      expect(build).toThrow(message);
    });
  });
});

describe('DetectionRules.addIndexAction', () => {
  test('every rule, added before or after, gets one per-alert action through the connector', () => {
    const rules = new DetectionRules([rule('falco-a')]);
    rules.addIndexAction(new KibanaIndexConnector({ template: alerts }));
    rules.addRule(rule('falco-b'));
    for (const line of importLines(rules)) {
      expect(line.actions).toHaveLength(1);
      const [action] = line.actions;
      expect([action.group, action.id, action.action_type_id]).toEqual(['default', 'seclog-alerts-index', '.index']);
      // One document per alert, on every run that finds some (Kibana's RuleActionFrequency: all three keys required).
      expect(action.frequency).toEqual({ summary: false, notifyWhen: 'onActiveAlert', throttle: null });
      expect(action.params.documents).toHaveLength(1);
      expect(line.throttle).toBeUndefined();
    }
    expect(new DetectionRules([rule('falco-a')]).renderNdjson()).not.toContain('"actions"');
  });

  test('the document an alert writes: mapped in the template, with the rule\'s ATT&CK mapping, and what the overview shows', () => {
    const rules = new DetectionRules([rule('falco-a')]);
    rules.addIndexAction(new KibanaIndexConnector({ template: alerts }));
    const [line] = importLines(rules);
    const doc = indexedAlert(line.actions[0].params.documents[0], {
      'alert.id': 'a3f9c1d2e4b5', 'rule.spaceId': 'default', 'date': '2026-07-29T15:05:00.000Z', 'rule.id': '6f1e2d3c',
    });
    expect(leafPaths(doc).filter((p) => alerts.typeOf(p) === undefined)).toEqual([]);
    expect(doc.kibana.alert).toEqual({
      // Security's alert details redirect (buildAlertDetailPath: /alerts/redirect/<id>?index=<index>&timestamp=<time>).
      uuid: 'a3f9c1d2e4b5', url: '/app/security/alerts/redirect/a3f9c1d2e4b5?index=.alerts-security.alerts-default&timestamp=2026-07-29T15:05:00.000Z', severity: 'high', risk_score: 73,
      rule: { uuid: '6f1e2d3c', rule_id: 'falco-a', name: 'Falco alert at Critical or above' },
    });
    expect(doc.threat).toEqual({
      framework: 'MITRE ATT&CK',
      tactic: { id: ['TA0004', 'TA0003'], name: ['Privilege Escalation', 'Persistence'] },
      technique: { id: ['T1611', 'T1098', 'T1098.006'], name: ['Escape to Host', 'Account Manipulation', 'Account Manipulation: Additional Container Cluster Roles'] },
    });
    expect(valuesAt(doc, 'event.kind')).toEqual(['alert']);
  });

  describe('fails if', () => {
    test.each([
      ['the connector is not a KibanaIndexConnector (JavaScript)', (r: DetectionRules) => r.addIndexAction({ id: 'x' } as any), /connector must be a KibanaIndexConnector/],
      ['the connector is added twice', (r: DetectionRules) => {
        r.addIndexAction(new KibanaIndexConnector({ template: alerts }));
        r.addIndexAction(new KibanaIndexConnector({ template: alerts }));
      }, /an index action through connector seclog-alerts-index is there already/],
      ['the connector\'s template lacks the alert fields', (r: DetectionRules) => r.addIndexAction(new KibanaIndexConnector({ template: falco })),
        /template seclog-falco of connector seclog-alerts-index does not map message, kibana.alert.uuid, .*use SecurityIndexTemplates.DETECTION_ALERT_FIELDS/],
      ['a rule\'s name reads as Mustache', (r: DetectionRules) => r.addRule(rule('falco-c', 'Falco {{bad}}')), /holds \{\{ or \}\}, which the alert action's Mustache would read as a variable/],
    ])('%s', (_name, act, message) => {
      expect(() => act(new DetectionRules())).toThrow(message);
    });
  });
});

describe('the chart\'s detection alerts', () => {
  const chart = stackOf();
  const objects = Testing.synth(chart);
  const kibanaYml = parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'kibana-config').data['kibana.yml']);

  test('kibana.yml preconfigures the index connector; the setup puts the seclog-alerts data stream\'s template and policy', () => {
    expect(kibanaYml['xpack.actions.preconfigured.seclog-alerts-index'].config).toEqual({ index: 'seclog-alerts', refresh: false, executionTimeField: '@timestamp' });
    const files = jobFiles(objects, 'elasticsearch-setup-');
    const template = JSON.parse(files['template-seclog-alerts.json']);
    expect([template.index_patterns, template.data_stream, template.template.settings['index.lifecycle.name']]).toEqual([['seclog-alerts', 'seclog-alerts-*'], {}, 'seclog-alerts-policy']);
    expect(JSON.parse(files['policy-seclog-alerts-policy.json']).policy.phases.delete.min_age).toBe('365d');
  });

  test('every built-in rule sends its alerts there; the overview shows them by rule, severity and technique', () => {
    const rules = chart.detectionRules as DetectionRules;
    expect(rules.indexConnectors.map((c) => c.id)).toEqual(['seclog-alerts-index']);
    const lines = importLines(rules);
    expect(lines.every((l) => l.actions.length === 1 && l.actions[0].id === 'seclog-alerts-index')).toBe(true);
    const docs = lines.map((l, i) => indexedAlert(l.actions[0].params.documents[0], { 'alert.id': `alert-${i}`, 'rule.spaceId': 'default', 'date': '2026-07-29T15:05:00.000Z', 'rule.id': `so-${i}` }));
    const saved = chart.savedObjects.objects();
    const lens = (id: string) => saved.find((o) => o.type === 'lens' && o.id === id);
    const bySeverity = lensRows(lens('detection-alerts-by-severity'), docs);
    const severities = new Map<string, number>();
    for (const l of lines) severities.set(l.severity, (severities.get(l.severity) ?? 0) + 1);
    expect(new Map(bySeverity.map((r) => [r.group, r.metric]))).toEqual(severities);
    const byTechnique = lensRows(lens('detection-alerts-by-technique'), docs);
    expect(byTechnique.length).toBeGreaterThan(5);
    const overview = saved.find((o) => o.type === 'dashboard' && o.id === 'security-overview');
    expect(overview?.references.map((r: any) => r.id)).toEqual(expect.arrayContaining(['detection-alerts-over-time', 'detection-alerts-by-severity', 'detection-alerts-by-technique', 'detection-alerts']));
  });

  test('the data stream follows the agent\'s prefix; without detection rules there is none', () => {
    expect(stackOf({ fluentd: { indexPrefix: 'acme' } }).detectionAlertsConnector?.index).toBe('acme-alerts');
    const none = stackOf({ detectionRules: false });
    expect(none.detectionAlertsConnector).toBeUndefined();
    expect(Object.keys(jobFiles(Testing.synth(none), 'elasticsearch-setup-'))).not.toContain('template-seclog-alerts.json');
    expect(none.savedObjects.objects().some((o) => o.id.startsWith('detection-alerts'))).toBe(false);
  });

  test('fails if a source\'s family overlaps the alerts\' data stream', () => {
    expect(() => stackOf({ kubeArmor: { indexNames: { alerts: 'seclog-alerts-kubearmor' } } })).toThrow(/detection alerts' data stream "seclog-alerts" overlaps the log agent's family "seclog-alerts-kubearmor"/);
  });
});
