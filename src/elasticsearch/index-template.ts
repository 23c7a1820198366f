import { Duration, Size } from 'cdk8s';
import { validateInstance, validateInteger, validateSize } from '../common/validation';
import { IngestPipeline } from './ingest-pipeline';

/**
 * Elasticsearch field types the library maps explicitly.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/mapping-types.html
 */
export enum IndexFieldType {
  /** Exact values: names, rules, actions, IDs (aggregatable). */
  KEYWORD = 'keyword',
  /** One value for every document of an index (ECS `data_stream.*`). */
  CONSTANT_KEYWORD = 'constant_keyword',
  /** Full-text searchable text, with a `keyword` sub-field for aggregations. */
  TEXT = 'text',
  /** Keyword for grep-like (wildcard, regexp) search of long values such as command lines (ECS `process.command_line`). */
  WILDCARD = 'wildcard',
  /** Full-text searchable text without scoring or positions (log lines). */
  MATCH_ONLY_TEXT = 'match_only_text',
  /** Timestamp with millisecond precision. */
  DATE = 'date',
  /** Timestamp with nanosecond precision. */
  DATE_NANOS = 'date_nanos',
  /** 64-bit integer. */
  LONG = 'long',
  /** 32-bit integer. */
  INTEGER = 'integer',
  /** 16-bit integer (status codes). */
  SHORT = 'short',
  /** 8-bit integer (severities). */
  BYTE = 'byte',
  /** true / false. */
  BOOLEAN = 'boolean',
  /** IPv4 or IPv6 address. */
  IP = 'ip',
  /**
   * A whole object as one field: every leaf is indexed as a keyword under its dotted
   * path, whatever its name or type, so free-form objects never clash or explode the mapping.
   */
  FLATTENED = 'flattened',
  /**
   * A list of objects each indexed on its own (queried with nested queries), whose
   * fields are mapped as they come (`dynamic: true`): as Elastic's Kubernetes audit
   * integration maps RBAC `rules`.
   */
  NESTED = 'nested',
}

/** Props of {@link IlmPolicy}. */
export interface IlmPolicyProps {
  /** Policy name. */
  readonly name: string;

  /**
   * Delete an index this long after it rolled over.
   */
  readonly retention: Duration;

  /**
   * Roll over to a new backing index at this age.
   * @default Duration.days(1)
   */
  readonly rolloverMaxAge?: Duration;

  /**
   * Roll over when a primary shard reaches this size.
   * @default Size.gibibytes(50)
   */
  readonly rolloverMaxPrimaryShardSize?: Size;
}

/**
 * An index lifecycle policy: roll over by age or size, delete after the retention.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/ilm-index-lifecycle.html
 */
export class IlmPolicy {
  /** Policy name. */
  public readonly name: string;
  /** Retention in days after rollover. */
  public readonly retentionDays: number;
  /** Rollover age in hours. */
  public readonly rolloverMaxAgeHours: number;
  /** Rollover primary shard size in GiB. */
  public readonly rolloverMaxPrimaryShardSizeGib: number;

  constructor(props: IlmPolicyProps) {
    validateResourceName('ilm policy name', props.name);
    this.name = props.name;
    this.retentionDays = wholeUnits('ilm policy retention', props.retention.toHours({ integral: false }) / 24, 'days');
    this.rolloverMaxAgeHours = wholeUnits('ilm policy rolloverMaxAge', (props.rolloverMaxAge ?? Duration.days(1)).toHours({ integral: false }), 'hours');
    const size = props.rolloverMaxPrimaryShardSize ?? Size.gibibytes(50);
    this.rolloverMaxPrimaryShardSizeGib = wholeUnits('ilm policy rolloverMaxPrimaryShardSize', validateSize('ilm policy rolloverMaxPrimaryShardSize', size) / 1024 ** 3, 'GiB');
    validateInteger('ilm policy retention (days)', this.retentionDays, 1, 3650);
  }

  /** The body of `PUT _ilm/policy/<name>`. */
  public toJson(): { [key: string]: any } {
    return {
      policy: {
        phases: {
          hot: {
            min_age: '0ms',
            actions: { rollover: { max_age: `${this.rolloverMaxAgeHours}h`, max_primary_shard_size: `${this.rolloverMaxPrimaryShardSizeGib}gb` } },
          },
          delete: { min_age: `${this.retentionDays}d`, actions: { delete: {} } },
        },
        _meta: { managed_by: 'cdk8s-security-logging' },
      },
    };
  }
}

/** Props of {@link IndexTemplate}. */
export interface IndexTemplateProps {
  /** Template name. */
  readonly name: string;
  /** Index (or data stream) name patterns. */
  readonly indexPatterns: string[];
  /** Explicit field mappings by dotted path (`kubernetes.pod_name`). */
  readonly fields: { [path: string]: IndexFieldType };
  /** The lifecycle policy of the matching indices. */
  readonly lifecycle: IlmPolicy;
  /**
   * Whether the matching names are data streams (rollover by the policy).
   * @default true
   */
  readonly dataStream?: boolean;
  /**
   * Template priority; above the built-in templates (100) so ours win.
   * @default 200
   */
  readonly priority?: number;
  /**
   * Primary shards per backing index.
   * @default 1
   */
  readonly shards?: number;
  /**
   * Replicas per shard.
   * @default 1
   */
  readonly replicas?: number;

  /**
   * The ingest pipeline every document of the matching indices runs through
   * (`index.default_pipeline`), as Elastic's integrations set theirs; the setup puts it
   * before the template.
   * @default - none
   */
  readonly pipeline?: IngestPipeline;
}

/**
 * A composable index template with explicit mappings. Fields not listed are kept
 * in `_source` but not indexed (`dynamic: false`), so an unexpected field can
 * neither clash with a mapped one nor grow the mapping without bound.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/index-templates.html
 */
export class IndexTemplate {
  /** Template name. */
  public readonly name: string;
  /** Index patterns. */
  public readonly indexPatterns: string[];
  /** Lifecycle policy. */
  public readonly lifecycle: IlmPolicy;
  /** The default ingest pipeline, if any. */
  public readonly pipeline?: IngestPipeline;
  /** Whether the matching names are data streams. */
  public readonly dataStream: boolean;
  private readonly fields: { [path: string]: IndexFieldType };
  private readonly props: IndexTemplateProps;

  constructor(props: IndexTemplateProps) {
    validateResourceName('index template name', props.name);
    validateInstance(`index template ${props.name} lifecycle`, props.lifecycle, IlmPolicy, "new IlmPolicy({ name, retention: Duration.days(30) })");
    if (props.pipeline !== undefined) validateInstance(`index template ${props.name} pipeline`, props.pipeline, IngestPipeline, 'new IngestPipeline({ name, description, processors })');
    if (props.indexPatterns.length === 0) throw new Error(`index template ${props.name}: indexPatterns must not be empty, got []`);
    for (const pattern of props.indexPatterns) {
      if (!/^[a-z0-9][a-z0-9_.*-]*$/.test(pattern)) {
        throw new Error(`index template ${props.name}: index pattern ${JSON.stringify(pattern)} must be lowercase letters, digits, '_', '-', '.', '*'`);
      }
    }
    validateInteger(`index template ${props.name} priority`, props.priority ?? 200, 101, 100000);
    validateInteger(`index template ${props.name} shards`, props.shards ?? 1, 1, 1024);
    validateInteger(`index template ${props.name} replicas`, props.replicas ?? 1, 0, 16);
    const paths = Object.keys(props.fields);
    for (const path of paths) {
      if (!/^[@A-Za-z0-9_/-]+(\.[A-Za-z0-9_/-]+)*$/.test(path)) {
        throw new Error(`index template ${props.name}: field path ${JSON.stringify(path)} must be dot-separated names`);
      }
      const parent = paths.find((other) => path.startsWith(other + '.'));
      if (parent !== undefined) {
        throw new Error(`index template ${props.name}: field ${JSON.stringify(path)} sits inside ${JSON.stringify(parent)}, which is mapped as a ${props.fields[parent]}`);
      }
    }
    const timestamp = props.fields['@timestamp'];
    if ((props.dataStream ?? true) && timestamp !== IndexFieldType.DATE && timestamp !== IndexFieldType.DATE_NANOS) {
      throw new Error(`index template ${props.name}: a data stream needs @timestamp mapped as date or date_nanos, got ${JSON.stringify(timestamp)}`);
    }
    this.name = props.name;
    this.indexPatterns = [...props.indexPatterns];
    this.lifecycle = props.lifecycle;
    this.pipeline = props.pipeline;
    this.dataStream = props.dataStream ?? true;
    this.fields = { ...props.fields };
    this.props = props;
  }

  /** The mapped field paths, sorted. */
  public get fieldPaths(): string[] {
    return Object.keys(this.fields).sort();
  }

  /**
   * The type a field path resolves to: its own mapping, or `flattened` when it lies
   * inside a flattened field; undefined when the path is not searchable.
   */
  public typeOf(path: string): IndexFieldType | undefined {
    if (this.fields[path] !== undefined) return this.fields[path];
    // Inside a flattened field every key is one; inside a nested one (mapped dynamically) the type is the nested one's.
    const parent = Object.keys(this.fields).find((p) => path.startsWith(p + '.') && (this.fields[p] === IndexFieldType.FLATTENED || this.fields[p] === IndexFieldType.NESTED));
    return parent === undefined ? undefined : this.fields[parent];
  }

  /** The body of `PUT _index_template/<name>`. */
  public toJson(): { [key: string]: any } {
    const properties: { [key: string]: any } = {};
    for (const path of this.fieldPaths) {
      const parts = path.split('.');
      let node = properties;
      for (const part of parts.slice(0, -1)) {
        node[part] ??= { properties: {} };
        node = node[part].properties;
      }
      node[parts[parts.length - 1]] = fieldMapping(this.fields[path]);
    }
    return {
      index_patterns: [...this.indexPatterns],
      ...((this.props.dataStream ?? true) ? { data_stream: {} } : {}),
      // Creates the stream on first write even where action.auto_create_index forbids
      // creating indices of these names before their template exists.
      allow_auto_create: true,
      priority: this.props.priority ?? 200,
      template: {
        settings: {
          'index.lifecycle.name': this.lifecycle.name,
          'index.number_of_shards': this.props.shards ?? 1,
          'index.number_of_replicas': this.props.replicas ?? 1,
          // A malformed value (a host name in an ip field, a number too large) is left
          // out of the index, and the document kept, as Elastic's logs@settings does.
          'index.mapping.ignore_malformed': true,
          // Elasticsearch 9 makes a new logs-*-* data stream logsdb unless its template says
          // otherwise, and keeps a stream that 8.x had made standard (logsdb's default follows
          // the cluster's history): said here, every family is a standard index on 8.19 and
          // 9.x, fresh or upgraded alike. logsdb's storage gains come mostly from synthetic
          // _source, an Enterprise feature (on Basic it keeps the stored _source).
          'index.mode': 'standard',
          ...(this.pipeline === undefined ? {} : { 'index.default_pipeline': this.pipeline.name }),
        },
        mappings: { dynamic: false, properties },
      },
      _meta: { managed_by: 'cdk8s-security-logging' },
    };
  }
}

function fieldMapping(type: IndexFieldType): { [key: string]: any } {
  switch (type) {
    case IndexFieldType.TEXT: return { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } };
    case IndexFieldType.KEYWORD: return { type: 'keyword', ignore_above: 1024 };
    // Audit bodies (CRD schemas) nest deeper than the default limit of 20.
    case IndexFieldType.FLATTENED: return { type: 'flattened', ignore_above: 1024, depth_limit: 100 };
    case IndexFieldType.NESTED: return { type: 'nested', dynamic: true };
    default: return { type };
  }
}

function validateResourceName(prop: string, name: string): void {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9_.-]{0,254}$/.test(name)) {
    throw new Error(`${prop} must be lowercase letters, digits, '_', '-' and '.', got ${JSON.stringify(name)}`);
  }
}

function wholeUnits(prop: string, value: number, unit: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${prop} must be a whole number of ${unit}, at least 1, got ${value} ${unit}`);
  }
  return value;
}

/** Whether an index pattern (`*` for any run of characters) matches a name. */
export function indexPatternMatches(pattern: string, name: string): boolean {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(name);
}
