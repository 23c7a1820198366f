import * as fs from 'fs';
import * as path from 'path';
import { Duration, Testing } from 'cdk8s';
import { dedotKeys } from './helpers/dedot';
import { runPipeline } from './helpers/ingest-model';
import { parseKql, valuesAt } from './helpers/kql';
import { lensRows } from './helpers/lens';
import {
  AUDIT_EVENT_FIELDS, CONTAINER_LOG_FIELDS, FALCO_ALERT_FIELDS, IlmPolicy, IndexFieldType, IndexTemplate, KUBEARMOR_EVENT_FIELDS, KibanaChartType,
  BuiltInSavedObjects, KibanaDashboard, KibanaDataView, KibanaSavedObjects,
  KibanaSavedSearch, KibanaVisualization, KibanaVisualizationProps, SecurityIndexTemplates, SecurityLoggingChart,
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

/**
 * The keys each part of a Lens object may have, as Kibana's own sample data and exports
 * write them: the flights sample data's by-value panels (elastic/kibana
 * src/platform/plugins/shared/home/server/services/sample_data/data_sets/flights/saved_objects.ts
 * @8137d1cd: "Flight count" lnsXY, "Delay Type" lnsXY with a terms split and lnsPie, "Most delayed
 * cities" lnsDatatable, "Total Flights" lnsMetric), the logs_tsdb sample's standalone lens object
 * and its by-reference panel (.../logs_tsdb/saved_objects.ts @1a7bf6ce), the exported fixture
 * x-pack/test/functional/fixtures/kbn_archiver/lens/legend_statistics.json @70b27222 (formBased,
 * typeMigrationVersion 8.9.0), and Lens's last_value column as its editor builds it
 * (x-pack/platform/plugins/shared/lens/public/datasources/form_based/operations/definitions/last_value.tsx @1a146850).
 * Required keys first (each must be there), then optional ones.
 */
const SAMPLE = {
  object: [['type', 'id', 'attributes', 'references', 'coreMigrationVersion', 'typeMigrationVersion'], []],
  attributes: [['title', 'visualizationType', 'state'], ['description']],
  state: [['datasourceStates', 'visualization', 'query', 'filters'], ['internalReferences', 'adHocDataViews']],
  layer: [['columns', 'columnOrder', 'incompleteColumns'], ['sampling']],
  count: [['label', 'dataType', 'operationType', 'isBucketed', 'scale', 'sourceField'], ['params', 'customLabel']],
  unique_count: [['label', 'dataType', 'operationType', 'isBucketed', 'scale', 'sourceField', 'params'], ['customLabel']],
  terms: [['label', 'dataType', 'operationType', 'scale', 'sourceField', 'isBucketed', 'params'], ['customLabel']],
  termsParams: [['size', 'orderBy', 'orderDirection', 'otherBucket', 'missingBucket'], ['parentFormat', 'include', 'exclude', 'includeIsRegex', 'excludeIsRegex']],
  date_histogram: [['label', 'dataType', 'operationType', 'sourceField', 'isBucketed', 'scale', 'params'], []],
  dateParams: [['interval', 'includeEmptyRows'], ['dropPartials']],
  last_value: [['label', 'dataType', 'operationType', 'isBucketed', 'sourceField', 'params'], ['filter', 'scale']],
  lastParams: [['sortField', 'showArrayValues'], []],
  lnsXY: [['preferredSeriesType', 'layers'], ['legend', 'valueLabels', 'fittingFunction', 'axisTitlesVisibilitySettings', 'tickLabelsVisibilitySettings', 'gridlinesVisibilitySettings']],
  lnsXYLayer: [['layerId', 'accessors', 'seriesType', 'xAccessor', 'layerType'], ['position', 'showGridlines', 'splitAccessor', 'palette']],
  lnsPie: [['shape', 'layers'], ['palette']],
  lnsPieLayer: [['layerId', 'primaryGroups', 'metrics', 'numberDisplay', 'categoryDisplay', 'legendDisplay', 'layerType'], ['nestedLegend', 'legendSize']],
  lnsDatatable: [['columns', 'layerId', 'layerType'], ['sorting', 'rowHeight', 'rowHeightLines']],
  lnsDatatableColumn: [['columnId'], ['isTransposed', 'width', 'alignment']],
  lnsMetric: [['layerId', 'layerType', 'metricAccessor'], ['palette']],
} as const;

function hasSampleKeys(what: keyof typeof SAMPLE, value: any): void {
  const [required, optional] = SAMPLE[what] as readonly [readonly string[], readonly string[]];
  expect({ what, missing: required.filter((k) => !(k in value)) }).toEqual({ what, missing: [] });
  expect({ what, unknown: Object.keys(value).filter((k) => !required.includes(k) && !optional.includes(k)) }).toEqual({ what, unknown: [] });
}

/** A Lens object's parts have the sample data's keys, and its columns, accessors and references agree. */
function lensIsWhole(lens: any): void {
  hasSampleKeys('object', lens);
  expect([lens.type, lens.typeMigrationVersion]).toEqual(['lens', '8.9.0']);
  hasSampleKeys('attributes', lens.attributes);
  const state = lens.attributes.state;
  hasSampleKeys('state', state);
  expect(Object.keys(state.datasourceStates)).toEqual(['formBased']);
  const layers = state.datasourceStates.formBased.layers;
  const [layerId] = Object.keys(layers);
  const layer = layers[layerId];
  hasSampleKeys('layer', layer);
  expect(layer.columnOrder).toEqual(Object.keys(layer.columns));
  for (const column of Object.values(layer.columns) as any[]) {
    hasSampleKeys(column.operationType, column);
    if (column.operationType === 'terms') {
      hasSampleKeys('termsParams', column.params);
      expect(layer.columns[column.params.orderBy.columnId]).toBeDefined();
    }
    if (column.operationType === 'date_histogram') hasSampleKeys('dateParams', column.params);
    if (column.operationType === 'last_value') hasSampleKeys('lastParams', column.params);
    // Bucketed columns are ordinal or interval, metrics ratio (last_value of a string: ordinal), as in the sample data.
    expect(column.scale).toBe(column.operationType === 'date_histogram' ? 'interval' : column.isBucketed || column.dataType === 'string' ? 'ordinal' : 'ratio');
  }
  const vis = state.visualization;
  const type = lens.attributes.visualizationType as 'lnsXY' | 'lnsPie' | 'lnsDatatable' | 'lnsMetric';
  hasSampleKeys(type, vis);
  const used: string[] = [];
  if (type === 'lnsXY' || type === 'lnsPie') {
    for (const l of vis.layers) {
      hasSampleKeys(type === 'lnsXY' ? 'lnsXYLayer' : 'lnsPieLayer', l);
      expect(l.layerId).toBe(layerId);
      used.push(...(type === 'lnsXY' ? [...l.accessors, l.xAccessor, ...(l.splitAccessor ? [l.splitAccessor] : [])] : [...l.primaryGroups, ...l.metrics]));
    }
  } else if (type === 'lnsDatatable') {
    expect(vis.layerId).toBe(layerId);
    for (const c of vis.columns) hasSampleKeys('lnsDatatableColumn', c);
    used.push(...vis.columns.map((c: any) => c.columnId));
  } else {
    expect(vis.layerId).toBe(layerId);
    used.push(vis.metricAccessor);
  }
  // Every column is shown, and nothing shown is missing.
  expect([...used].sort()).toEqual([...layer.columnOrder].sort());
  // The references a by-reference Lens object carries: its data view, and per layer.
  const viewIds = [...new Set(lens.references.map((r: any) => r.id))];
  expect(viewIds).toHaveLength(1);
  expect(lens.references.map((r: any) => [r.type, r.name])).toEqual([
    ['index-pattern', 'indexpattern-datasource-current-indexpattern'], ['index-pattern', `indexpattern-datasource-layer-${layerId}`],
  ]);
}

/** [visualization type, bucket columns, metric columns] of a Lens object. */
function lensSummary(lens: any): string[] {
  const layer: any = Object.values(lens.attributes.state.datasourceStates.formBased.layers)[0];
  const cols = layer.columnOrder.map((id: string) => layer.columns[id]);
  const describe = (c: any) => (c.operationType === 'terms' ? `terms ${c.sourceField} ${c.params.size}`
    : c.operationType === 'date_histogram' ? `date_histogram ${c.params.interval}` : c.operationType === 'count' ? 'count' : `${c.operationType} ${c.sourceField}`);
  return [lens.attributes.visualizationType, cols.filter((c: any) => c.isBucketed).map(describe).join(' > '), cols.filter((c: any) => !c.isBucketed).map(describe).join(', ')];
}

describe('Kibana saved objects', () => {
  test('the Falco dashboard NDJSON matches the golden file', () => {
    expect(falcoSet().renderNdjson()).toBe(fs.readFileSync(path.join(__dirname, 'fixtures', 'kibana-falco.ndjson'), 'utf-8'));
  });

  test('structure: one object per line, ids unique, every reference resolves, Lens layers whole, JSON-in-string fields parse', () => {
    const lines = falcoSet().renderNdjson().trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((o) => o.type)).toEqual(['index-pattern', ...Array(6).fill('lens'), 'search', 'lens', 'lens', 'search', 'dashboard']);
    const keys = lines.map((o) => `${o.type}:${o.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const o of lines) {
      for (const ref of o.references) expect(keys).toContain(`${ref.type}:${ref.id}`);
      expect(o.coreMigrationVersion).toBe('8.8.0');
      expect(o.typeMigrationVersion).toMatch(/^\d+\.\d+\.\d+$/);
      if (o.attributes.kibanaSavedObjectMeta) JSON.parse(o.attributes.kibanaSavedObjectMeta.searchSourceJSON);
    }
    for (const lens of lines.filter((o) => o.type === 'lens')) lensIsWhole(lens);
    const dashboard = lines[lines.length - 1];
    const panels = JSON.parse(dashboard.attributes.panelsJSON);
    expect(panels).toHaveLength(10);
    // Each panel's reference is named <panelIndex>:<panelRefName>, of the panel's type.
    expect(dashboard.references.map((r: any) => [r.name, r.type])).toEqual(panels.map((p: any) => [`${p.panelIndex}:${p.panelRefName}`, p.type]));
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
    const lens = lines.filter((o) => o.type === 'lens').map(lensSummary);
    expect(lens).toEqual([
      ['lnsXY', 'date_histogram 1m', 'count'],
      ['lnsPie', 'terms rule.name 10', 'count'],
      ['lnsPie', 'terms falco.priority 8', 'count'],
      ['lnsDatatable', 'terms rule.name 20', 'count'],
      ['lnsDatatable', 'terms host.name 20', 'count'],
      ['lnsDatatable', 'terms kubernetes.pod.name 20', 'count'],
      // Falco's health: its own alerts (dropped system calls), by node and by kind.
      ['lnsDatatable', 'terms host.name 20', 'count'],
      ['lnsPie', 'terms rule.name 10', 'count'],
    ]);
    const query = (o: any) => (o.type === 'lens' ? o.attributes.state.query.query : JSON.parse(o.attributes.kibanaSavedObjectMeta.searchSourceJSON).query.query);
    expect(lines.filter((o) => o.type !== 'index-pattern' && o.type !== 'dashboard').map((o) => [o.id, query(o)])).toEqual([
      ...['falco-alerts-over-time', 'falco-top-rules-pie', 'falco-priorities-pie', 'falco-top-rules-table', 'falco-alerts-by-node', 'falco-alerts-by-pod', 'falco-alerts']
        .map((id) => [id, 'not falco.source : "internal"']),
      ...['falco-health-by-node', 'falco-health-by-rule', 'falco-health'].map((id) => [id, 'falco.source : "internal"']),
    ]);
    expect(lines.filter((o) => o.type === 'search').map((o) => o.attributes.title)).toEqual(['Falco Alerts', 'Falco health']);
  });

  test('every chart kind renders the shape of Kibana\'s own sample data', () => {
    const view = falcoView();
    const kinds: Array<[KibanaChartType, Partial<KibanaVisualizationProps>]> = [
      [KibanaChartType.AREA_OVER_TIME, {}], [KibanaChartType.BAR_OVER_TIME, { field: 'rule.name' }], [KibanaChartType.PIE, { field: 'rule.name', breakdownField: 'host.name' }],
      [KibanaChartType.TABLE, { field: 'rule.name', breakdownField: 'host.name', latestValueField: 'falco.priority', uniqueCountField: 'kubernetes.pod.name' }],
      [KibanaChartType.METRIC, {}],
    ];
    const types = kinds.map(([chart, more], i) => {
      const lens = new KibanaVisualization({ id: `v${i}`, title: 'T', dataView: view, chart, ...more }).toJson();
      lensIsWhole(lens);
      return lens.attributes.visualizationType;
    });
    expect(types).toEqual(['lnsXY', 'lnsXY', 'lnsPie', 'lnsDatatable', 'lnsMetric']);
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

    test('a data view over several templates: a field missing from some is fine, one Kibana type in all is fine, a non-aggregatable one is named', () => {
      const lifecycle = new IlmPolicy({ name: 'p', retention: Duration.days(1) });
      const other = new IndexTemplate({
        name: 'other', indexPatterns: ['other'], lifecycle,
        fields: { '@timestamp': IndexFieldType.DATE_NANOS, 'event.severity': IndexFieldType.INTEGER, 'rule.name': IndexFieldType.CONSTANT_KEYWORD, 'host.name': IndexFieldType.TEXT },
      });
      const view = new KibanaDataView({ id: 'v', name: 'v', template: falcoTemplate, additionalTemplates: [other] });
      // long and integer are one number to Kibana, keyword and constant_keyword one string.
      expect(view.checkField('p', 'event.severity', true)).toBe(IndexFieldType.LONG);
      expect(view.checkField('p', 'rule.name', true)).toBe(IndexFieldType.KEYWORD);
      expect(view.checkField('p', 'falco.priority', true)).toBe(IndexFieldType.KEYWORD);
      expect(() => view.checkField('p', 'host.name', true)).toThrow(/p: field "host.name" is text in other, which Kibana cannot aggregate/);
      expect(view.checkField('p', 'host.name', false)).toBe(IndexFieldType.KEYWORD);
    });

    test('the fields a range or a quoted value names are checked too', () => {
      const set = new KibanaSavedObjects();
      const view = falcoView();
      const dashboard = new KibanaDashboard({ id: 'd', title: 'D' });
      dashboard.addVisualization(new KibanaVisualization({
        id: 'q', title: 'Q', dataView: view, chart: KibanaChartType.TABLE, field: 'rule.name', query: 'rule.name : "a:b" and not severty >= 3',
      }));
      set.addDataView(view);
      set.addDashboard(dashboard);
      expect(() => set.objects()).toThrow(/kibana dashboard d panel q: field "severty" is not in the mapping/);
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
      ['a metric with a field', () => new KibanaVisualization({ id: 'v', title: 't', dataView: falcoView(), chart: KibanaChartType.METRIC, field: 'rule.name' }), /a metric shows one number, so field "rule.name" has no place/],
      ['a breakdown over time', () => new KibanaVisualization({ id: 'v', title: 't', dataView: falcoView(), chart: KibanaChartType.AREA_OVER_TIME, breakdownField: 'rule.name' }), /breakdownField is for PIE and TABLE charts/],
      ['a breakdown size without a breakdown', () => new KibanaVisualization({ id: 'v', title: 't', dataView: falcoView(), chart: KibanaChartType.TABLE, field: 'rule.name', breakdownSize: 5 }), /breakdownSize needs a breakdownField/],
      ['a latest value on a pie', () => new KibanaVisualization({ id: 'v', title: 't', dataView: falcoView(), chart: KibanaChartType.PIE, field: 'rule.name', latestValueField: 'host.name' }), /latestValueField is a TABLE column, got a pie chart/],
      ['an interval on a table', () => new KibanaVisualization({ id: 'v', title: 't', dataView: falcoView(), chart: KibanaChartType.TABLE, field: 'rule.name', interval: '1m' }), /interval is for charts over time, got a table chart/],
      ['a size without a field', () => new KibanaVisualization({ id: 'v', title: 't', dataView: falcoView(), chart: KibanaChartType.AREA_OVER_TIME, size: 20 }), /size is the number of top values of field, and there is no field/],
      ['a chart kind that is no KibanaChartType', () => new KibanaVisualization({ id: 'v', title: 't', dataView: falcoView(), chart: 'line' as any }), /chart must be one of area, bar_stacked, pie, table, metric, got "line"/],
      ['a field given as a number (JavaScript)', () => new KibanaVisualization({ id: 'v', title: 't', dataView: falcoView(), chart: KibanaChartType.TABLE, field: 3 as any }), /field must be a string, got 3/],
      ['a data view with a template given twice', () => new KibanaDataView({ id: 'v', name: 'v', template: falcoTemplate, additionalTemplates: [falcoTemplate] }), /template seclog-falco is given twice/],
      ['additional templates that are not templates (JavaScript)', () => new KibanaDataView({ id: 'v', name: 'v', template: falcoTemplate, additionalTemplates: [{ name: 'x' }] as any }), /additionalTemplates\[0\] must be a IndexTemplate/],
      ['a field two templates of a data view map differently', () => {
        const other = new IndexTemplate({ name: 'other', indexPatterns: ['other'], lifecycle, fields: { '@timestamp': IndexFieldType.DATE_NANOS, 'rule.name': IndexFieldType.LONG } });
        const view = new KibanaDataView({ id: 'v', name: 'v', template: falcoTemplate, additionalTemplates: [other] });
        view.checkField('panel p', 'rule.name', true);
      }, /panel p: field "rule.name" has conflicting types in data view v \(keyword in seclog-falco, long in other\)/],
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
  const lensOf = (id: string) => {
    const found = objects.find((o) => o.type === 'lens' && o.id === id);
    if (!found) throw new Error(`no lens ${id}`);
    return found;
  };

  test('every field every panel and search reads is mapped (objects() checks it), ids unique, no legacy visualization', () => {
    const byType = objects.reduce((acc: any, o) => ({ ...acc, [o.type]: (acc[o.type] ?? 0) + 1 }), {});
    expect(byType).toEqual({ 'index-pattern': 5, 'lens': 33, 'search': 6, 'dashboard': 4 });
    for (const lens of objects.filter((o) => o.type === 'lens')) lensIsWhole(lens);
  });

  test('the KubeArmor panels: over time, per policy, per policy in each pod, per namespace, per tag, by severity, type, operation, action; the policies deployed', () => {
    const ids = objects.filter((o) => o.type === 'lens' && o.id.startsWith('kubearmor-')).map((o) => [o.id, ...lensSummary(o)]);
    expect(ids).toEqual([
      ['kubearmor-alerts-over-time', 'lnsXY', 'terms event.action 3 > date_histogram auto', 'count'],
      ['kubearmor-alerts-per-policy', 'lnsDatatable', 'terms rule.name 20', 'count'],
      ['kubearmor-alerts-per-policy-per-pod', 'lnsDatatable', 'terms kubernetes.pod.name 20 > terms rule.name 10', 'count'],
      ['kubearmor-policies-per-pod', 'lnsDatatable', 'terms kubernetes.pod.name 20', 'unique_count rule.name'],
      ['kubearmor-alerts-by-namespace', 'lnsDatatable', 'terms kubernetes.namespace 20 > terms event.action 3', 'count'],
      ['kubearmor-alerts-by-tag', 'lnsDatatable', 'terms kubearmor.ATags 20 > terms rule.name 5', 'count'],
      ['kubearmor-alerts-by-severity', 'lnsPie', 'terms event.severity 10', 'count'],
      ['kubearmor-alerts-by-type', 'lnsPie', 'terms kubearmor.Type 10', 'count'],
      ['kubearmor-alerts-by-operation', 'lnsPie', 'terms kubearmor.Operation 10', 'count'],
      ['kubearmor-alerts-by-action', 'lnsPie', 'terms event.action 10', 'count'],
      ['kubearmor-policies-deployed', 'lnsDatatable', 'terms orchestrator.namespace 50 > terms orchestrator.resource.name 100', 'count, last_value event.action'],
      ['kubearmor-host-policies-deployed', 'lnsDatatable', 'terms orchestrator.resource.type 2 > terms orchestrator.resource.name 100', 'count, last_value event.action'],
      ['kubearmor-policies-removed-in-bulk', 'lnsDatatable', 'terms orchestrator.resource.type 4 > terms kubernetes.audit.requestURI 50', 'count, last_value @timestamp'],
    ]);
    // The policies deployed read the audit events; the rest the alerts.
    expect(lensOf('kubearmor-policies-deployed').references[0].id).toBe('audit-events');
    expect(lensOf('kubearmor-alerts-per-policy').references[0].id).toBe('kubearmor-alerts');
  });

  test('the audit panels and the secrets search', () => {
    const summaries = objects.filter((o) => o.id.startsWith('audit-') && o.type === 'lens').map(lensSummary);
    expect(summaries.map((x) => x[1])).toEqual(['date_histogram auto', ...['user.name', 'event.action', 'orchestrator.namespace', 'orchestrator.resource.type', 'kubernetes.audit.responseStatus.code'].map((f) => `terms ${f} 20`)]);
    const secrets = objects.find((o) => o.id === 'audit-secrets-access');
    expect(JSON.parse(secrets?.attributes.kibanaSavedObjectMeta.searchSourceJSON).query.query).toBe('orchestrator.resource.type : "secret"');
  });

  test('container logs: a data view on @timestamp and a search per namespace', () => {
    const view = objects.find((o) => o.id === 'container-logs' && o.type === 'index-pattern');
    expect(view?.attributes.timeFieldName).toBe('@timestamp');
    expect(objects.filter((o) => o.type === 'search' && o.id.startsWith('container-logs')).map((o) => o.id))
      .toEqual(['container-logs', 'container-logs-kube-system', 'container-logs-security-logging']);
  });

  test('the security overview: one data view across the security sources, pivots by cluster, namespace, pod, node and severity', () => {
    const view = objects.find((o) => o.type === 'index-pattern' && o.id === 'security-events');
    expect(view?.attributes.title).toBe('seclog-falco,seclog-falco-*,seclog-kubearmor-alerts,seclog-kubearmor-alerts-*,seclog-audit,seclog-audit-*');
    const overview = objects.find((o) => o.type === 'dashboard' && o.id === 'security-overview');
    expect(overview?.references.map((r: any) => r.id)).toEqual([
      'overview-events-over-time', 'overview-by-cluster', 'overview-by-namespace', 'overview-by-pod', 'overview-by-node', 'overview-by-severity',
    ]);
    expect(overview?.references.map((r: any) => lensSummary(lensOf(r.id))[1])).toEqual([
      'terms event.dataset 10 > date_histogram auto',
      ...['orchestrator.cluster.name 10', 'kubernetes.namespace 20', 'kubernetes.pod.name 20', 'host.name 20'].map((f) => `terms ${f} > terms event.dataset 10`),
      'terms event.dataset 10 > terms event.severity 11',
    ]);
  });
});

describe('what the panels show, on the sources\' samples (test/helpers/lens.ts)', () => {
  const stack = new SecurityLoggingChart(Testing.app(), 'stack', {});
  const t = stack.indexTemplates;
  const objects = stack.savedObjects.objects();
  const lensOf = (id: string) => objects.find((o) => o.type === 'lens' && o.id === id);
  const lines = (file: string) => fs.readFileSync(path.join(__dirname, 'fixtures', file), 'utf-8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
  const indexed = (template: IndexTemplate, record: any) => runPipeline(template.pipeline?.toJson() as any,
    { '@timestamp': '2026-07-29T15:00:00.000000000Z', orchestrator_cluster_name: 'prod', ...record, _index: template.name });
  const policies = lines('k8s-audit-events-kubearmor-policies.jsonl').map((e) => indexed(t['seclog-audit'], e));
  const kubeArmor = lines('kubearmor-alerts.jsonl').map((a) => indexed(t['seclog-kubearmor-alerts'], dedotKeys(a)));
  const falcoAlerts = lines('falco-alerts-0.44.jsonl').map((a) => indexed(t['seclog-falco'], dedotKeys(a)));
  const auditEvents = lines('k8s-audit-events.jsonl').map((e) => indexed(t['seclog-audit'], e));

  test('the policies deployed: a policy\'s last change says whether it is there (a delete: gone); status updates, reads and refused or failed requests are not changes', () => {
    expect(lensRows(lensOf('kubearmor-policies-deployed'), policies)).toEqual([
      { group: 'shop', breakdown: 'audit-etc-nginx-access', metric: 2, latest: 'delete' },
      { group: 'shop', breakdown: 'block-pkg-mgmt-tools-exec', metric: 2, latest: 'patch' },
    ]);
    expect(lensRows(lensOf('kubearmor-host-policies-deployed'), policies)).toEqual([
      { group: 'kubearmorclusterpolicy', breakdown: 'csp-audit-tmp-writes', metric: 1, latest: 'create' },
      { group: 'kubearmorhostpolicy', breakdown: 'hsp-block-ptrace', metric: 1, latest: 'create' },
    ]);
    // What no row can show: a deletecollection names no policy, a namespace's deletion takes its policies along.
    expect(lensRows(lensOf('kubearmor-policies-removed-in-bulk'), policies)).toEqual([
      { group: 'kubearmorpolicy', breakdown: '/apis/security.kubearmor.com/v1/namespaces/web/kubearmorpolicies', metric: 1, latest: valuesAt(policies[11], '@timestamp')[0] },
      { group: 'namespace', breakdown: '/api/v1/namespaces/web', metric: 1, latest: valuesAt(policies[12], '@timestamp')[0] },
    ]);
    expect(valuesAt(policies[11], '@timestamp')).toEqual([expect.stringMatching(/^2026-07-29T15:17:00\.12/)]);
  });

  test('alerts per policy in each pod, on the real KubeArmor alerts', () => {
    const rows = lensRows(lensOf('kubearmor-alerts-per-policy-per-pod'), kubeArmor);
    const expected = new Map<string, number>();
    // Host policies' and host alerts have no pod: they are not in a per-pod table.
    for (const a of lines('kubearmor-alerts.jsonl').filter((x) => x.PodName)) expected.set(`${a.PodName}|${a.PolicyName}`, (expected.get(`${a.PodName}|${a.PolicyName}`) ?? 0) + 1);
    expect(new Map(rows.map((r) => [`${r.group}|${r.breakdown}`, r.metric]))).toEqual(expected);
    expect(rows.length).toBeGreaterThan(1);
  });

  test('the overview pivots every source by namespace and by source, on their real samples', () => {
    const all = [...falcoAlerts, ...kubeArmor, ...auditEvents];
    const rows = lensRows(lensOf('overview-by-namespace'), all);
    const datasets = new Set(rows.map((r) => r.breakdown));
    expect([...datasets].sort()).toEqual(['falco.alerts', 'kubearmor.alerts', 'kubernetes.audit_logs']);
    // Each source's events counted under the namespace their own fields name.
    const count = (docs: any[], ns: string) => docs.filter((d) => valuesAt(d, 'kubernetes.namespace').includes(ns)).length;
    for (const row of rows) {
      const docs = row.breakdown === 'falco.alerts' ? falcoAlerts : row.breakdown === 'kubearmor.alerts' ? kubeArmor : auditEvents;
      expect(row.metric).toBe(count(docs, row.group as string));
    }
    const severity = lensRows(lensOf('overview-by-severity'), all);
    expect(new Set(severity.map((r) => r.group))).toEqual(new Set(['falco.alerts', 'kubearmor.alerts']));
  });

  test('every built-in query is in the KQL subset the tests evaluate', () => {
    const queries = objects.filter((o) => o.type === 'lens').map((o) => o.attributes.state.query.query).filter((q) => q !== '');
    expect(queries.length).toBeGreaterThan(10);
    for (const query of queries) expect(() => parseKql(query)).not.toThrow();
  });
});
