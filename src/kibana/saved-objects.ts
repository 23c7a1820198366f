import { validateDnsLabel, validateInstance } from '../common/validation';
import { IndexFieldType, IndexTemplate } from '../elasticsearch/index-template';

/**
 * Migration versions written on each object. Kibana migrates older objects forward
 * on import; these are the versions Kibana 8.x's own sample data ships
 * (`home/server/services/sample_data/data_sets/ecommerce/saved_objects.ts`).
 */
const CORE_MIGRATION_VERSION = '8.8.0';
const TYPE_MIGRATION_VERSIONS: { [type: string]: string } = {
  'index-pattern': '7.11.0',
  'search': '7.9.3',
  'visualization': '8.0.0',
  'dashboard': '8.7.0',
};
/** Field types Elasticsearch can aggregate on. */
const AGGREGATABLE = new Set<IndexFieldType>([
  IndexFieldType.KEYWORD, IndexFieldType.WILDCARD, IndexFieldType.DATE, IndexFieldType.INTEGER, IndexFieldType.DATE_NANOS, IndexFieldType.LONG, IndexFieldType.SHORT,
  IndexFieldType.BYTE, IndexFieldType.BOOLEAN, IndexFieldType.IP,
]);

/** The field names a KQL query names (`field : value`, `not field : value`). */
function kqlFields(query: string | undefined): string[] {
  return [...(query ?? '').matchAll(/([@A-Za-z_][@A-Za-z0-9_.]*)\s*:/g)].map((m) => m[1]);
}

/** A reference from one saved object to another. */
export interface KibanaSavedObjectReference {
  /** The reference's name in the referring object. */
  readonly name: string;
  /** Type of the referenced object. */
  readonly type: string;
  /** Id of the referenced object. */
  readonly id: string;
}

/** One saved object as Kibana imports it (a line of the NDJSON file). */
export interface KibanaSavedObjectJson {
  /** Saved-object type (`index-pattern`, `search`, `visualization`, `dashboard`). */
  readonly type: string;
  /** Id, stable across imports. */
  readonly id: string;
  /** The object's attributes. */
  readonly attributes: { [key: string]: any };
  /** References to other saved objects. */
  readonly references: KibanaSavedObjectReference[];
  /** Kibana version whose core migrations the object has passed. */
  readonly coreMigrationVersion: string;
  /** Migration version of the object's type. */
  readonly typeMigrationVersion: string;
}

function savedObject(type: string, id: string, attributes: { [key: string]: any }, references: KibanaSavedObjectReference[]): KibanaSavedObjectJson {
  return { type, id, attributes, references, coreMigrationVersion: CORE_MIGRATION_VERSION, typeMigrationVersion: TYPE_MIGRATION_VERSIONS[type] };
}

function validateId(what: string, id: string): void {
  if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9-]{0,99}$/.test(id)) {
    throw new Error(`${what} id must be lowercase letters, digits and '-', at most 100, got ${JSON.stringify(id)}`);
  }
}

const searchSource = (query: string, withIndex: boolean) => JSON.stringify({
  query: { query, language: 'kuery' },
  filter: [],
  ...(withIndex ? { indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index' } : {}),
});

/** Props of {@link KibanaDataView}. */
export interface KibanaDataViewProps {
  /** Stable saved-object id. */
  readonly id: string;
  /** Display name. */
  readonly name: string;
  /** The index template whose indices the view reads; its patterns become the view's title. */
  readonly template: IndexTemplate;
  /**
   * The time field.
   * @default '@timestamp'
   */
  readonly timeField?: string;
}

/** A data view (saved object type `index-pattern`) over one source's indices. */
export class KibanaDataView {
  /** Saved-object id. */
  public readonly id: string;
  /** The index template behind the view. */
  public readonly template: IndexTemplate;
  private readonly props: KibanaDataViewProps;

  constructor(props: KibanaDataViewProps) {
    validateId('kibana data view', props.id);
    validateInstance(`kibana data view ${props.id} template`, props.template, IndexTemplate, 'an IndexTemplate, e.g. stack.indexTemplates["seclog-audit"]');
    this.id = props.id;
    this.template = props.template;
    this.props = props;
    const timeField = props.timeField ?? '@timestamp';
    const type = props.template.typeOf(timeField);
    if (type !== IndexFieldType.DATE && type !== IndexFieldType.DATE_NANOS) {
      throw new Error(`kibana data view ${props.id}: time field ${JSON.stringify(timeField)} is not a date in template ${props.template.name}`);
    }
  }

  /** Checks that a field exists and, if `aggregatable`, can be aggregated on. */
  public checkField(where: string, field: string, aggregatable: boolean): void {
    const type = this.template.typeOf(field);
    if (type === undefined) {
      throw new Error(`${where}: field ${JSON.stringify(field)} is not in the mapping of ${this.template.name} (data view ${this.id})`);
    }
    if (aggregatable && !AGGREGATABLE.has(type)) {
      throw new Error(
        `${where}: field ${JSON.stringify(field)} is ${type} in ${this.template.name}, which Kibana cannot aggregate; ` +
        'use a keyword, numeric or date field (copy a value out of a flattened field into one of its own)',
      );
    }
  }

  /** The saved object. */
  public toJson(): KibanaSavedObjectJson {
    return savedObject('index-pattern', this.id, {
      title: this.template.indexPatterns.join(','),
      timeFieldName: this.props.timeField ?? '@timestamp',
      name: this.props.name,
    }, []);
  }
}

/** Props of {@link KibanaSavedSearch}. */
export interface KibanaSavedSearchProps {
  /** Stable saved-object id. */
  readonly id: string;
  /** Title. */
  readonly title: string;
  /** The data view searched. */
  readonly dataView: KibanaDataView;
  /** Columns shown. */
  readonly columns: string[];
  /**
   * KQL query.
   * @default '' (everything)
   */
  readonly query?: string;
}

/** A saved search (Discover) with its columns. */
export class KibanaSavedSearch {
  /** Saved-object id. */
  public readonly id: string;
  private readonly props: KibanaSavedSearchProps;

  constructor(props: KibanaSavedSearchProps) {
    validateId('kibana saved search', props.id);
    validateInstance(`kibana saved search ${props.id} dataView`, props.dataView, KibanaDataView, 'new KibanaDataView({ id, name, template })');
    this.id = props.id;
    this.props = props;
  }

  /** @internal The data view and the fields this panel reads: [field, must aggregate]. */
  public _fields(): { dataView: KibanaDataView; fields: [string, boolean][] } {
    return {
      dataView: this.props.dataView,
      fields: [...this.props.columns, ...kqlFields(this.props.query)].map((c): [string, boolean] => [c, false]),
    };
  }

  /** The saved object. */
  public toJson(): KibanaSavedObjectJson {
    return savedObject('search', this.id, {
      title: this.props.title,
      columns: [...this.props.columns],
      sort: [['@timestamp', 'desc']],
      kibanaSavedObjectMeta: { searchSourceJSON: searchSource(this.props.query ?? '', true) },
    }, [{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: this.props.dataView.id }]);
  }
}

/** Chart kinds of {@link KibanaVisualization}. */
export enum KibanaChartType {
  /** Events over time (date histogram on the time field). */
  AREA_OVER_TIME = 'area',
  /** Share of the top values of a field. */
  PIE = 'pie',
  /** Table of the top values of a field with their counts. */
  TABLE = 'table',
}

/** Props of {@link KibanaVisualization}. */
export interface KibanaVisualizationProps {
  /** Stable saved-object id. */
  readonly id: string;
  /** Title. */
  readonly title: string;
  /** The data view aggregated. */
  readonly dataView: KibanaDataView;
  /** Chart kind. */
  readonly chart: KibanaChartType;
  /**
   * Field whose top values are shown (pie and table); ignored for AREA_OVER_TIME.
   * @default - none
   */
  readonly field?: string;
  /**
   * How many top values.
   * @default 10
   */
  readonly size?: number;
  /**
   * KQL query restricting the events.
   * @default '' (everything)
   */
  readonly query?: string;
  /**
   * Bucket interval of AREA_OVER_TIME (`1m`, `1h`, `auto`).
   * @default 'auto'
   */
  readonly interval?: string;

  /**
   * Count distinct values of this field per bucket instead of counting events
   * (e.g. policies per pod).
   * @default - the event count
   */
  readonly uniqueCountField?: string;
}

/** An aggregation-based visualization (saved object type `visualization`). */
export class KibanaVisualization {
  /** Saved-object id. */
  public readonly id: string;
  private readonly props: KibanaVisualizationProps;

  constructor(props: KibanaVisualizationProps) {
    validateId('kibana visualization', props.id);
    validateInstance(`kibana visualization ${props.id} dataView`, props.dataView, KibanaDataView, 'new KibanaDataView({ id, name, template })');
    const where = `visualization ${props.id}`;
    if (props.chart !== KibanaChartType.AREA_OVER_TIME && props.field === undefined) {
      throw new Error(`${where}: a ${props.chart} chart needs a field`);
    }
    if (props.interval !== undefined && !/^(auto|\d+[smhdwMy])$/.test(props.interval)) {
      throw new Error(`${where}: interval must be auto or a number and a unit such as 1m, got ${JSON.stringify(props.interval)}`);
    }
    const size = props.size ?? 10;
    if (!Number.isInteger(size) || size < 1 || size > 500) throw new Error(`${where}: size must be an integer between 1 and 500, got ${size}`);
    this.id = props.id;
    this.props = props;
  }

  /** @internal The data view and the fields this panel reads: [field, must aggregate]. */
  public _fields(): { dataView: KibanaDataView; fields: [string, boolean][] } {
    const field = this.props.chart === KibanaChartType.AREA_OVER_TIME ? '@timestamp' : this.props.field as string;
    const fields: [string, boolean][] = [[field, true]];
    if (this.props.uniqueCountField !== undefined) fields.push([this.props.uniqueCountField, true]);
    for (const queried of kqlFields(this.props.query)) fields.push([queried, false]);
    return { dataView: this.props.dataView, fields };
  }

  /** The saved object. */
  public toJson(): KibanaSavedObjectJson {
    const p = this.props;
    const count = p.uniqueCountField === undefined
      ? { id: '1', enabled: true, type: 'count', schema: 'metric', params: {} }
      : { id: '1', enabled: true, type: 'cardinality', schema: 'metric', params: { field: p.uniqueCountField } };
    const terms = (schema: string) => ({
      id: '2', enabled: true, type: 'terms', schema,
      params: { field: p.field, size: p.size ?? 10, order: 'desc', orderBy: '1', otherBucket: false, missingBucket: false },
    });
    const visState = p.chart === KibanaChartType.AREA_OVER_TIME
      ? {
        title: p.title, type: 'area',
        params: { type: 'area', addTooltip: true, addLegend: false, legendPosition: 'right' },
        aggs: [count, { id: '2', enabled: true, type: 'date_histogram', schema: 'segment', params: { field: '@timestamp', interval: p.interval ?? 'auto', min_doc_count: 1, extended_bounds: {} } }],
      }
      : p.chart === KibanaChartType.PIE
        ? { title: p.title, type: 'pie', params: { type: 'pie', addTooltip: true, addLegend: true, legendPosition: 'right', isDonut: true }, aggs: [count, terms('segment')] }
        : { title: p.title, type: 'table', params: { perPage: p.size ?? 10, showPartialRows: false, showMetricsAtAllLevels: false }, aggs: [count, terms('bucket')] };
    return savedObject('visualization', this.id, {
      title: p.title,
      visState: JSON.stringify(visState),
      uiStateJSON: '{}',
      description: '',
      version: 1,
      kibanaSavedObjectMeta: { searchSourceJSON: searchSource(p.query ?? '', true) },
    }, [{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: p.dataView.id }]);
  }
}

/** Props of {@link KibanaDashboard}. */
export interface KibanaDashboardProps {
  /** Stable saved-object id. */
  readonly id: string;
  /** Title. */
  readonly title: string;
  /**
   * Description.
   * @default ''
   */
  readonly description?: string;
}

/**
 * A dashboard of saved searches and visualizations, laid out two to a row (a
 * saved search spans the width).
 */
export class KibanaDashboard {
  /** Saved-object id. */
  public readonly id: string;
  private readonly panels: (KibanaVisualization | KibanaSavedSearch)[] = [];
  private readonly props: KibanaDashboardProps;

  constructor(props: KibanaDashboardProps) {
    validateId('kibana dashboard', props.id);
    this.id = props.id;
    this.props = props;
  }

  /** Adds a visualization panel. */
  public addVisualization(visualization: KibanaVisualization): void {
    this.addPanel(visualization);
  }

  /** Adds a saved-search panel (full width). */
  public addSavedSearch(search: KibanaSavedSearch): void {
    this.addPanel(search);
  }

  /** @internal A copy of the panels. */
  public _panels(): (KibanaVisualization | KibanaSavedSearch)[] {
    return [...this.panels];
  }

  /**
   * Checks every field every panel reads against its data view's mapping; a
   * dangling field is an error naming the dashboard, the panel and the field.
   */
  public checkFields(): void {
    for (const panel of this.panels) {
      const { dataView, fields } = panel._fields();
      for (const [field, aggregatable] of fields) {
        dataView.checkField(`kibana dashboard ${this.id} panel ${panel.id}`, field, aggregatable);
      }
    }
  }

  private addPanel(panel: KibanaVisualization | KibanaSavedSearch): void {
    if (this.panels.some((p) => p.id === panel.id)) {
      throw new Error(`kibana dashboard ${this.id}: panel ${panel.id} is added twice`);
    }
    this.panels.push(panel);
  }

  /** The saved object. */
  public toJson(): KibanaSavedObjectJson {
    let x = 0;
    let y = 0;
    const panels = this.panels.map((panel, i) => {
      const wide = panel instanceof KibanaSavedSearch;
      if (wide && x !== 0) { x = 0; y += 15; }
      const w = wide ? 48 : 24;
      const h = 15;
      const index = String(i + 1);
      const json = {
        version: '8.7.0',
        type: wide ? 'search' : 'visualization',
        gridData: { x, y, w, h, i: index },
        panelIndex: index,
        embeddableConfig: { enhancements: {} },
        panelRefName: `panel_${index}`,
      };
      x += w;
      if (x >= 48) { x = 0; y += h; }
      return json;
    });
    return savedObject('dashboard', this.id, {
      title: this.props.title,
      description: this.props.description ?? '',
      version: 1,
      timeRestore: false,
      optionsJSON: JSON.stringify({ useMargins: true, syncColors: false, hidePanelTitles: false }),
      panelsJSON: JSON.stringify(panels),
      kibanaSavedObjectMeta: { searchSourceJSON: searchSource('', false) },
    }, this.panels.map((panel, i) => ({
      name: `${i + 1}:panel_${i + 1}`,
      type: panel instanceof KibanaSavedSearch ? 'search' : 'visualization',
      id: panel.id,
    })));
  }
}

/**
 * A set of saved objects rendered as the NDJSON that
 * `POST /api/saved_objects/_import?overwrite=true` reads: data views first, then
 * searches and visualizations, then dashboards, each id unique and every reference
 * resolving within the set.
 * @see https://www.elastic.co/guide/en/kibana/8.19/saved-objects-api-import.html
 */
export class KibanaSavedObjects {
  private readonly dataViews: KibanaDataView[] = [];
  private readonly dashboards: KibanaDashboard[] = [];
  private readonly searches: KibanaSavedSearch[] = [];

  /** Adds a data view. */
  public addDataView(dataView: KibanaDataView): void {
    this.dataViews.push(dataView);
  }

  /** Adds a saved search that is on no dashboard. */
  public addSavedSearch(search: KibanaSavedSearch): void {
    this.searches.push(search);
  }

  /** Adds a dashboard (its panels come along; add their data views too). */
  public addDashboard(dashboard: KibanaDashboard): void {
    this.dashboards.push(dashboard);
  }

  /**
   * Every object, in import order. Throws on a field no mapping has, a repeated id
   * or an unresolved reference.
   */
  public objects(): KibanaSavedObjectJson[] {
    for (const dashboard of this.dashboards) dashboard.checkFields();
    for (const search of this.searches) {
      const { dataView, fields } = search._fields();
      for (const [field] of fields) dataView.checkField(`kibana saved search ${search.id}`, field, false);
    }
    const panels = [...this.dashboards.flatMap((d) => d._panels()), ...this.searches];
    const objects = [
      ...this.dataViews.map((v) => v.toJson()),
      ...uniqueById(panels).map((p) => p.toJson()),
      ...this.dashboards.map((d) => d.toJson()),
    ];
    const ids = new Set<string>();
    for (const object of objects) {
      const key = `${object.type}:${object.id}`;
      if (ids.has(key)) throw new Error(`kibana saved object ${key} is defined twice`);
      ids.add(key);
    }
    for (const object of objects) {
      for (const ref of object.references) {
        if (!ids.has(`${ref.type}:${ref.id}`)) {
          throw new Error(`kibana saved object ${object.type}:${object.id} references ${ref.type}:${ref.id}, which is not in the set; add it`);
        }
      }
    }
    return objects;
  }

  /** The NDJSON file: one object per line. */
  public renderNdjson(): string {
    return this.objects().map((o) => JSON.stringify(o)).join('\n') + '\n';
  }
}

/** Panels shared by several dashboards are exported once. */
function uniqueById<T extends { id: string }>(items: T[]): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(item.id)) seen.set(item.id, item);
  return [...seen.values()];
}

/**
 * The Falco dashboard of the source document: a saved search of the alerts, alerts
 * over time (per minute), the top 10 rules and the priorities as pies, and tables
 * of the top 20 rules, the alerts by node and by pod; and Falco's health: its own
 * alerts (`falco.source` `internal`: dropped system calls, which leave blind spots, and
 * metrics snapshots) by node and rule, and their saved search.
 */
export function falcoDashboard(dataView: KibanaDataView): KibanaDashboard {
  // Falco's own alerts (source "internal") are not about the workloads: they have
  // panels of their own below.
  const alerts = 'not falco.source : "internal"';
  const health = 'falco.source : "internal"';
  const dashboard = new KibanaDashboard({ id: 'falco-dashboard', title: 'Falco', description: 'Falco runtime security alerts' });
  const vis = (id: string, title: string, chart: KibanaChartType, field?: string, size?: number, interval?: string) =>
    dashboard.addVisualization(new KibanaVisualization({ id, title, dataView, chart, field, size, interval, query: alerts }));
  vis('falco-alerts-over-time', 'Falco alerts over time', KibanaChartType.AREA_OVER_TIME, undefined, undefined, '1m');
  vis('falco-top-rules-pie', 'Falco top 10 rules', KibanaChartType.PIE, 'rule.name', 10);
  vis('falco-priorities-pie', 'Falco alerts by priority', KibanaChartType.PIE, 'falco.priority', 8);
  vis('falco-top-rules-table', 'Falco top 20 rules', KibanaChartType.TABLE, 'rule.name', 20);
  vis('falco-alerts-by-node', 'Falco alerts by node', KibanaChartType.TABLE, 'host.name', 20);
  vis('falco-alerts-by-pod', 'Falco alerts by pod', KibanaChartType.TABLE, 'kubernetes.pod.name', 20);
  dashboard.addSavedSearch(new KibanaSavedSearch({
    id: 'falco-alerts', title: 'Falco Alerts', dataView, query: alerts,
    columns: ['falco.priority', 'rule.name', 'host.name', 'kubernetes.pod.name', 'falco.output'],
  }));
  dashboard.addVisualization(new KibanaVisualization({
    id: 'falco-health-by-node', title: 'Falco health: its own alerts (dropped system calls) by node', dataView,
    chart: KibanaChartType.TABLE, field: 'host.name', size: 20, query: health,
  }));
  dashboard.addVisualization(new KibanaVisualization({
    id: 'falco-health-by-rule', title: 'Falco health: its own alerts by kind', dataView, chart: KibanaChartType.PIE, field: 'rule.name', size: 10, query: health,
  }));
  dashboard.addSavedSearch(new KibanaSavedSearch({
    id: 'falco-health', title: 'Falco health', dataView, query: health, columns: ['host.name', 'rule.name', 'falco.output'],
  }));
  return dashboard;
}

/**
 * The KubeArmor dashboard: the policies seen per pod, and alerts per policy, by
 * severity, by type (MatchedPolicy, MatchedHostPolicy, ...), by operation
 * (Process, File, Network, Capabilities) and by action (Allow, Audit, Block).
 */
export function kubeArmorDashboard(alerts: KibanaDataView): KibanaDashboard {
  const dashboard = new KibanaDashboard({ id: 'kubearmor-dashboard', title: 'KubeArmor', description: 'KubeArmor policy alerts' });
  const table = (id: string, title: string, field: string, uniqueCountField?: string) =>
    dashboard.addVisualization(new KibanaVisualization({ id, title, dataView: alerts, chart: KibanaChartType.TABLE, field, size: 20, uniqueCountField }));
  const pie = (id: string, title: string, field: string) =>
    dashboard.addVisualization(new KibanaVisualization({ id, title, dataView: alerts, chart: KibanaChartType.PIE, field, size: 10 }));
  table('kubearmor-policies-per-pod', 'KubeArmor policies per pod', 'kubernetes.pod.name', 'rule.name');
  table('kubearmor-alerts-per-policy', 'KubeArmor alerts per policy', 'rule.name');
  pie('kubearmor-alerts-by-severity', 'KubeArmor alerts by severity', 'event.severity');
  pie('kubearmor-alerts-by-type', 'KubeArmor alerts by type', 'kubearmor.Type');
  pie('kubearmor-alerts-by-operation', 'KubeArmor alerts by operation', 'kubearmor.Operation');
  pie('kubearmor-alerts-by-action', 'KubeArmor alerts by action', 'event.action');
  return dashboard;
}

/**
 * The Kubernetes audit dashboard: events over time, by user, verb, namespace,
 * resource and response code, and who read or changed secrets.
 */
export function auditDashboard(events: KibanaDataView): KibanaDashboard {
  const dashboard = new KibanaDashboard({ id: 'audit-dashboard', title: 'Kubernetes audit', description: 'Kubernetes API server audit events' });
  dashboard.addVisualization(new KibanaVisualization({ id: 'audit-events-over-time', title: 'Audit events over time', dataView: events, chart: KibanaChartType.AREA_OVER_TIME }));
  const table = (id: string, title: string, field: string) =>
    dashboard.addVisualization(new KibanaVisualization({ id, title, dataView: events, chart: KibanaChartType.TABLE, field, size: 20 }));
  table('audit-events-by-user', 'Audit events by user', 'user.name');
  table('audit-events-by-verb', 'Audit events by verb', 'event.action');
  table('audit-events-by-namespace', 'Audit events by namespace', 'orchestrator.namespace');
  table('audit-events-by-resource', 'Audit events by resource', 'orchestrator.resource.type');
  table('audit-events-by-response-code', 'Audit events by response code', 'kubernetes.audit.responseStatus.code');
  dashboard.addSavedSearch(new KibanaSavedSearch({
    id: 'audit-secrets-access', title: 'Who read or changed secrets', dataView: events,
    query: 'orchestrator.resource.type : "secret"',
    columns: ['user.name', 'event.action', 'orchestrator.namespace', 'orchestrator.resource.name', 'kubernetes.audit.responseStatus.code', 'source.ip'],
  }));
  return dashboard;
}

/**
 * The node journal dashboard: logins (sshd) over time, by outcome, user, source address
 * and node, the sudo commands by user, and a saved search of failed logins and sudo
 * errors.
 */
export function nodeJournalDashboard(entries: KibanaDataView): KibanaDashboard {
  const logins = 'event.action : "ssh_login"';
  const dashboard = new KibanaDashboard({ id: 'node-journal-dashboard', title: 'Node logins and sudo', description: 'sshd logins and sudo commands from the nodes\' journals' });
  const vis = (id: string, title: string, chart: KibanaChartType, query: string, field?: string) =>
    dashboard.addVisualization(new KibanaVisualization({ id, title, dataView: entries, chart, field, size: 20, query }));
  vis('node-logins-over-time', 'Node logins over time', KibanaChartType.AREA_OVER_TIME, logins);
  vis('node-logins-by-outcome', 'Node logins by outcome', KibanaChartType.PIE, logins, 'event.outcome');
  vis('node-logins-by-user', 'Node logins by user', KibanaChartType.TABLE, logins, 'user.name');
  vis('node-logins-by-source', 'Node logins by source address', KibanaChartType.TABLE, logins, 'source.ip');
  vis('node-logins-by-node', 'Node logins by node', KibanaChartType.TABLE, logins, 'host.name');
  vis('node-sudo-by-user', 'sudo commands by user', KibanaChartType.TABLE, 'event.action : "sudo"', 'user.name');
  dashboard.addSavedSearch(new KibanaSavedSearch({
    id: 'node-auth-failures', title: 'Failed node logins and sudo', dataView: entries,
    query: 'event.outcome : "failure"',
    columns: ['host.name', 'process.name', 'user.name', 'source.ip', 'message'],
  }));
  return dashboard;
}

/** Saved searches of container logs: all of them, and one per namespace given. */
export function containerLogSearches(logs: KibanaDataView, namespaces: string[]): KibanaSavedSearch[] {
  const columns = ['kubernetes.namespace', 'kubernetes.pod.name', 'kubernetes.container.name', 'stream', 'message'];
  return [
    new KibanaSavedSearch({ id: 'container-logs', title: 'Container logs', dataView: logs, columns }),
    ...namespaces.map((namespace, i) => {
      validateDnsLabel(`container log search namespaces[${i}]`, namespace);
      return new KibanaSavedSearch({
        id: `container-logs-${namespace}`, title: `Container logs: ${namespace}`, dataView: logs,
        query: `kubernetes.namespace : "${namespace}"`, columns,
      });
    }),
  ];
}

/** The index templates the built-in saved objects read. */
export interface BuiltInSavedObjectsProps {
  /** Container logs. */
  readonly containers: IndexTemplate;
  /**
   * Falco alerts.
   * @default - no Falco dashboard
   */
  readonly falco?: IndexTemplate;
  /**
   * KubeArmor alerts.
   * @default - no KubeArmor dashboard
   */
  readonly kubeArmorAlerts?: IndexTemplate;
  /**
   * Kubernetes audit events.
   * @default - no audit dashboard
   */
  readonly audit?: IndexTemplate;
  /**
   * Node journal entries.
   * @default - no node journal dashboard
   */
  readonly journal?: IndexTemplate;
  /**
   * Namespaces that get a saved search of their container logs.
   * @default ['kube-system']
   */
  readonly namespaces?: string[];
}

/**
 * The built-in data views, dashboards (Falco, KubeArmor, Kubernetes audit, node journal) and
 * container-log searches, as one importable set.
 */
export function builtInSavedObjects(props: BuiltInSavedObjectsProps): KibanaSavedObjects {
  const example = 'an IndexTemplate, e.g. stack.indexTemplates["seclog-falco"]';
  validateInstance('built-in saved objects containers', props?.containers, IndexTemplate, example);
  for (const key of ['falco', 'kubeArmorAlerts', 'audit', 'journal'] as const) {
    if (props[key] !== undefined) validateInstance(`built-in saved objects ${key}`, props[key], IndexTemplate, example);
  }
  const set = new KibanaSavedObjects();
  const view = (id: string, name: string, template: IndexTemplate) => {
    const v = new KibanaDataView({ id, name, template });
    set.addDataView(v);
    return v;
  };
  const containers = view('container-logs', 'Container logs', props.containers);
  if (props.falco) set.addDashboard(falcoDashboard(view('falco-alerts', 'Falco alerts', props.falco)));
  if (props.kubeArmorAlerts) set.addDashboard(kubeArmorDashboard(view('kubearmor-alerts', 'KubeArmor alerts', props.kubeArmorAlerts)));
  if (props.audit) set.addDashboard(auditDashboard(view('audit-events', 'Kubernetes audit events', props.audit)));
  if (props.journal) set.addDashboard(nodeJournalDashboard(view('node-journal', 'Node journal', props.journal)));
  for (const search of containerLogSearches(containers, props.namespaces ?? ['kube-system'])) set.addSavedSearch(search);
  return set;
}

/**
 * The built-in dashboards and searches, as a class so that Python, Java and Go can
 * call them too.
 */
// Static methods only: jsii publishes no free functions to Python, Java and Go.
// eslint-disable-next-line @typescript-eslint/no-extraneous-class
export class BuiltInSavedObjects {
  /** Every built-in data view, dashboard and search, as one importable set. */
  public static of(props: BuiltInSavedObjectsProps): KibanaSavedObjects {
    return builtInSavedObjects(props);
  }

  /** The Falco dashboard, with Falco's health (its own alerts). */
  public static falcoDashboard(dataView: KibanaDataView): KibanaDashboard {
    return falcoDashboard(dataView);
  }

  /** The KubeArmor dashboard. */
  public static kubeArmorDashboard(alerts: KibanaDataView): KibanaDashboard {
    return kubeArmorDashboard(alerts);
  }

  /** The Kubernetes audit dashboard. */
  public static auditDashboard(events: KibanaDataView): KibanaDashboard {
    return auditDashboard(events);
  }

  /** The node journal dashboard (logins and sudo). */
  public static nodeJournalDashboard(entries: KibanaDataView): KibanaDashboard {
    return nodeJournalDashboard(entries);
  }

  /** Saved searches of container logs: all of them, and one per namespace. */
  public static containerLogSearches(logs: KibanaDataView, namespaces: string[]): KibanaSavedSearch[] {
    return containerLogSearches(logs, namespaces);
  }

  private constructor() {}
}
