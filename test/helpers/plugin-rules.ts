import * as fs from 'fs';
import * as path from 'path';

/**
 * Cross-parameter rules of plugins: parameters a plugin's configure (fluentd) or init
 * (Fluent Bit) checks together, options that exclude or need each other, values that
 * are refused or silently change behaviour. Read from each plugin's code at the
 * versions we deploy (test/fixtures/fluentd-plugin-rules.json,
 * test/fixtures/fluent-bit-plugin-rules.json, with the file and line of each rule).
 *
 * A rule says: when `when` holds for a section, `require` must hold too. Conditions are
 * evaluated on effective values: the rendered value, else the plugin's default from the
 * fixture. Rules whose id ends in `-explicit` see rendered values only (the plugin asks
 * whether the key was written).
 */
export type Condition =
  | { all: Condition[] } | { any: Condition[] } | { not: Condition }
  | { set: string } | { unset: string } | { equals: [string, unknown] } | { notEquals: [string, unknown] } | { in: [string, unknown[]] }
  | { hasSection: string } | { argumentIncludes: string } | { sectionValueMatches: [string, string] }
  | { matches: [string, string, string?] } | { cmp: [string, string, number | { prop: string; times?: number }, string] } | { opaque: string };

export interface PluginRule {
  readonly id: string;
  readonly when: Condition;
  readonly require: Condition;
  readonly message: string;
  readonly effect: string;
  readonly source: string;
}

export interface RuleBook { [key: string]: { defaults?: { [param: string]: unknown }; rules?: PluginRule[] } }

/** A section as the rules see it: plugin-kind key, argument, parameters (lowercase for Fluent Bit), nested section names. */
export interface RuleSubject {
  /** The rule-book keys that apply, in order (e.g. `parse:_base`, `parse:json`): the later ones' defaults win. */
  readonly keys: string[];
  readonly argument?: string;
  readonly params: { [param: string]: unknown };
  /** The enclosing section's parameters, for `../param` references. */
  readonly parentParams?: { [param: string]: unknown };
  /** Fluent Bit's service section, for `service.param` references. */
  readonly serviceParams?: { [param: string]: unknown };
  readonly sections: string[];
  /** The parameter values of each nested section, by section name (for `sectionValueMatches`). */
  readonly sectionValues?: { [section: string]: string[] };
  /** Where, for messages. */
  readonly where: string;
}

export function loadRuleBook(file: string): RuleBook {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', file), 'utf-8'));
}

/** A parameter value as a plugin reads it: booleans and integers from their words, strings as they are. */
export type ValueReader = (value: unknown) => unknown;

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && !((typeof value === 'string' || Array.isArray(value)) && value.length === 0)
    && !(typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0 && value.constructor === Object);
}

function loose(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Fluent Bit's size (flb_utils_size_to_bytes: decimal K, M, G with an optional B), time (flb_utils_time_to_seconds) and numbers. */
function parseNumber(value: unknown, kind: string): number | undefined {
  const text = String(value).trim();
  if (kind === 'size') {
    const m = /^([-+]?(?:\d+\.?\d*|\.\d+))([kKmMgG])?[bB]?$/.exec(text);
    if (!m) return undefined;
    return Number(m[1]) * ({ k: 1e3, m: 1e6, g: 1e9 } as { [u: string]: number })[(m[2] ?? '').toLowerCase()] || Number(m[1]);
  }
  if (kind === 'time') {
    const m = /^(\d+)([dhm])?/.exec(text);
    if (!m) return undefined;
    return Number(m[1]) * ({ d: 86400, h: 3600, m: 60 } as { [u: string]: number })[m[2] ?? ''] || Number(m[1]);
  }
  const n = kind === 'int' ? parseInt(text, 10) : Number(text);
  return Number.isNaN(n) ? undefined : n;
}

/**
 * Evaluates one condition on a subject: true, false, or undefined where the rendered
 * configuration cannot decide it (`opaque`: a file's existence, another plugin's
 * definitions); a rule is broken only where its `when` is true and its `require` false.
 */
export function holds(book: RuleBook, subject: RuleSubject, key: string, condition: Condition, explicit: boolean, read: ValueReader): boolean | undefined {
  const value = (param: string): unknown => {
    if (param.startsWith('service.') && subject.serviceParams !== undefined) return subject.serviceParams[param.slice(8)];
    if (param.startsWith('../')) {
      const own = subject.parentParams?.[param.slice(3)];
      if (own !== undefined) return read(own);
      return explicit ? undefined : book[key]?.defaults?.[param];
    }
    if (subject.params[param] !== undefined) return read(subject.params[param]);
    if (explicit) return undefined;
    let fallback: unknown;
    for (const k of subject.keys) if (book[k]?.defaults?.[param] !== undefined) fallback = book[k]?.defaults?.[param];
    return fallback;
  };
  const sub = (x: Condition) => holds(book, subject, key, x, explicit, read);
  const c = condition as any;
  if (c.all) {
    const results = c.all.map(sub);
    return results.includes(false) ? false : results.includes(undefined) ? undefined : true;
  }
  if (c.any) {
    const results = c.any.map(sub);
    return results.includes(true) ? true : results.includes(undefined) ? undefined : false;
  }
  if (c.not) {
    const result = sub(c.not);
    return result === undefined ? undefined : !result;
  }
  if (c.opaque !== undefined) return undefined;
  if (c.set !== undefined) return isSet(value(c.set));
  if (c.unset !== undefined) return !isSet(value(c.unset));
  if (c.equals) return loose(value(c.equals[0]), c.equals[1]);
  if (c.notEquals) return !loose(value(c.notEquals[0]), c.notEquals[1]);
  if (c.in) return c.in[1].some((v: unknown) => loose(value(c.in[0]), v));
  if (c.sectionValueMatches) {
    const [name, pattern] = c.sectionValueMatches;
    return (subject.sectionValues?.[name] ?? []).some((v) => new RegExp(pattern).test(v));
  }
  if (c.matches) {
    const v = value(c.matches[0]);
    if (v === undefined || v === null) return false;
    // A property given several times (a list) must match in every item.
    return (Array.isArray(v) ? v : [v]).every((item) => new RegExp(c.matches[1], c.matches[2] ?? '').test(String(item)));
  }
  if (c.cmp) {
    const [param, op, against, kind] = c.cmp;
    const left = parseNumber(value(param), kind);
    const right = typeof against === 'object' ? parseNumber(value(against.prop), kind) : against;
    if (left === undefined || right === undefined) return false;
    const r = (typeof against === 'object' ? right * (against.times ?? 1) : right) as number;
    return ({ '<': left < r, '<=': left <= r, '>': left > r, '>=': left >= r, '==': left === r, '!=': left !== r } as { [op: string]: boolean })[op];
  }
  if (c.hasSection !== undefined) return subject.sections.includes(c.hasSection);
  if (c.argumentIncludes !== undefined) {
    const given = (subject.argument ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '');
    const args = given.length > 0 ? given : (book[key]?.defaults?.chunk_keys as string[] | undefined) ?? [];
    return args.includes(c.argumentIncludes);
  }
  throw new Error(`unknown rule condition ${JSON.stringify(condition)}`);
}

/** The rules a subject breaks, as `<key> <rule id> at <where>: <message>`. */
export function brokenRules(book: RuleBook, subject: RuleSubject, read: ValueReader): string[] {
  const broken: string[] = [];
  for (const key of subject.keys) {
    for (const rule of book[key]?.rules ?? []) {
      const explicit = rule.id.endsWith('-explicit');
      if (holds(book, subject, key, rule.when, explicit, read) === true && holds(book, subject, key, rule.require, explicit, read) === false) {
        broken.push(`${key} ${rule.id} at ${subject.where}: ${rule.message}`);
      }
    }
  }
  return broken;
}

/** Every rule has a source line and an effect, so that no rule is added without saying where it comes from. */
export function ruleBookProblems(book: RuleBook): string[] {
  const problems: string[] = [];
  for (const [key, entry] of Object.entries(book)) {
    if (key.startsWith('_')) continue;
    for (const rule of entry.rules ?? []) {
      if (!/@\S+ \S+:\d/.test(rule.source)) problems.push(`${key} ${rule.id}: source must be <repo>@<tag> <path>:<line>, got ${JSON.stringify(rule.source)}`);
      if (!['config-error', 'init-error', 'warning', 'silent'].includes(rule.effect)) problems.push(`${key} ${rule.id}: unknown effect ${rule.effect}`);
    }
  }
  return problems;
}
