import { validateInstance, validateInstances } from '../common/validation';
import { IndexFieldType, IndexTemplate } from '../elasticsearch/index-template';

/**
 * Migration versions written on each object. Kibana migrates an object forward from its
 * version on import, so each is the version of the shape we write: data views, searches
 * and dashboards as Kibana 8.x's sample data ships them
 * (`src/platform/plugins/shared/home/server/services/sample_data/data_sets/flights/saved_objects.ts`,
 * elastic/kibana@8137d1cd), Lens at its last migration, 8.9.0 (an older stamp would run
 * the 8.6.0 migration that moves `indexpattern` state to `formBased` and wipe ours;
 * `x-pack/platform/plugins/shared/lens/server/migrations/saved_object_migrations.ts`,
 * elastic/kibana@3ab0fa13).
 */
const CORE_MIGRATION_VERSION = '8.8.0';
const TYPE_MIGRATION_VERSIONS: { [type: string]: string } = {
  'index-pattern': '7.11.0',
  'search': '7.9.3',
  'lens': '8.9.0',
  'dashboard': '8.7.0',
};
/** Field types Elasticsearch can aggregate on. */
const AGGREGATABLE = new Set<IndexFieldType>([
  IndexFieldType.KEYWORD, IndexFieldType.CONSTANT_KEYWORD, IndexFieldType.WILDCARD, IndexFieldType.DATE, IndexFieldType.INTEGER, IndexFieldType.DATE_NANOS, IndexFieldType.LONG, IndexFieldType.SHORT,
  IndexFieldType.BYTE, IndexFieldType.BOOLEAN, IndexFieldType.IP,
]);

/** The field names a KQL query names (`field : value`, `not field : value`, `field >= n`). */
function kqlFields(query: string | undefined): string[] {
  // Quoted values out first: "system:anonymous" names no field.
  const unquoted = (query ?? '').replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...unquoted.matchAll(/([@A-Za-z_][@A-Za-z0-9_./]*)\s*(?::|>=|<=|>|<)/g)].map((m) => m[1]);
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
   * More templates whose indices the same view reads (one view across sources, as the
   * security overview's): a field may be missing from some of them, but where two map
   * it they must agree on its type (Kibana shows a conflict and cannot aggregate it).
   * @default - the one template
   */
  readonly additionalTemplates?: IndexTemplate[];
  /**
   * The time field.
   * @default '@timestamp'
   */
  readonly timeField?: string;
}

/** Lens's data type of a mapped field. */
const LENS_DATA_TYPES: { [type: string]: string } = {
  [IndexFieldType.KEYWORD]: 'string', [IndexFieldType.WILDCARD]: 'string', [IndexFieldType.CONSTANT_KEYWORD]: 'string',
  [IndexFieldType.LONG]: 'number', [IndexFieldType.INTEGER]: 'number', [IndexFieldType.SHORT]: 'number', [IndexFieldType.BYTE]: 'number',
  [IndexFieldType.DATE]: 'date', [IndexFieldType.DATE_NANOS]: 'date', [IndexFieldType.BOOLEAN]: 'boolean', [IndexFieldType.IP]: 'ip',
};

/** A data view (saved object type `index-pattern`) over one or more sources' indices. */
export class KibanaDataView {
  /** Saved-object id. */
  public readonly id: string;
  /** The (first) index template behind the view. */
  public readonly template: IndexTemplate;
  /** The time field. */
  public readonly timeField: string;
  private readonly allTemplates: IndexTemplate[];
  private readonly props: KibanaDataViewProps;

  constructor(props: KibanaDataViewProps) {
    validateId('kibana data view', props?.id);
    const example = 'an IndexTemplate, e.g. stack.indexTemplates["seclog-audit"]';
    validateInstance(`kibana data view ${props.id} template`, props.template, IndexTemplate, example);
    if (props.additionalTemplates !== undefined) validateInstances(`kibana data view ${props.id} additionalTemplates`, props.additionalTemplates, IndexTemplate, example);
    this.id = props.id;
    this.template = props.template;
    this.allTemplates = [props.template, ...props.additionalTemplates ?? []];
    const names = this.allTemplates.map((t) => t.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) throw new Error(`kibana data view ${props.id}: template ${twice} is given twice`);
    this.props = props;
    this.timeField = props.timeField ?? '@timestamp';
    const timeTypes = this.allTemplates.map((t) => t.typeOf(this.timeField));
    const notDate = timeTypes.findIndex((type) => type !== IndexFieldType.DATE && type !== IndexFieldType.DATE_NANOS);
    if (notDate >= 0) {
      throw new Error(`kibana data view ${props.id}: time field ${JSON.stringify(this.timeField)} is not a date in template ${this.allTemplates[notDate].name}`);
    }
  }

  /** Every index template behind the view; a copy. */
  public get templates(): IndexTemplate[] {
    return [...this.allTemplates];
  }

  /**
   * The type of a field in the view, checked: it must be mapped in one of its templates,
   * as one Kibana type wherever it is mapped (`long` and `integer` are both a number,
   * `keyword` and `wildcard` a string, as Kibana reads them; a `keyword` and a `long` are
   * a conflict), and, if `aggregatable`, aggregatable in every template that maps it.
   */
  public checkField(where: string, field: string, aggregatable: boolean): IndexFieldType {
    const mapped = this.allTemplates.map((t): [IndexTemplate, IndexFieldType | undefined] => [t, t.typeOf(field)]).filter(([, type]) => type !== undefined);
    const names = this.allTemplates.map((t) => t.name).join(', ');
    if (mapped.length === 0) {
      throw new Error(`${where}: field ${JSON.stringify(field)} is not in the mapping of ${names} (data view ${this.id})`);
    }
    const kibanaType = (type: IndexFieldType) => LENS_DATA_TYPES[type] ?? (type === IndexFieldType.TEXT || type === IndexFieldType.MATCH_ONLY_TEXT ? 'string' : type);
    if (new Set(mapped.map(([, type]) => kibanaType(type as IndexFieldType))).size > 1) {
      throw new Error(
        `${where}: field ${JSON.stringify(field)} has conflicting types in data view ${this.id} ` +
        `(${mapped.map(([t, type]) => `${type} in ${t.name}`).join(', ')}): Kibana cannot aggregate or filter it reliably; map it alike`,
      );
    }
    const notAggregatable = mapped.find(([, type]) => !AGGREGATABLE.has(type as IndexFieldType));
    if (aggregatable && notAggregatable !== undefined) {
      throw new Error(
        `${where}: field ${JSON.stringify(field)} is ${notAggregatable[1]} in ${notAggregatable[0].name}, which Kibana cannot aggregate; ` +
        'use a keyword, numeric or date field (copy a value out of a flattened field into one of its own)',
      );
    }
    return mapped[0][1] as IndexFieldType;
  }

  /** The saved object. */
  public toJson(): KibanaSavedObjectJson {
    return savedObject('index-pattern', this.id, {
      title: [...new Set(this.allTemplates.flatMap((t) => t.indexPatterns))].join(','),
      timeFieldName: this.timeField,
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

/** Chart kinds of {@link KibanaVisualization}, each a Lens visualization type. */
export enum KibanaChartType {
  /** Events over time, an area (`lnsXY`, date histogram on the time field); `field` splits it into series. */
  AREA_OVER_TIME = 'area',
  /** Events over time, stacked bars (`lnsXY`); `field` splits it into series. */
  BAR_OVER_TIME = 'bar_stacked',
  /** Share of the top values of a field, a donut (`lnsPie`); `breakdownField` adds an outer ring. */
  PIE = 'pie',
  /** Table of the top values of a field with their counts (`lnsDatatable`); `breakdownField` adds a second row column. */
  TABLE = 'table',
  /** One number: the count of events, or of distinct values (`lnsMetric`). */
  METRIC = 'metric',
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
   * Field whose top values are shown: the slices (PIE), the rows (TABLE), or the series
   * over time (AREA_OVER_TIME, BAR_OVER_TIME). A METRIC has none.
   * @default - none: required for PIE and TABLE; one series over time
   */
  readonly field?: string;
  /**
   * How many top values of `field`.
   * @default 10
   */
  readonly size?: number;
  /**
   * A second field, whose top values split each of `field`'s (PIE and TABLE): a table of
   * alerts per policy in each pod is `field: 'kubernetes.pod.name'`, `breakdownField: 'rule.name'`.
   * @default - none
   */
  readonly breakdownField?: string;
  /**
   * How many top values of `breakdownField` within each value of `field`.
   * @default 10
   */
  readonly breakdownSize?: number;
  /**
   * A TABLE column with the latest value of this field in each row (Lens `last_value`,
   * by the data view's time field): the last verb on a policy says whether it is still there.
   * @default - none
   */
  readonly latestValueField?: string;
  /**
   * KQL query restricting the events.
   * @default '' (everything)
   */
  readonly query?: string;
  /**
   * Bucket interval over time (`1m`, `1h`, `auto`).
   * @default 'auto'
   */
  readonly interval?: string;

  /**
   * Count distinct values of this field instead of counting events (e.g. policies per pod).
   * @default - the event count
   */
  readonly uniqueCountField?: string;
}

/** A Lens column of the form-based datasource, as Kibana's sample data writes them. */
type LensColumn = { [key: string]: any };

const LAYER_ID = 'layer1';

/**
 * A visualization as a Lens saved object (`type: lens`): one form-based layer over its
 * data view, its columns and the visualization state of its type, in the shapes of
 * Kibana's sample data (`.../sample_data/data_sets/flights/saved_objects.ts`, elastic/kibana@8137d1cd:
 * the XY, pie, datatable and metric panels; the standalone object and its references as
 * `logs_tsdb/saved_objects.ts`, elastic/kibana@1a7bf6ce, and the exported fixture
 * `x-pack/test/functional/fixtures/kbn_archiver/lens/legend_statistics.json`,
 * elastic/kibana@70b27222). Kibana plans to remove the aggregation-based editors
 * (elastic/kibana#198136), so no built-in object is a legacy `visualization`.
 */
export class KibanaVisualization {
  /** Saved-object id. */
  public readonly id: string;
  /** Chart kind. */
  public readonly chart: KibanaChartType;
  private readonly props: KibanaVisualizationProps;

  constructor(props: KibanaVisualizationProps) {
    validateId('kibana visualization', props?.id);
    validateInstance(`kibana visualization ${props.id} dataView`, props.dataView, KibanaDataView, 'new KibanaDataView({ id, name, template })');
    const where = `kibana visualization ${props.id}`;
    const charts = Object.values(KibanaChartType);
    if (!charts.includes(props.chart)) throw new Error(`${where} chart must be one of ${charts.join(', ')}, got ${JSON.stringify(props.chart)}`);
    const overTime = props.chart === KibanaChartType.AREA_OVER_TIME || props.chart === KibanaChartType.BAR_OVER_TIME;
    for (const key of ['field', 'breakdownField', 'latestValueField', 'uniqueCountField', 'query', 'interval', 'title'] as const) {
      if (props[key] !== undefined && typeof props[key] !== 'string') throw new Error(`${where} ${key} must be a string, got ${JSON.stringify(props[key])}`);
    }
    if ((props.chart === KibanaChartType.PIE || props.chart === KibanaChartType.TABLE) && props.field === undefined) {
      throw new Error(`${where}: a ${props.chart} chart needs a field (whose top values it shows)`);
    }
    if (props.chart === KibanaChartType.METRIC && props.field !== undefined) {
      throw new Error(`${where}: a metric shows one number, so field ${JSON.stringify(props.field)} has no place; use a TABLE for top values`);
    }
    if (props.breakdownField !== undefined && props.chart !== KibanaChartType.PIE && props.chart !== KibanaChartType.TABLE) {
      throw new Error(`${where}: breakdownField is for PIE and TABLE charts; over time, field splits the series`);
    }
    if (props.breakdownSize !== undefined && props.breakdownField === undefined) throw new Error(`${where}: breakdownSize needs a breakdownField`);
    if (props.size !== undefined && props.field === undefined) throw new Error(`${where}: size is the number of top values of field, and there is no field`);
    if (props.latestValueField !== undefined && props.chart !== KibanaChartType.TABLE) throw new Error(`${where}: latestValueField is a TABLE column, got a ${props.chart} chart`);
    if (props.interval !== undefined && !overTime) throw new Error(`${where}: interval is for charts over time, got a ${props.chart} chart`);
    if (props.interval !== undefined && !/^(auto|\d+[smhdwMy])$/.test(props.interval)) {
      throw new Error(`${where}: interval must be auto or a number and a unit such as 1m, got ${JSON.stringify(props.interval)}`);
    }
    for (const key of ['size', 'breakdownSize'] as const) {
      const size = props[key] ?? 10;
      if (!Number.isInteger(size) || size < 1 || size > 500) throw new Error(`${where}: ${key} must be an integer between 1 and 500, got ${JSON.stringify(size)}`);
    }
    this.id = props.id;
    this.chart = props.chart;
    this.props = props;
  }

  /** @internal The data view and the fields this panel reads: [field, must aggregate]. */
  public _fields(): { dataView: KibanaDataView; fields: [string, boolean][] } {
    const p = this.props;
    const aggregated = [this.isOverTime() ? p.dataView.timeField : undefined, p.field, p.breakdownField, p.uniqueCountField, p.latestValueField];
    const fields: [string, boolean][] = aggregated.filter((f): f is string => f !== undefined).map((f) => [f, true]);
    for (const queried of kqlFields(p.query)) fields.push([queried, false]);
    return { dataView: p.dataView, fields };
  }

  private isOverTime(): boolean {
    return this.chart === KibanaChartType.AREA_OVER_TIME || this.chart === KibanaChartType.BAR_OVER_TIME;
  }

  /** The saved object. */
  public toJson(): KibanaSavedObjectJson {
    const p = this.props;
    const view = p.dataView;
    const type = (field: string) => LENS_DATA_TYPES[view.checkField(`kibana visualization ${this.id}`, field, true)];
    const metric: LensColumn = p.uniqueCountField === undefined
      ? { label: 'Count of records', dataType: 'number', operationType: 'count', isBucketed: false, scale: 'ratio', sourceField: '___records___', params: { emptyAsNull: true } }
      : {
        label: `Unique count of ${p.uniqueCountField}`, dataType: 'number', operationType: 'unique_count', isBucketed: false, scale: 'ratio',
        sourceField: p.uniqueCountField, params: { emptyAsNull: true },
      };
    const terms = (field: string, size: number): LensColumn => ({
      label: `Top ${size} values of ${field}`, dataType: type(field), operationType: 'terms', scale: 'ordinal', sourceField: field, isBucketed: true,
      params: {
        size, orderBy: { type: 'column', columnId: 'metric' }, orderDirection: 'desc', otherBucket: false, missingBucket: false,
        parentFormat: { id: 'terms' }, include: [], exclude: [], includeIsRegex: false, excludeIsRegex: false,
      },
    });
    const columns: { [id: string]: LensColumn } = {};
    if (p.field !== undefined) columns.group = terms(p.field, p.size ?? 10);
    if (p.breakdownField !== undefined) columns.breakdown = terms(p.breakdownField, p.breakdownSize ?? 10);
    if (this.isOverTime()) {
      columns.time = {
        label: view.timeField, dataType: 'date', operationType: 'date_histogram', sourceField: view.timeField, isBucketed: true, scale: 'interval',
        params: { interval: p.interval ?? 'auto', includeEmptyRows: true, dropPartials: false },
      };
    }
    columns.metric = metric;
    if (p.latestValueField !== undefined) {
      // Lens's last_value column as its editor builds it (last_value.tsx buildColumn, elastic/kibana@1a146850).
      const dataType = type(p.latestValueField);
      columns.latest = {
        label: `Last value of ${p.latestValueField}`, dataType, operationType: 'last_value', isBucketed: false,
        scale: dataType === 'string' || dataType === 'ip' ? 'ordinal' : 'ratio', sourceField: p.latestValueField,
        filter: { query: `${p.latestValueField}: *`, language: 'kuery' }, params: { sortField: view.timeField, showArrayValues: false },
      };
    }
    const columnOrder = Object.keys(columns);
    const [visualizationType, visualization] = this.visualization(columnOrder);
    return savedObject('lens', this.id, {
      title: p.title,
      description: '',
      visualizationType,
      state: {
        datasourceStates: { formBased: { layers: { [LAYER_ID]: { columns, columnOrder, incompleteColumns: {} } } } },
        visualization,
        query: { query: p.query ?? '', language: 'kuery' },
        filters: [],
        internalReferences: [],
        adHocDataViews: {},
      },
    }, [
      { type: 'index-pattern', id: view.id, name: 'indexpattern-datasource-current-indexpattern' },
      { type: 'index-pattern', id: view.id, name: `indexpattern-datasource-layer-${LAYER_ID}` },
    ]);
  }

  /** The Lens visualization type and state of the chart, over the layer's columns. */
  private visualization(columnOrder: string[]): [string, { [key: string]: any }] {
    const has = (id: string) => columnOrder.includes(id);
    switch (this.chart) {
      case KibanaChartType.AREA_OVER_TIME:
      case KibanaChartType.BAR_OVER_TIME:
        return ['lnsXY', {
          legend: { isVisible: has('group'), position: 'right' },
          valueLabels: 'hide',
          fittingFunction: 'None',
          axisTitlesVisibilitySettings: { x: false, yLeft: false, yRight: true },
          tickLabelsVisibilitySettings: { x: true, yLeft: true, yRight: true },
          gridlinesVisibilitySettings: { x: true, yLeft: true, yRight: true },
          preferredSeriesType: this.chart,
          layers: [{
            layerId: LAYER_ID, accessors: ['metric'], position: 'top', seriesType: this.chart, showGridlines: false, xAccessor: 'time',
            ...(has('group') ? { splitAccessor: 'group' } : {}), layerType: 'data',
          }],
        }];
      case KibanaChartType.PIE:
        return ['lnsPie', {
          shape: 'donut',
          layers: [{
            layerId: LAYER_ID, primaryGroups: columnOrder.filter((id) => id === 'group' || id === 'breakdown'), metrics: ['metric'],
            numberDisplay: 'percent', categoryDisplay: 'default', legendDisplay: 'default', nestedLegend: false, layerType: 'data',
          }],
        }];
      case KibanaChartType.TABLE:
        return ['lnsDatatable', { columns: columnOrder.map((columnId) => ({ columnId, isTransposed: false })), layerId: LAYER_ID, layerType: 'data' }];
      default:
        return ['lnsMetric', { layerId: LAYER_ID, layerType: 'data', metricAccessor: 'metric' }];
    }
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
 * A dashboard of saved searches and Lens visualizations, by reference, laid out two to
 * a row (a saved search spans the width).
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
      // A by-reference panel as the logs_tsdb sample dashboard's (elastic/kibana@1a7bf6ce).
      const json = {
        version: '8.8.0',
        type: wide ? 'search' : 'lens',
        gridData: { x, y, w, h, i: index },
        panelIndex: index,
        embeddableConfig: { hidePanelTitles: false, enhancements: {} },
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
      type: panel instanceof KibanaSavedSearch ? 'search' : 'lens',
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

