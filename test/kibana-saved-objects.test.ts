import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'cdk8s';
import {
  AUDIT_EVENT_FIELDS, CONTAINER_LOG_FIELDS, FALCO_ALERT_FIELDS, IlmPolicy, IndexFieldType, IndexTemplate, KUBEARMOR_EVENT_FIELDS, KibanaChartType,
  BuiltInSavedObjects, KibanaDashboard, KibanaDataView, KibanaSavedObjects,
  KibanaSavedSearch, KibanaVisualization, SecurityIndexTemplates,
} from '../src';

const [falcoTemplate] = SecurityIndexTemplates.of([{ family: 'seclog-falco', fields: FALCO_ALERT_FIELDS, retentionDays: 90 }]);
const falcoView = () => new KibanaDataView({ id: 'seclog-falco', name: 'Falco alerts', template: falcoTemplate });

function falcoSet(): KibanaSavedObjects {
  const set = new KibanaSavedObjects();
  const view = falcoView();
  set.addDataView(view);
  set.addDashboard(BuiltInSavedObjects.falcoDashboard(view));
  return set;
}

describe('Kibana saved objects', () => {
  test('the Falco dashboard NDJSON matches the golden file', () => {
    expect(falcoSet().renderNdjson()).toBe(fs.readFileSync(path.join(__dirname, 'fixtures', 'kibana-falco.ndjson'), 'utf-8'));
  });

  test('structure: one object per line, ids unique, every reference resolves, JSON-in-string fields parse', () => {
    const lines = falcoSet().renderNdjson().trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((o) => o.type)).toEqual(['index-pattern', ...Array(6).fill('visualization'), 'search', 'visualization', 'visualization', 'search', 'dashboard']);
    const keys = lines.map((o) => `${o.type}:${o.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const o of lines) {
      for (const ref of o.references) expect(keys).toContain(`${ref.type}:${ref.id}`);
      expect(o.coreMigrationVersion).toBe('8.8.0');
      expect(o.typeMigrationVersion).toMatch(/^\d+\.\d+\.\d+$/);
      if (o.attributes.visState) expect(JSON.parse(o.attributes.visState).aggs.length).toBe(2);
      if (o.attributes.kibanaSavedObjectMeta) JSON.parse(o.attributes.kibanaSavedObjectMeta.searchSourceJSON);
    }
    const dashboard = lines[lines.length - 1];
    const panels = JSON.parse(dashboard.attributes.panelsJSON);
    expect(panels).toHaveLength(10);
    // Each panel's reference is named <panelIndex>:<panelRefName>.
    expect(dashboard.references.map((r: any) => r.name)).toEqual(panels.map((p: any) => `${p.panelIndex}:${p.panelRefName}`));
    // No two panels overlap on the 48-column grid.
    const cells = new Set<string>();
    for (const { gridData: g } of panels) {
      for (let x = g.x; x < g.x + g.w; x++) for (let y = g.y; y < g.y + g.h; y++) {
        expect(cells.has(`${x},${y}`)).toBe(false);
        cells.add(`${x},${y}`);
      }
      expect(g.x + g.w).toBeLessThanOrEqual(48);
    }
  });

  test('the Falco panels the source document asks for', () => {
    const lines = falcoSet().renderNdjson().trimEnd().split('\n').map((l) => JSON.parse(l));
    const vis = lines.filter((o) => o.type === 'visualization').map((o) => JSON.parse(o.attributes.visState));
    expect(vis.map((v) => [v.type, v.aggs[1].type, v.aggs[1].params.field ?? null, v.aggs[1].params.size ?? v.aggs[1].params.interval])).toEqual([
      ['area', 'date_histogram', '@timestamp', '1m'],
      ['pie', 'terms', 'rule.name', 10],
      ['pie', 'terms', 'falco.priority', 8],
      ['table', 'terms', 'rule.name', 20],
      ['table', 'terms', 'host.name', 20],
      ['table', 'terms', 'kubernetes.pod.name', 20],
      // Falco's health: its own alerts (dropped system calls), by node and by kind.
      ['table', 'terms', 'host.name', 20],
      ['pie', 'terms', 'rule.name', 10],
    ]);
    const query = (o: any) => JSON.parse(o.attributes.kibanaSavedObjectMeta.searchSourceJSON).query.query;
    expect(lines.filter((o) => o.type !== 'index-pattern' && o.type !== 'dashboard').map((o) => [o.id, query(o)])).toEqual([
      ...['falco-alerts-over-time', 'falco-top-rules-pie', 'falco-priorities-pie', 'falco-top-rules-table', 'falco-alerts-by-node', 'falco-alerts-by-pod', 'falco-alerts']
        .map((id) => [id, 'not falco.source : "internal"']),
      ...['falco-health-by-node', 'falco-health-by-rule', 'falco-health'].map((id) => [id, 'falco.source : "internal"']),
    ]);
    expect(lines.filter((o) => o.type === 'search').map((o) => o.attributes.title)).toEqual(['Falco Alerts', 'Falco health']);
  });

  describe('consistency at synth time', () => {
    test('a panel on a field the mapping lacks names the dashboard, the panel and the field', () => {
      const set = new KibanaSavedObjects();
      const view = falcoView();
      const dashboard = new KibanaDashboard({ id: 'd', title: 'D' });
      dashboard.addVisualization(new KibanaVisualization({ id: 'by-pod', title: 'By pod', dataView: view, chart: KibanaChartType.TABLE, field: 'k8s.pod.name' }));
      set.addDataView(view);
      set.addDashboard(dashboard);
      expect(() => set.renderNdjson()).toThrow(/kibana dashboard d panel by-pod: field "k8s.pod.name" is not in the mapping of seclog-falco/);
    });

    test('aggregating a text field is refused', () => {
      const set = new KibanaSavedObjects();
      const view = falcoView();
      const dashboard = new KibanaDashboard({ id: 'd', title: 'D' });
      dashboard.addVisualization(new KibanaVisualization({ id: 'by-output', title: 'By output', dataView: view, chart: KibanaChartType.PIE, field: 'falco.output' }));
      set.addDataView(view);
      set.addDashboard(dashboard);
      expect(() => set.objects()).toThrow(/field "falco.output" is text in seclog-falco, which Kibana cannot aggregate/);
    });

    test('aggregating a key inside a flattened field is refused (Kibana does not list them)', () => {
      const set = new KibanaSavedObjects();
      const view = falcoView();
      const dashboard = new KibanaDashboard({ id: 'd', title: 'D' });
      dashboard.addVisualization(new KibanaVisualization({ id: 'by-pod', title: 'By pod', dataView: view, chart: KibanaChartType.TABLE, field: 'falco.output_fields.k8s_pod_name' }));
      set.addDataView(view);
      set.addDashboard(dashboard);
      expect(() => set.objects()).toThrow(/field "falco.output_fields.k8s_pod_name" is flattened in seclog-falco, which Kibana cannot aggregate/);
    });

    test('a field a query names must be mapped too', () => {
      const set = new KibanaSavedObjects();
      const view = falcoView();
      const dashboard = new KibanaDashboard({ id: 'd', title: 'D' });
      dashboard.addVisualization(new KibanaVisualization({ id: 'q', title: 'Q', dataView: view, chart: KibanaChartType.TABLE, field: 'rule.name', query: 'not sorce : "internal"' }));
      set.addDataView(view);
      set.addDashboard(dashboard);
      expect(() => set.objects()).toThrow(/kibana dashboard d panel q: field "sorce" is not in the mapping/);
    });

    test('a saved search column must exist but need not aggregate', () => {
      const set = new KibanaSavedObjects();
      const view = falcoView();
      const dashboard = new KibanaDashboard({ id: 'd', title: 'D' });
      dashboard.addSavedSearch(new KibanaSavedSearch({ id: 's', title: 'S', dataView: view, columns: ['falco.output', 'nope'] }));
      set.addDataView(view);
      set.addDashboard(dashboard);
      expect(() => set.objects()).toThrow(/kibana dashboard d panel s: field "nope"/);
    });

    test('a reference to a data view not in the set is refused', () => {
      const set = new KibanaSavedObjects();
      set.addDashboard(BuiltInSavedObjects.falcoDashboard(falcoView()));
      expect(() => set.objects()).toThrow(/references index-pattern:seclog-falco, which is not in the set/);
    });

    test('ids are unique', () => {
      const set = falcoSet();
      set.addDataView(falcoView());
      expect(() => set.objects()).toThrow(/index-pattern:seclog-falco is defined twice/);
    });
  });

  describe('fails if', () => {
    const lifecycle = new IlmPolicy({ name: 'p', retention: Duration.days(1) });
    test.each([
      ['a data view time field that is not a date', () => new KibanaDataView({ id: 'v', name: 'v', timeField: 'rule.name', template: falcoTemplate }), /time field "rule.name" is not a date/],
      ['an id with capitals', () => new KibanaDashboard({ id: 'Falco', title: 't' }), /kibana dashboard id must be lowercase/],
      ['a pie without a field', () => new KibanaVisualization({ id: 'v', title: 't', dataView: falcoView(), chart: KibanaChartType.PIE }), /a pie chart needs a field/],
      ['a size of 0', () => new KibanaVisualization({ id: 'v', title: 't', dataView: falcoView(), chart: KibanaChartType.TABLE, field: 'rule.name', size: 0 }), /size must be an integer between 1 and 500/],
      ['a panel added twice', () => {
        const d = new KibanaDashboard({ id: 'd', title: 't' });
        const v = new KibanaVisualization({ id: 'v', title: 't', dataView: falcoView(), chart: KibanaChartType.TABLE, field: 'rule.name' });
        d.addVisualization(v);
        d.addVisualization(v);
      }, /panel v is added twice/],
      ['a template without a date time field', () => new KibanaDataView({
        id: 'v', name: 'v', template: new IndexTemplate({ name: 't', indexPatterns: ['t'], lifecycle, dataStream: false, fields: { a: IndexFieldType.KEYWORD } }),
      }), /time field "@timestamp" is not a date in template t/],
    ])('%s', (_name, build, message) => {
      expect(build).toThrow(message);
    });
  });
});

describe('the built-in saved objects', () => {
  const [containers, falco, kubeArmorAlerts, audit] = SecurityIndexTemplates.of([
    { family: 'seclog-containers', fields: CONTAINER_LOG_FIELDS, retentionDays: 14 },
    { family: 'seclog-falco', fields: FALCO_ALERT_FIELDS, retentionDays: 90 },
    { family: 'seclog-kubearmor-alerts', fields: KUBEARMOR_EVENT_FIELDS, retentionDays: 90 },
    { family: 'seclog-audit', fields: AUDIT_EVENT_FIELDS, retentionDays: 365 },
  ]);
  const objects = BuiltInSavedObjects.of({ containers, falco, kubeArmorAlerts, audit, namespaces: ['kube-system', 'security-logging'] }).objects();

  test('every field every panel and search reads is mapped (objects() checks it), ids unique', () => {
    const byType = objects.reduce((acc: any, o) => ({ ...acc, [o.type]: (acc[o.type] ?? 0) + 1 }), {});
    expect(byType).toEqual({ 'index-pattern': 4, 'visualization': 20, 'search': 6, 'dashboard': 3 });
  });

  test('the KubeArmor panels: policies per pod (distinct count), per policy, by severity, type, operation and action', () => {
    const vis = objects.filter((o) => o.id.startsWith('kubearmor-')).filter((o) => o.type === 'visualization')
      .map((o) => JSON.parse(o.attributes.visState)).map((v) => [v.aggs[0].type, v.aggs[1].params.field]);
    expect(vis).toEqual([
      ['cardinality', 'kubernetes.pod.name'], ['count', 'rule.name'], ['count', 'event.severity'], ['count', 'kubearmor.Type'], ['count', 'kubearmor.Operation'], ['count', 'event.action'],
    ]);
  });

  test('the audit panels and the secrets search', () => {
    const fields = objects.filter((o) => o.id.startsWith('audit-') && o.type === 'visualization')
      .map((o) => JSON.parse(o.attributes.visState).aggs[1].params.field);
    expect(fields).toEqual(['@timestamp', 'user.name', 'event.action', 'orchestrator.namespace', 'orchestrator.resource.type', 'kubernetes.audit.responseStatus.code']);
    const secrets = objects.find((o) => o.id === 'audit-secrets-access');
    expect(JSON.parse(secrets?.attributes.kibanaSavedObjectMeta.searchSourceJSON).query.query).toBe('orchestrator.resource.type : "secret"');
  });

  test('container logs: a data view on @timestamp and a search per namespace', () => {
    const view = objects.find((o) => o.id === 'container-logs' && o.type === 'index-pattern');
    expect(view?.attributes.timeFieldName).toBe('@timestamp');
    expect(objects.filter((o) => o.type === 'search' && o.id.startsWith('container-logs')).map((o) => o.id))
      .toEqual(['container-logs', 'container-logs-kube-system', 'container-logs-security-logging']);
  });
});
