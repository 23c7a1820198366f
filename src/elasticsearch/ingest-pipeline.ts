/**
 * A condition on one document, rendered to the Painless expression of a processor's
 * `if`. Only this subset is generated: null-safe field reads (`ctx.a?.b`), comparisons
 * with literals, `instanceof`, `contains`/`startsWith` on strings and lists, `!`, `&&`
 * and `||`. The tests evaluate the rendered text with an interpreter of exactly this
 * subset, so what Elasticsearch runs is what the tests check.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/ingest.html#conditionally-run-processor
 */
export class IngestCondition {
  /** The field exists and is neither null nor an empty string. */
  public static present(field: string): IngestCondition {
    const f = fieldPath(field);
    return new IngestCondition(`${f} != null && ${f} != ''`);
  }

  /** The field is missing, null or an empty string. */
  public static absent(field: string): IngestCondition {
    return IngestCondition.not(IngestCondition.present(field));
  }

  /** The field is this string. */
  public static is(field: string, value: string): IngestCondition {
    return new IngestCondition(`${fieldPath(field)} == ${stringLiteral(value)}`);
  }

  /** The field is this number. */
  public static isNumber(field: string, value: number): IngestCondition {
    return new IngestCondition(`${fieldPath(field)} == ${numberLiteral(value)}`);
  }

  /** The field is an object (a Painless Map). */
  public static isMap(field: string): IngestCondition {
    return new IngestCondition(`${fieldPath(field)} instanceof Map`);
  }

  /** The field is a string. */
  public static isString(field: string): IngestCondition {
    return new IngestCondition(`${fieldPath(field)} instanceof String`);
  }

  /** The field is one of these strings. */
  public static oneOf(field: string, values: string[]): IngestCondition {
    if (!Array.isArray(values) || values.length === 0) throw new Error(`ingest condition oneOf ${field}: values must be a non-empty list, got ${JSON.stringify(values)}`);
    return new IngestCondition(`[${values.map(stringLiteral).join(', ')}].contains(${fieldPath(field)})`);
  }

  /** The field is a string that starts with `prefix`. */
  public static startsWith(field: string, prefix: string): IngestCondition {
    const f = fieldPath(field);
    return new IngestCondition(`${f} instanceof String && ${f}.startsWith(${stringLiteral(prefix)})`);
  }

  /** The field is a string that contains `part`, or a list that holds it. */
  public static contains(field: string, part: string): IngestCondition {
    const f = fieldPath(field);
    return new IngestCondition(`(${f} instanceof String || ${f} instanceof List) && ${f}.contains(${stringLiteral(part)})`);
  }

  /** The field is a number below `limit`. */
  public static below(field: string, limit: number): IngestCondition {
    const f = fieldPath(field);
    return new IngestCondition(`${f} instanceof Number && ${f} < ${numberLiteral(limit)}`);
  }

  /** The field is a number at or above `limit`. */
  public static atLeast(field: string, limit: number): IngestCondition {
    const f = fieldPath(field);
    return new IngestCondition(`${f} instanceof Number && ${f} >= ${numberLiteral(limit)}`);
  }

  /** Every condition holds. */
  public static and(...conditions: IngestCondition[]): IngestCondition {
    return IngestCondition.join('&&', conditions);
  }

  /** Some condition holds. */
  public static or(...conditions: IngestCondition[]): IngestCondition {
    return IngestCondition.join('||', conditions);
  }

  /** The condition does not hold. */
  public static not(condition: IngestCondition): IngestCondition {
    checkCondition('not', condition);
    return new IngestCondition(`!(${condition.painless})`);
  }

  private static join(operator: string, conditions: IngestCondition[]): IngestCondition {
    if (conditions.length === 0) throw new Error(`ingest condition ${operator}: needs at least one condition`);
    conditions.forEach((c) => checkCondition(operator, c));
    return new IngestCondition(conditions.length === 1 ? conditions[0].painless : conditions.map((c) => `(${c.painless})`).join(` ${operator} `));
  }

  /** The Painless expression. */
  public readonly painless: string;

  private constructor(painless: string) {
    this.painless = painless;
  }
}

/** A field type of the `convert` processor. */
export enum IngestConvertType {
  /** 32-bit integer. */
  INTEGER = 'integer',
  /** 64-bit integer. */
  LONG = 'long',
  /** Floating point. */
  DOUBLE = 'double',
  /** String. */
  STRING = 'string',
  /** true or false. */
  BOOLEAN = 'boolean',
  /** An IP address (checked; stays a string). */
  IP = 'ip',
}

/** Options every processor takes. */
export interface IngestProcessorOptions {
  /**
   * Run only when this holds.
   * @default - always
   */
  readonly when?: IngestCondition;

  /**
   * A tag naming the processor in errors and in the node stats.
   * @default - none
   */
  readonly tag?: string;
}

/** Options of {@link IngestProcessor.set}. */
export interface IngestSetOptions extends IngestProcessorOptions {
  /**
   * Replace a value the field already has.
   * @default true
   */
  readonly override?: boolean;
}

/**
 * One ingest processor, from a small subset whose semantics the tests model: `set`,
 * `copy` (set with `copy_from`), `ingestTime`, `rename`, `date`, `convert`, `lowercase`,
 * `remove`, `append`, `grok`, `gsub`, `dotExpander`, `pipeline` and `fail`.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/processors.html
 */
export class IngestProcessor {
  /**
   * Sets a field to a constant (a string, number or boolean given as JSON, e.g. `'"event"'`, `'3'`).
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/set-processor.html
   */
  public static set(field: string, jsonValue: string, options: IngestSetOptions = {}): IngestProcessor {
    let value: unknown;
    try {
      value = JSON.parse(jsonValue);
    } catch {
      throw new Error(`ingest set ${field}: value must be JSON (a quoted string, a number or a boolean), got ${JSON.stringify(jsonValue)}`);
    }
    if (value === null || (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean' && !isStringList(value))) {
      throw new Error(`ingest set ${field}: value must be a string, number, boolean or list of strings, got ${jsonValue}`);
    }
    if (typeof value === 'string' && value.includes('{{')) throw new Error(`ingest set ${field}: value must not hold a {{template}}, got ${jsonValue}`);
    return new IngestProcessor('set', { field: checkField(field), value, ...(options.override === false ? { override: false } : {}) }, options);
  }

  /**
   * Copies a field's value (any type) to another, when the source has one.
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/set-processor.html
   */
  public static copy(from: string, to: string, options: IngestSetOptions = {}): IngestProcessor {
    return new IngestProcessor('set', {
      field: checkField(to), copy_from: checkField(from), ignore_empty_value: true, ...(options.override === false ? { override: false } : {}),
    }, options, IngestCondition.present(from));
  }

  /**
   * Moves a field (and what is under it) to another name; nothing when it is missing.
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/rename-processor.html
   */
  public static rename(from: string, to: string, options: IngestProcessorOptions = {}): IngestProcessor {
    return new IngestProcessor('rename', { field: checkField(from), target_field: checkField(to), ignore_missing: true }, options);
  }

  /**
   * Sets a field to the time Elasticsearch ingested the document (`_ingest.timestamp`),
   * as `event.ingested`, which Elastic's prebuilt detection rules use as their time.
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/ingest.html#access-ingest-metadata
   */
  public static ingestTime(to: string, options: IngestProcessorOptions = {}): IngestProcessor {
    return new IngestProcessor('set', { field: checkField(to), copy_from: '_ingest.timestamp' }, options);
  }

  /**
   * Parses a time into `to`, written with nanosecond digits (ISO 8601 input keeps all
   * nine; `UNIX` keeps milliseconds), when the source has one.
   * `formats` are Elasticsearch's (`ISO8601`, `UNIX`, `UNIX_MS`).
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/date-processor.html
   */
  public static date(from: string, to: string, formats: string[], options: IngestProcessorOptions = {}): IngestProcessor {
    const known = Object.values(IngestDateFormat) as string[];
    if (!Array.isArray(formats) || formats.length === 0 || formats.some((f) => !known.includes(f))) {
      throw new Error(`ingest date ${from}: formats must be a non-empty list of ${known.join(', ')}, got ${JSON.stringify(formats)}`);
    }
    return new IngestProcessor('date', {
      field: checkField(from), target_field: checkField(to), formats, timezone: 'UTC', output_format: NANOSECOND_OUTPUT_FORMAT,
    }, options, IngestCondition.present(from));
  }

  /**
   * Converts a field's type, in place or into `to`; nothing when it is missing.
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/convert-processor.html
   */
  public static convert(from: string, type: IngestConvertType, to?: string, options: IngestProcessorOptions = {}): IngestProcessor {
    if (!Object.values(IngestConvertType).includes(type)) {
      throw new Error(`ingest convert ${from}: type must be one of ${Object.values(IngestConvertType).join(', ')}, got ${JSON.stringify(type)}`);
    }
    return new IngestProcessor('convert', {
      field: checkField(from), type, ...targetField(to), ignore_missing: true,
    }, options);
  }

  /**
   * Lower-cases a string, in place or into `to`; nothing when it is missing.
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/lowercase-processor.html
   */
  public static lowercase(from: string, to?: string, options: IngestProcessorOptions = {}): IngestProcessor {
    return new IngestProcessor('lowercase', { field: checkField(from), ...targetField(to), ignore_missing: true }, options);
  }

  /**
   * Removes fields; nothing for those that are missing.
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/remove-processor.html
   */
  public static remove(fields: string[], options: IngestProcessorOptions = {}): IngestProcessor {
    if (!Array.isArray(fields) || fields.length === 0) throw new Error(`ingest remove: fields must be a non-empty list, got ${JSON.stringify(fields)}`);
    return new IngestProcessor('remove', { field: fields.map(checkField), ignore_missing: true }, options);
  }

  /**
   * Appends strings to a field (made a list), skipping values it already holds.
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/append-processor.html
   */
  public static append(field: string, values: string[], options: IngestProcessorOptions = {}): IngestProcessor {
    if (!isStringList(values) || values.length === 0) throw new Error(`ingest append ${field}: values must be a non-empty list of strings, got ${JSON.stringify(values)}`);
    if (values.some((v) => v.includes('{{'))) throw new Error(`ingest append ${field}: values must not hold a {{template}}, got ${JSON.stringify(values)}`);
    return new IngestProcessor('append', { field: checkField(field), value: values, allow_duplicates: false }, options);
  }

  /**
   * Extracts fields from a string with grok patterns, tried in order; a value no
   * pattern matches is left as it is (`ignore_failure`), and so is a missing field.
   * Patterns may use `%{NAME:field}` with the built-in names WORD, NOTSPACE, DATA,
   * GREEDYDATA, POSINT and USERNAME, or those of `definitions`, whose own text is a
   * plain regular expression.
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/grok-processor.html
   */
  public static grok(field: string, patterns: string[], definitions: { [name: string]: string } = {}, options: IngestProcessorOptions = {}): IngestProcessor {
    if (!isStringList(patterns) || patterns.length === 0) throw new Error(`ingest grok ${field}: patterns must be a non-empty list of strings, got ${JSON.stringify(patterns)}`);
    const defined = definitions ?? {};
    for (const [name, text] of Object.entries(defined)) {
      if (!/^[A-Z][A-Z0-9_]*$/.test(name) || typeof text !== 'string' || text.includes('%{')) {
        throw new Error(`ingest grok ${field}: definition ${JSON.stringify(name)} must be an upper-case name with a plain regular expression, got ${JSON.stringify(text)}`);
      }
    }
    for (const pattern of patterns) {
      for (const m of pattern.matchAll(/%\{([^}]*)\}/g)) {
        const [name, target, extra] = m[1].split(':');
        if (extra !== undefined || (!(name in GROK_PATTERNS) && !(name in defined))) {
          throw new Error(`ingest grok ${field}: %{${m[1]}} must name one of ${[...Object.keys(GROK_PATTERNS), ...Object.keys(defined)].join(', ')} and at most a field, got it in ${JSON.stringify(pattern)}`);
        }
        if (target !== undefined) checkField(target);
      }
    }
    return new IngestProcessor('grok', {
      field: checkField(field), patterns: [...patterns],
      ...(Object.keys(defined).length > 0 ? { pattern_definitions: { ...defined } } : {}),
      ignore_missing: true, ignore_failure: true,
    }, options);
  }

  /**
   * Replaces each match of a Java regular expression in a string (`$1` for a group), in
   * place or into `to`; nothing when the field is missing.
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/gsub-processor.html
   */
  public static gsub(from: string, pattern: string, replacement: string, to?: string, options: IngestProcessorOptions = {}): IngestProcessor {
    if (typeof pattern !== 'string' || pattern === '' || typeof replacement !== 'string') {
      throw new Error(`ingest gsub ${from}: pattern must be a non-empty string and replacement a string, got ${JSON.stringify([pattern, replacement])}`);
    }
    return new IngestProcessor('gsub', {
      field: checkField(from), pattern, replacement, ...targetField(to), ignore_missing: true,
    }, options);
  }

  /**
   * Makes a key that holds dots (`authorization.k8s.io/decision` in `path`) an object
   * path, so that other processors can address it.
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/dot-expand-processor.html
   */
  public static dotExpander(key: string, path: string, options: IngestProcessorOptions = {}): IngestProcessor {
    if (typeof key !== 'string' || !key.includes('.') || key.includes('*')) throw new Error(`ingest dot_expander: key must be a name holding dots, got ${JSON.stringify(key)}`);
    return new IngestProcessor('dot_expander', { field: key, path: checkField(path) }, options);
  }

  /**
   * Runs another pipeline; with `ignoreMissing`, nothing when it does not exist (the
   * `@custom` hook a user may put, as Elastic's integrations offer).
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/pipeline-processor.html
   */
  public static pipeline(name: string, ignoreMissing: boolean, options: IngestProcessorOptions = {}): IngestProcessor {
    return new IngestProcessor('pipeline', { name: checkPipelineName('pipeline processor name', name), ignore_missing_pipeline: ignoreMissing }, options);
  }

  /**
   * Fails the document with a message (used by the setup's self-check).
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/fail-processor.html
   */
  public static fail(message: string, options: IngestProcessorOptions = {}): IngestProcessor {
    if (typeof message !== 'string' || message.includes('{{')) throw new Error(`ingest fail: message must be a plain string, got ${JSON.stringify(message)}`);
    return new IngestProcessor('fail', { message }, options);
  }

  /** The processor's type (`set`, `date`, ...). */
  public readonly type: string;
  /** Its options, as Elasticsearch takes them (without `if` and `tag`). */
  public readonly options: { [key: string]: any };
  /** The condition it runs under, if any. */
  public readonly condition?: IngestCondition;
  private readonly tag?: string;

  private constructor(type: string, options: { [key: string]: any }, given: IngestProcessorOptions, implied?: IngestCondition) {
    if (given.when !== undefined) checkCondition(`${type} when`, given.when);
    this.type = type;
    this.options = options;
    // A processor that reads a field runs only when the field has a value, so that
    // an empty value never overwrites a good one.
    const conditions = [...(implied ? [implied] : []), ...(given.when ? [given.when] : [])];
    this.condition = conditions.length === 0 ? undefined : IngestCondition.and(...conditions);
    this.tag = given.tag;
  }

  /** The processor as Elasticsearch takes it: `{ "<type>": { ... } }`. */
  public toJson(): { [type: string]: any } {
    return {
      [this.type]: {
        ...(this.tag === undefined ? {} : { tag: this.tag }),
        ...this.options,
        ...(this.condition === undefined ? {} : { if: this.condition.painless }),
      },
    };
  }
}

/**
 * The built-in grok patterns `IngestProcessor.grok` may name, with their definitions
 * in Elasticsearch's `grok-patterns` (the tests' model keeps its own copy).
 * @see https://github.com/elastic/elasticsearch/blob/8.19/libs/grok/src/main/resources/patterns/ecs-v1/grok-patterns
 */
export const GROK_PATTERNS: { [name: string]: string } = {
  WORD: '\\b\\w+\\b',
  NOTSPACE: '\\S+',
  DATA: '.*?',
  GREEDYDATA: '.*',
  POSINT: '\\b(?:[1-9][0-9]*)\\b',
  USERNAME: '[a-zA-Z0-9._-]+',
};

/** Time formats of {@link IngestProcessor.date}. */
export enum IngestDateFormat {
  /** ISO 8601 / RFC 3339, with up to nine fraction digits. */
  ISO8601 = 'ISO8601',
  /** Seconds since the epoch (a fraction allowed); Elasticsearch keeps milliseconds of it. */
  UNIX = 'UNIX',
  /** Milliseconds since the epoch. */
  UNIX_MS = 'UNIX_MS',
}

/** Props of {@link IngestPipeline}. */
export interface IngestPipelineProps {
  /** Name (`PUT _ingest/pipeline/<name>`). */
  readonly name: string;
  /** What it does. */
  readonly description: string;
  /** The processors, in order. */
  readonly processors: IngestProcessor[];
  /**
   * Bumped when the processors change (shown by `GET _ingest/pipeline`).
   * @default 1
   */
  readonly version?: number;

  /**
   * Documents with the fields the pipeline must give them. The setup runs each through
   * the pipeline's processors on the cluster (`_ingest/pipeline/_simulate`) before it
   * puts the pipeline, and fails, naming the check, when a field differs: the real
   * engine proves the pipeline where it runs.
   * @default []
   */
  readonly checks?: IngestPipelineCheck[];
}

/** A document and what {@link IngestPipeline} must make of it. */
export interface IngestPipelineCheck {
  /** What the document is (named when the check fails). */
  readonly description: string;
  /** The document as it arrives. */
  readonly document: { [key: string]: any };
  /**
   * Fields (dotted) and the values they must have afterwards: a string, a number, or
   * a list of strings the field must hold.
   */
  readonly expected: { [field: string]: any };
}

/**
 * An ingest pipeline: the processors Elasticsearch runs on each document before it
 * indexes it. A document a processor fails on is not lost: the pipeline's `on_failure`
 * records the error in `error.message` and `event.kind: pipeline_error`, as Elastic's
 * integrations do, and the document is indexed as it was.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/ingest.html
 */
export class IngestPipeline {
  /** Name. */
  public readonly name: string;
  /** Description. */
  public readonly description: string;
  /** Version. */
  public readonly version: number;
  private readonly _processors: IngestProcessor[];
  private readonly _checks: IngestPipelineCheck[];

  constructor(props: IngestPipelineProps) {
    this.name = checkPipelineName('ingest pipeline name', props?.name);
    if (typeof props.description !== 'string' || props.description.length === 0) {
      throw new Error(`ingest pipeline ${this.name}: description must be a non-empty string, got ${JSON.stringify(props.description)}`);
    }
    this.description = props.description;
    const processors = props.processors;
    if (!Array.isArray(processors) || processors.length === 0 || processors.some((p) => !(p instanceof IngestProcessor))) {
      throw new Error(`ingest pipeline ${this.name}: processors must be a non-empty list of IngestProcessor objects (IngestProcessor.set(...), ...), got ${JSON.stringify(processors)}`);
    }
    this._processors = [...processors];
    this.version = props.version ?? 1;
    if (!Number.isInteger(this.version) || this.version < 1) throw new Error(`ingest pipeline ${this.name}: version must be an integer >= 1, got ${JSON.stringify(props.version)}`);
    const checks = props.checks ?? [];
    if (!Array.isArray(checks)) throw new Error(`ingest pipeline ${this.name}: checks must be a list, got ${JSON.stringify(checks)}`);
    checks.forEach((check) => expectation(this.name, check));
    this._checks = checks.map((c) => ({ description: c.description, document: structuredClone(c.document), expected: { ...c.expected } }));
  }

  /** The checks, a copy. */
  public get checks(): IngestPipelineCheck[] {
    return this._checks.map((c) => ({ ...c, document: structuredClone(c.document), expected: { ...c.expected } }));
  }

  /**
   * The body of `POST _ingest/pipeline/_simulate` that runs the checks' documents
   * through the pipeline's processors, inline, before it is put (so that a pipeline
   * that fails them never serves), then fails each document whose fields differ from
   * the expected ones. Without the pipeline's `on_failure`, a processor error fails the
   * document too; either way the answer holds an `error` for it.
   */
  public simulateJson(): { [key: string]: any } {
    if (this._checks.length === 0) throw new Error(`ingest pipeline ${this.name} has no checks to simulate`);
    return {
      pipeline: {
        description: `checks of ${this.name}`,
        processors: [
          ...this._processors.map((p) => p.toJson()),
          ...this._checks.map((check, i) => IngestProcessor.fail(`${this.name} check ${i + 1} (${check.description}): a field differs from ${JSON.stringify(check.expected)}`, {
            when: IngestCondition.and(IngestCondition.is('check_id', String(i + 1)), IngestCondition.not(expectation(this.name, check))),
          }).toJson()),
          IngestProcessor.remove(['check_id']).toJson(),
        ],
      },
      docs: this._checks.map((check, i) => ({ _source: { ...check.document, check_id: String(i + 1) } })),
    };
  }

  /** The processors, a copy. */
  public get processors(): IngestProcessor[] {
    return [...this._processors];
  }

  /** The body of `PUT _ingest/pipeline/<name>`. */
  public toJson(): { [key: string]: any } {
    return {
      description: this.description,
      version: this.version,
      processors: this._processors.map((p) => p.toJson()),
      on_failure: PIPELINE_ON_FAILURE,
    };
  }
}

/** Java time pattern of a nanosecond `date_nanos` value in UTC (`2024-05-01T10:00:09.123456789Z`). */
export const NANOSECOND_OUTPUT_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX";

/**
 * What a failed document gets: the error kept, marked, and indexed anyway (the rest of
 * the pipeline is skipped), as Elastic's integrations do. The message is copied from
 * the ingest metadata rather than written as a `{{ }}` template, which Helm would read
 * as its own.
 */
const PIPELINE_ON_FAILURE = [
  { set: { field: 'event.kind', value: 'pipeline_error' } },
  { set: { field: 'error.message', copy_from: '_ingest.on_failure_message' } },
  { append: { field: 'tags', value: ['pipeline_error'], allow_duplicates: false } },
];

/** Words Painless reserves, which cannot follow `ctx.` or `?.`. */
const PAINLESS_KEYWORDS = new Set([
  'if', 'else', 'while', 'do', 'for', 'in', 'continue', 'break', 'return', 'new', 'try', 'catch', 'throw', 'this', 'instanceof',
  'boolean', 'byte', 'short', 'char', 'int', 'long', 'float', 'double', 'def', 'true', 'false', 'null',
]);

/**
 * `ctx.a?.b?.c` of a dotted field name; a key that is no Painless name (`@timestamp`,
 * `authorization_k8s_io/decision`, a reserved word) is read with `get('...')`.
 */
function fieldPath(field: string): string {
  const [first, ...rest] = checkField(field).split('.');
  const plain = (part: string) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(part) && !PAINLESS_KEYWORDS.has(part);
  return (plain(first) ? `ctx.${first}` : `ctx[${stringLiteral(first)}]`) + rest.map((part) => plain(part) ? `?.${part}` : `?.get(${stringLiteral(part)})`).join('');
}

/** Field names the subset can address: dotted names, `@timestamp` too. */
function checkField(field: string): string {
  // Kubernetes keys such as authorization_k8s_io/decision hold '/' and '-'; a condition reads them with get() (fieldPath).
  if (typeof field !== 'string' || !/^(@timestamp|[A-Za-z_][A-Za-z0-9_/-]*(\.[A-Za-z_][A-Za-z0-9_/-]*)*)$/.test(field)) {
    throw new Error(`ingest field must be a dotted name of letters, digits, _, / and - (such as event.kind), got ${JSON.stringify(field)}`);
  }
  return field;
}

/** `target_field` of a processor that writes in place unless given one. */
function targetField(to: string | undefined): { target_field?: string } {
  return to === undefined ? {} : { target_field: checkField(to) };
}

function checkPipelineName(prop: string, name: string): string {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._@-]{0,254}$/.test(name)) {
    throw new Error(`${prop} must be lowercase letters, digits, '.', '_', '@' or '-' (at most 255), got ${JSON.stringify(name)}`);
  }
  return name;
}

function checkCondition(where: string, condition: IngestCondition): void {
  if (!(condition instanceof IngestCondition)) {
    throw new Error(`ingest ${where}: must be an IngestCondition (IngestCondition.present(...), ...), got ${JSON.stringify(condition)}`);
  }
}

function stringLiteral(value: string): string {
  if (typeof value !== 'string') throw new Error(`ingest condition value must be a string, got ${JSON.stringify(value)}`);
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function numberLiteral(value: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`ingest condition limit must be a finite number, got ${JSON.stringify(value)}`);
  return String(value);
}

/** The condition that holds when a check's fields have their expected values. */
function expectation(pipeline: string, check: IngestPipelineCheck): IngestCondition {
  if (typeof check?.description !== 'string' || check.description === '' || check.document === null || typeof check.document !== 'object'
    || check.expected === null || typeof check.expected !== 'object' || Object.keys(check.expected).length === 0) {
    throw new Error(`ingest pipeline ${pipeline}: a check needs a description, a document and expected fields, got ${JSON.stringify(check)}`);
  }
  return IngestCondition.and(...Object.entries(check.expected).map(([field, value]) => {
    if (typeof value === 'string') return IngestCondition.is(field, value);
    if (typeof value === 'number') return IngestCondition.isNumber(field, value);
    if (isStringList(value) && value.length > 0) return IngestCondition.and(...value.map((v) => IngestCondition.contains(field, v)));
    throw new Error(`ingest pipeline ${pipeline} check ${JSON.stringify(check.description)}: expected ${field} must be a string, a number or a non-empty list of strings, got ${JSON.stringify(value)}`);
  }));
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}
