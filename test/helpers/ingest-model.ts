/**
 * A model of the ingest processors the library renders, driven by the rendered JSON
 * (`IngestPipeline.toJson()`), so that sample documents can be run through a pipeline
 * without Elasticsearch. `if` conditions are evaluated from their Painless text by an
 * interpreter of the subset `IngestCondition` generates; anything outside the subset
 * is an error, never a guess. Semantics follow the processor reference:
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/processors.html
 * @see https://www.elastic.co/guide/en/elasticsearch/painless/8.19/painless-operators-reference.html
 */

export type Doc = { [key: string]: any };

/** Pipelines by name, for the `pipeline` processor. */
export type PipelineStore = { [name: string]: { processors: any[]; on_failure?: any[] } };

/** Runs a document through a pipeline (a copy; the input is not changed). Throws what `fail` or a bad processor raises, unless on_failure handles it. */
export function runPipeline(pipeline: { processors: any[]; on_failure?: any[] }, doc: Doc, store: PipelineStore = {}): Doc {
  const ctx = JSON.parse(JSON.stringify(doc));
  try {
    runProcessors(pipeline.processors, ctx, store);
  } catch (error) {
    if (!pipeline.on_failure) throw error;
    runOnFailure(pipeline.on_failure, error as Error, ctx, store);
  }
  return ctx;
}

/** A pipeline's `on_failure` processors, with the ingest metadata they may read (`_ingest.on_failure_message`). */
function runOnFailure(processors: any[], error: Error, ctx: Doc, store: PipelineStore): void {
  ctx._ingest = { on_failure_message: error.message };
  for (const processor of processors) runProcessor(...only(processor), ctx, store);
  delete ctx._ingest;
}

function runProcessors(processors: any[], ctx: Doc, store: PipelineStore): void {
  for (const processor of processors) {
    const [type, options] = only(processor);
    if (options.if !== undefined && evaluateCondition(options.if, ctx) !== true) continue;
    runProcessor(type, options, ctx, store);
  }
}

function only(processor: any): [string, any] {
  const entries = Object.entries(processor);
  if (entries.length !== 1) throw new Error(`a processor has one type, got ${JSON.stringify(processor)}`);
  return entries[0] as [string, any];
}

/** What `_ingest.timestamp` reads in the model. */
export const INGEST_TIMESTAMP = '2026-12-01T00:00:00.000Z';

const KNOWN_OPTIONS: { [type: string]: string[] } = {
  set: ['field', 'value', 'copy_from', 'override', 'ignore_empty_value'],
  rename: ['field', 'target_field', 'ignore_missing'],
  date: ['field', 'target_field', 'formats', 'timezone', 'output_format'],
  convert: ['field', 'type', 'target_field', 'ignore_missing'],
  lowercase: ['field', 'target_field', 'ignore_missing'],
  remove: ['field', 'ignore_missing'],
  append: ['field', 'value', 'allow_duplicates'],
  pipeline: ['name', 'ignore_missing_pipeline'],
  grok: ['field', 'patterns', 'pattern_definitions', 'ignore_missing', 'ignore_failure'],
  dot_expander: ['field', 'path'],
  gsub: ['field', 'pattern', 'replacement', 'target_field', 'ignore_missing'],
  fail: ['message'],
};

function runProcessor(type: string, options: any, ctx: Doc, store: PipelineStore): void {
  const known = KNOWN_OPTIONS[type];
  if (!known) throw new Error(`the model has no processor ${type}`);
  const unknown = Object.keys(options).filter((k) => !known.includes(k) && k !== 'if' && k !== 'tag');
  if (unknown.length > 0) throw new Error(`processor ${type}: the model does not know ${unknown.join(', ')}`);
  switch (type) {
    case 'set': {
      // SetProcessor: without override, only a missing or null field is set (an empty string is kept).
      if (options.override === false && get(ctx, options.field) !== undefined && get(ctx, options.field) !== null) return;
      if (options.copy_from !== undefined) {
        // The ingest metadata: a fixed ingest time, so that runs compare.
        const value = options.copy_from === '_ingest.timestamp' ? INGEST_TIMESTAMP : get(ctx, options.copy_from);
        if (options.ignore_empty_value && (value === undefined || value === null || value === '')) return;
        if (value === undefined) throw new Error(`field [${options.copy_from}] not present as part of path [${options.copy_from}]`);
        put(ctx, options.field, JSON.parse(JSON.stringify(value ?? null)));
      } else {
        if (typeof options.value === 'string' && options.value.includes('{{')) throw new Error(`set ${options.field}: the model renders no templates`);
        if (options.ignore_empty_value && options.value === '') return;
        put(ctx, options.field, options.value);
      }
      return;
    }
    case 'rename': {
      const value = get(ctx, options.field);
      if (value === undefined) {
        if (options.ignore_missing) return;
        throw new Error(`field [${options.field}] doesn't exist`);
      }
      if (get(ctx, options.target_field) !== undefined) throw new Error(`field [${options.target_field}] already exists`);
      del(ctx, options.field);
      put(ctx, options.target_field, value);
      return;
    }
    case 'date': {
      const value = get(ctx, options.field);
      if (value === undefined || value === null) throw new Error(`field [${options.field}] not present as part of path [${options.field}]`);
      if (options.output_format !== "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX") throw new Error(`date: the model writes only the nanosecond output format, got ${options.output_format}`);
      put(ctx, options.target_field ?? '@timestamp', parseDate(value, options.formats));
      return;
    }
    case 'convert': {
      const value = readField(ctx, options, `field [${options.field}] doesn't exist`);
      if (value === undefined) return;
      put(ctx, options.target_field ?? options.field, Array.isArray(value) ? value.map((v) => convert(v, options.type)) : convert(value, options.type));
      return;
    }
    case 'lowercase': {
      const value = readField(ctx, options, `field [${options.field}] doesn't exist`);
      if (value === undefined) return;
      put(ctx, options.target_field ?? options.field, asString(options.field, value).toLowerCase());
      return;
    }
    case 'remove': {
      for (const field of [options.field].flat()) {
        if (get(ctx, field) === undefined) {
          if (options.ignore_missing) continue;
          throw new Error(`field [${field}] doesn't exist`);
        }
        del(ctx, field);
      }
      return;
    }
    case 'append': {
      const values = [options.value].flat();
      const current = get(ctx, options.field);
      const list = current === undefined ? [] : Array.isArray(current) ? current : [current];
      for (const v of values) if (options.allow_duplicates !== false || !list.includes(v)) list.push(v);
      put(ctx, options.field, list);
      return;
    }
    case 'pipeline': {
      const called = store[options.name];
      if (!called) {
        if (options.ignore_missing_pipeline) return;
        throw new Error(`Pipeline processor configured for non-existent pipeline [${options.name}]`);
      }
      // The called pipeline's own on_failure handles its failures.
      try {
        runProcessors(called.processors, ctx, store);
      } catch (error) {
        if (!called.on_failure) throw error;
        runOnFailure(called.on_failure, error as Error, ctx, store);
      }
      return;
    }
    case 'grok': {
      const value = readField(ctx, options, `field [${options.field}] not present as part of path [${options.field}]`);
      if (value === undefined) return;
      for (const pattern of options.patterns) {
        const { regexp, fields } = grokRegexp(pattern, options.pattern_definitions ?? {});
        const m = regexp.exec(String(value));
        if (!m) continue;
        fields.forEach((field, i) => { if (m.groups?.[`g${i}`] !== undefined) put(ctx, field, m.groups[`g${i}`]); });
        return;
      }
      if (options.ignore_failure) return;
      throw new Error(`Provided Grok expressions do not match field value: [${value}]`);
    }
    case 'dot_expander': {
      // DotExpanderProcessor: a key with dots in the object at `path` becomes an object path; a missing key, nothing;
      // a missing path fails (getFieldValue(path, Map.class)).
      const holder = get(ctx, options.path);
      if (holder === undefined || holder === null) throw new Error(`field [${options.path}] not present as part of path [${options.path}]`);
      if (typeof holder !== 'object' || Array.isArray(holder)) throw new Error(`field [${options.path}] of type [${Array.isArray(holder) ? 'java.util.ArrayList' : typeof holder}] cannot be cast to [java.util.Map]`);
      if (!(options.field in holder)) return;
      const value = holder[options.field];
      Reflect.deleteProperty(holder, options.field);
      put(ctx, `${options.path}.${options.field}`, value);
      return;
    }
    case 'gsub': {
      const value = readField(ctx, options, `field [${options.field}] not present as part of path [${options.field}]`);
      if (value === undefined) return;
      // Java's Matcher.replaceAll and JavaScript's replace agree on $1 and on these patterns.
      put(ctx, options.target_field ?? options.field, asString(options.field, value).replace(new RegExp(options.pattern, 'g'), options.replacement));
      return;
    }
    case 'fail':
      throw new Error(options.message);
  }
}

/**
 * The value a processor reads (`options.field`): undefined when the field is missing or
 * null and `ignore_missing` lets the processor pass; else the processor fails with
 * `missing`, its message.
 */
function readField(ctx: Doc, options: any, missing: string): any {
  const value = get(ctx, options.field);
  if (value !== undefined && value !== null) return value;
  if (options.ignore_missing) return undefined;
  throw new Error(missing);
}

/** A string a string processor reads; anything else fails as Elasticsearch's cast does. */
function asString(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new Error(`field [${field}] of type [${typeof value}] cannot be cast to [java.lang.String]`);
  return value;
}

/** Elasticsearch's definitions of the built-in grok patterns the library may use (libs/grok/src/main/resources/patterns/ecs-v1/grok-patterns). */
const GROK_BUILTINS: { [name: string]: string } = {
  WORD: '\\b\\w+\\b', NOTSPACE: '\\S+', DATA: '.*?', GREEDYDATA: '.*', POSINT: '\\b(?:[1-9][0-9]*)\\b', USERNAME: '[a-zA-Z0-9._-]+',
};

/** A grok pattern as a JavaScript regular expression, with a named group per captured field. */
function grokRegexp(pattern: string, definitions: { [name: string]: string }): { regexp: RegExp; fields: string[] } {
  const fields: string[] = [];
  const source = pattern.replace(/%\{([A-Z0-9_]+)(?::([^}]+))?\}/g, (_all, name: string, field?: string) => {
    const definition = definitions[name] ?? GROK_BUILTINS[name];
    if (definition === undefined) throw new Error(`Unable to find pattern [${name}] in Grok's pattern dictionary`);
    if (field === undefined) return `(?:${definition})`;
    fields.push(field);
    return `(?<g${fields.length - 1}>${definition})`;
  });
  return { regexp: new RegExp(source), fields };
}

function convert(value: any, type: string): any {
  switch (type) {
    case 'integer':
    case 'long': {
      const n = typeof value === 'number' ? value : /^-?\d+$/.test(String(value)) ? Number(value) : NaN;
      if (!Number.isInteger(n)) throw new Error(`unable to convert [${value}] to ${type}`);
      return n;
    }
    case 'double': {
      const n = Number(value);
      if (typeof value === 'boolean' || Number.isNaN(n) || String(value).trim() === '') throw new Error(`unable to convert [${value}] to double`);
      return n;
    }
    case 'string':
      return String(value);
    case 'boolean':
      if (value === true || value === false) return value;
      if (/^(true|false)$/i.test(String(value))) return String(value).toLowerCase() === 'true';
      throw new Error(`[${value}] is not a boolean value, cannot convert to boolean`);
    case 'ip':
      if (!/^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+)$/.test(String(value))) throw new Error(`'${value}' is not an IP string literal.`);
      return String(value);
  }
  throw new Error(`the model has no convert type ${type}`);
}

/** ISO 8601 with up to nine fraction digits, or epoch seconds / milliseconds, as a UTC nanosecond string. */
function parseDate(value: any, formats: string[]): string {
  for (const format of formats) {
    if (format === 'ISO8601' && typeof value === 'string') {
      const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/.exec(value);
      if (!m) continue;
      const whole = Date.parse(`${m[1]}T${m[2]}${m[4]}`);
      if (Number.isNaN(whole)) continue;
      return nanoString(BigInt(whole) * 1_000_000n + BigInt((m[3] ?? '').padEnd(9, '0')));
    }
    if (format === 'UNIX' || format === 'UNIX_MS') {
      const text = String(value);
      const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text);
      if (!m) continue;
      // DateFormat.Unix: Instant.ofEpochMilli((long) (Double.parseDouble(s) * 1000)): milliseconds only.
      if (format === 'UNIX') return nanoString(BigInt(Math.trunc(Number(text) * 1000)) * 1_000_000n);
      if (m[2] !== undefined) continue;
      return nanoString(BigInt(m[1]) * 1_000_000n);
    }
  }
  throw new Error(`unable to parse date [${value}]`);
}

function nanoString(nanos: bigint): string {
  const millis = Number(nanos / 1_000_000n);
  const iso = new Date(millis).toISOString(); // 2024-05-01T10:00:09.123Z
  return `${iso.slice(0, 19)}.${(nanos % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

/** The value at a dotted path (a key with dots, as a document may hold before expansion, is looked up whole too). */
export function get(doc: Doc, path: string): any {
  if (path in doc) return doc[path];
  let node: any = doc;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = node[part];
  }
  return node;
}

function put(doc: Doc, path: string, value: any): void {
  const parts = path.split('.');
  let node: any = doc;
  for (const part of parts.slice(0, -1)) {
    if (node[part] === undefined || node[part] === null) node[part] = {};
    if (typeof node[part] !== 'object' || Array.isArray(node[part])) {
      throw new Error(`cannot set [${path}]: [${part}] is not an object`);
    }
    node = node[part];
  }
  node[parts[parts.length - 1]] = value;
}

function del(doc: Doc, path: string): void {
  const parts = path.split('.');
  let node: any = doc;
  for (const part of parts.slice(0, -1)) {
    node = node?.[part];
    if (node === null || typeof node !== 'object') return;
  }
  // Elasticsearch leaves an emptied object; so does the model.
  Reflect.deleteProperty(node, parts[parts.length - 1]);
}

// ---------------------------------------------------------------------------
// Painless subset: `ctx.a?.b`, string/number/null literals, list literals, ==, !=,
// <, <=, >, >=, instanceof String|Number|List|Map, .contains(x), .startsWith(x),
// !, &&, ||, parentheses. Null-safe reads of a missing key give null.

type Token = { kind: 'id' | 'str' | 'num' | 'op' | 'punct'; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === "'") {
      let text = '';
      i++;
      while (i < source.length && source[i] !== "'") {
        if (source[i] === '\\') { text += source[i + 1]; i += 2; continue; }
        text += source[i++];
      }
      if (source[i] !== "'") throw new Error(`unterminated string in ${source}`);
      i++;
      tokens.push({ kind: 'str', text });
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(source.slice(i));
    if (num) { tokens.push({ kind: 'num', text: num[0] }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
    if (id) { tokens.push({ kind: 'id', text: id[0] }); i += id[0].length; continue; }
    const op = /^(\?\.|==|!=|<=|>=|&&|\|\||[<>!.])/.exec(source.slice(i));
    if (op) { tokens.push({ kind: 'op', text: op[0] }); i += op[0].length; continue; }
    if ('()[],'.includes(c)) { tokens.push({ kind: 'punct', text: c }); i++; continue; }
    throw new Error(`painless subset: unexpected ${JSON.stringify(c)} in ${source}`);
  }
  return tokens;
}

/** Evaluates a condition's Painless text against a document (`ctx`). */
export function evaluateCondition(source: string, ctx: Doc): any {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const expect = (text: string) => {
    const t = next();
    if (!t || t.text !== text) throw new Error(`painless subset: expected ${text} in ${source}, got ${t?.text}`);
  };

  function or(): any {
    let value = and();
    while (peek()?.text === '||') {
      next();
      if (truthy(value)) { skipOperand(['||']); continue; }
      value = truthy(and());
    }
    return value;
  }
  function and(): any {
    let value = unary();
    while (peek()?.text === '&&') {
      next();
      // Painless short-circuits: the right side is not evaluated (and cannot throw) when the left is false.
      if (!truthy(value)) { skipOperand(['&&', '||']); value = false; continue; }
      value = truthy(unary());
    }
    return value;
  }
  /** Skips the right side of a short-circuited operator, up to the next of `stops` (or a closing bracket) at its own depth. */
  function skipOperand(stops: string[]): void {
    let depth = 0;
    while (pos < tokens.length) {
      const t = peek();
      if (depth === 0 && (stops.includes(t.text) || t.text === ')' || t.text === ']' || t.text === ',')) return;
      if (t.text === '(' || t.text === '[') depth++;
      if (t.text === ')' || t.text === ']') depth--;
      next();
    }
  }
  function unary(): any {
    if (peek()?.text === '!') { next(); const v = unary(); if (typeof v !== 'boolean') throw new Error(`painless: ! of a non-boolean in ${source}`); return !v; }
    return comparison();
  }
  function comparison(): any {
    const left = postfix();
    const t = peek();
    if (t?.kind === 'id' && t.text === 'instanceof') {
      next();
      const type = next().text;
      if (type === 'String') return typeof left === 'string';
      if (type === 'Number') return typeof left === 'number';
      if (type === 'List') return Array.isArray(left);
      if (type === 'Map') return left !== null && typeof left === 'object' && !Array.isArray(left);
      throw new Error(`painless subset: instanceof ${type}`);
    }
    if (t && ['==', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      next();
      const right = postfix();
      switch (t.text) {
        case '==': return equal(left, right);
        case '!=': return !equal(left, right);
        default:
          if (typeof left !== 'number' || typeof right !== 'number') throw new Error(`painless: ${t.text} on ${JSON.stringify(left)} and ${JSON.stringify(right)} (a NullPointerException or ClassCastException) in ${source}`);
          return t.text === '<' ? left < right : t.text === '<=' ? left <= right : t.text === '>' ? left > right : left >= right;
      }
    }
    return left;
  }
  function postfix(): any {
    let value = primary();
    for (;;) {
      const t = peek();
      if (t?.text !== '.' && t?.text !== '?.') return value;
      next();
      const name = next();
      if (name.kind !== 'id') throw new Error(`painless subset: expected a name after ${t.text} in ${source}`);
      if (peek()?.text === '(') {
        next();
        const arg = or();
        expect(')');
        if (value === null && t.text === '?.') { value = null; continue; }
        if (name.text === 'contains' && (typeof value === 'string' || Array.isArray(value))) { value = typeof value === 'string' ? value.includes(String(arg)) : value.some((v) => equal(v, arg)); continue; }
        if (name.text === 'startsWith' && typeof value === 'string') { value = value.startsWith(String(arg)); continue; }
        // Map.get: null for a missing key.
        if (name.text === 'get' && value !== null && typeof value === 'object' && !Array.isArray(value)) { value = value[String(arg)] ?? null; continue; }
        throw new Error(`painless: ${name.text}() on ${JSON.stringify(value)} in ${source}`);
      }
      if (value === null || value === undefined) {
        if (t.text === '?.') { value = null; continue; }
        throw new Error(`painless: NullPointerException reading ${name.text} in ${source}`);
      }
      if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`painless: .${name.text} on a ${Array.isArray(value) ? 'list' : typeof value} in ${source}`);
      value = value[name.text] ?? null;
    }
  }
  function primary(): any {
    const t = next();
    if (!t) throw new Error(`painless subset: unexpected end of ${source}`);
    if (t.kind === 'str') return t.text;
    if (t.kind === 'num') return Number(t.text);
    if (t.text === '(') { const v = or(); expect(')'); return v; }
    if (t.text === '[') {
      const items: any[] = [];
      while (peek()?.text !== ']') { items.push(or()); if (peek()?.text === ',') next(); }
      expect(']');
      return items;
    }
    if (t.kind === 'id' && t.text === 'null') return null;
    if (t.kind === 'id' && (t.text === 'true' || t.text === 'false')) return t.text === 'true';
    if (t.kind === 'id' && t.text === 'ctx') {
      if (peek()?.text !== '[') return ctx;
      // ctx['@timestamp']: a top-level key that is no name.
      next();
      const key = next();
      expect(']');
      if (key.kind !== 'str') throw new Error(`painless subset: ctx[...] takes a string in ${source}`);
      return ctx[key.text] ?? null;
    }
    throw new Error(`painless subset: unexpected ${t.text} in ${source}`);
  }

  const result = or();
  if (pos !== tokens.length) throw new Error(`painless subset: trailing ${tokens[pos].text} in ${source}`);
  return result;
}

function truthy(value: any): boolean {
  if (typeof value !== 'boolean') throw new Error(`painless: a condition must be boolean, got ${JSON.stringify(value)}`);
  return value;
}

function equal(a: any, b: any): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

/**
 * `POST _ingest/pipeline/_simulate` on the model: each document through the body's
 * pipeline (with the stored pipelines callable), as `{ doc }` or `{ error }`.
 */
export function simulate(body: { pipeline: { processors: any[]; on_failure?: any[] }; docs: Array<{ _source: Doc }> }, store: PipelineStore): Array<{ doc?: Doc; error?: string }> {
  return body.docs.map(({ _source }) => {
    try {
      return { doc: runPipeline(body.pipeline, _source, store) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  });
}
