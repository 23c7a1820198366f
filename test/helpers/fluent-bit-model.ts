import { FluentBitConfig, FluentBitPlugin, FluentBitPluginKind } from '../../src';
import { strptimeRegexp } from './fluentd-model';
import { dedotKeys } from './dedot';

/**
 * A small model of the Fluent Bit filters the library renders (grep, parser, modify,
 * nest) and of the es output's `replace_dots`, driven by the rendered plugins, so
 * that sample events can be run through a route without a Fluent Bit binary.
 * Semantics follow the filters' documentation:
 * @see https://docs.fluentbit.io/manual/pipeline/filters/grep
 * @see https://docs.fluentbit.io/manual/pipeline/filters/parser
 * @see https://docs.fluentbit.io/manual/pipeline/filters/modify
 * @see https://docs.fluentbit.io/manual/pipeline/filters/nest
 */

export interface ModelEvent {
  /** The event time (the parsed time key when a parser sets it). */
  readonly time: string;
  readonly record: { [key: string]: any };
}

/** Fluent Bit's tag match: `*` matches any run of characters. */
export function tagMatches(pattern: string, tag: string): boolean {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(tag);
}

/** Runs an event through every filter of the config that matches the tag, in order; undefined when one drops it. */
export function runFilters(config: FluentBitConfig, tag: string, event: ModelEvent): ModelEvent | undefined {
  return route(config, tag, event)?.event;
}

/**
 * Runs an event through the filters and returns its final tag: a `rewrite_tag` rule
 * that matches re-emits the record under the new tag, from the first filter on (the
 * original is dropped, `keep false`); a record no rule matches keeps its tag.
 */
export function route(config: FluentBitConfig, tag: string, event: ModelEvent, depth = 0): { tag: string; event: ModelEvent } | undefined {
  if (depth > 5) throw new Error(`rewrite_tag loop at tag ${tag}`);
  let current: ModelEvent | undefined = event;
  for (const filter of config.pluginsOf(FluentBitPluginKind.FILTER).filter((f) => tagMatches(f.properties.match, tag))) {
    if (current === undefined) return undefined;
    if (filter.name === 'rewrite_tag') {
      const [accessor, regex, newTag, keep] = String(filter.properties.rule).split(' ');
      if (keep !== 'false') throw new Error('rewrite_tag keep true is not modelled');
      const value = current.record[accessor.replace(/^\$/, '')];
      if (value !== undefined && value !== null && new RegExp(regex).test(String(value))) return route(config, newTag, current, depth + 1);
      continue;
    }
    current = applyFilter(config, filter, current);
  }
  return current && { tag, event: current };
}

/** The outputs whose match takes the tag. */
export function outputsFor(config: FluentBitConfig, tag: string): FluentBitPlugin[] {
  return config.pluginsOf(FluentBitPluginKind.OUTPUT).filter((o) => tagMatches(o.properties.match, tag));
}

/**
 * A json parser of the config applied to a text (as the tail input's `parser` or the
 * parser filter do): the parsed fields and the event time (the time key's value when
 * present and matching the format, else `fallbackTime`); undefined when the text is
 * not JSON.
 */
export function parseJson(config: FluentBitConfig, parserName: string, text: string, fallbackTime: string): ModelEvent | undefined {
  const parser = config.parserList.find((x) => x.name === parserName);
  if (!parser) throw new Error(`parser ${parserName} is not defined in the config`);
  if (parser.properties.format !== 'json') throw new Error(`parser format ${parser.properties.format} is not modelled`);
  let parsed: { [key: string]: any };
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  let time = fallbackTime;
  const timeKey = parser.properties.time_key;
  if (timeKey !== undefined && parsed[timeKey] !== undefined) {
    if (!strptimeRegexp(parser.properties.time_format).test(String(parsed[timeKey]))) {
      throw new Error(`time ${parsed[timeKey]} does not match ${parser.properties.time_format}`);
    }
    time = String(parsed[timeKey]);
    if (parser.properties.time_keep !== true) parsed = without(parsed, timeKey);
  }
  return { time, record: parsed };
}

/** The es output's document: `replace_dots` turns dots in every key into `_`. */
export function esDocument(output: FluentBitPlugin, record: { [key: string]: any }): { [key: string]: any } {
  if (output.properties.replace_dots !== true) return record;
  return dedotKeys(record);
}

/** A copy of a record without one key. */
function without(record: { [key: string]: any }, key: string): { [key: string]: any } {
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));
}

function split2(value: string): [string, string] {
  const i = value.indexOf(' ');
  if (i < 0) throw new Error(`expected "KEY VALUE", got ${JSON.stringify(value)}`);
  return [value.slice(0, i), value.slice(i + 1)];
}

function applyFilter(config: FluentBitConfig, filter: FluentBitPlugin, event: ModelEvent): ModelEvent | undefined {
  const p = filter.properties;
  const record = { ...event.record };
  switch (filter.name) {
    case 'grep': {
      if (p.regex !== undefined) {
        const [key, regex] = split2(p.regex);
        if (record[key] === undefined || !new RegExp(regex).test(String(record[key]))) return undefined;
      }
      if (p.exclude !== undefined) {
        const [key, regex] = split2(p.exclude);
        if (record[key] !== undefined && new RegExp(regex).test(String(record[key]))) return undefined;
      }
      return { time: event.time, record };
    }
    case 'parser': {
      const parsed = parseJson(config, p.parser, String(record[p.key_name]), event.time);
      if (parsed === undefined) return { time: event.time, record }; // unparsable: the record passes unchanged
      let kept: { [key: string]: any } = p.reserve_data === true ? { ...record } : {};
      if (p.reserve_data === true && p.preserve_key !== true) kept = without(kept, p.key_name);
      return { time: parsed.time, record: { ...kept, ...parsed.record } };
    }
    case 'modify': {
      if (p.condition !== undefined) {
        const [op, rest] = split2(p.condition);
        if (op === 'key_value_equals') {
          const [key, value] = split2(rest);
          if (String(record[key]) !== value) return { time: event.time, record };
        } else if (op === 'key_value_matches') {
          const [key, regex] = split2(rest);
          if (record[key] === undefined || !new RegExp(regex).test(String(record[key]))) return { time: event.time, record };
        } else if (op === 'key_exists') {
          if (!(rest in record)) return { time: event.time, record };
        } else {
          throw new Error(`modify condition ${op} is not modelled`);
        }
      }
      let out = record;
      for (const [rule, value] of Object.entries(p)) {
        if (['match', 'alias', 'condition'].includes(rule)) continue;
        const [a, b] = rule === 'remove' ? [String(value), ''] : split2(String(value));
        if (rule === 'rename') { if (a in out && !(b in out)) out = { ...without(out, a), [b]: out[a] }; }
        else if (rule === 'copy') { if (a in out && !(b in out)) out = { ...out, [b]: out[a] }; }
        else if (rule === 'add') { if (!(a in out)) out = { ...out, [a]: b }; }
        else if (rule === 'set') { out = { ...out, [a]: b }; }
        else if (rule === 'remove') { out = without(out, a); }
        else throw new Error(`modify rule ${rule} is not modelled`);
      }
      return { time: event.time, record: out };
    }
    case 'nest': {
      if (p.operation === 'lift') {
        const nested = record[p.nested_under];
        if (nested === null || typeof nested !== 'object' || Array.isArray(nested)) return { time: event.time, record };
        const lifted = without(record, p.nested_under);
        for (const [k, v] of Object.entries(nested)) lifted[`${p.add_prefix ?? ''}${k}`] = v;
        return { time: event.time, record: lifted };
      }
      if (p.operation === 'nest') {
        const wildcard = String(p.wildcard);
        const matches = Object.keys(record).filter((k) => tagMatches(wildcard, k));
        if (matches.length === 0) return { time: event.time, record };
        const map = Object.fromEntries(matches.map((k) => [p.remove_prefix && k.startsWith(p.remove_prefix) ? k.slice(p.remove_prefix.length) : k, record[k]]));
        const rest = Object.fromEntries(Object.entries(record).filter(([k]) => !matches.includes(k)));
        return { time: event.time, record: { ...rest, [p.nest_under]: map } };
      }
      throw new Error(`nest operation ${p.operation} is not modelled`);
    }
    default:
      throw new Error(`filter ${filter.name} is not modelled`);
  }
}
