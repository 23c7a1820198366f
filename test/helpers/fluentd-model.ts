import { FluentdSection } from '../../src';

/**
 * Small models of fluentd plugin behaviour, driven by the sections the library
 * renders (so the settings under test are the rendered ones, not a second copy).
 */

/** fluentd's record_accessor: `$.a.b` digs into nested hashes; a plain key is a top-level field. */
export function recordAccessor(key: string): (record: any) => unknown {
  if (!key.startsWith('$.')) return (record) => record[key];
  const path = key.slice(2).split('.');
  return (record) => path.reduce((value, part) => (value !== null && typeof value === 'object' ? value[part] : undefined), record);
}

/** A `/.../` fluentd regexp value as a JavaScript RegExp (the patterns we render use the common syntax subset). */
export function fluentdRegexp(value: string): RegExp {
  const match = /^\/(.*)\/([imx]*)$/.exec(value);
  if (!match) throw new Error(`not a /regexp/ value: ${value}`);
  return new RegExp(match[1], match[2].replace('x', ''));
}

/**
 * fluent-plugin-rewrite-tag-filter 2.4 `rewrite_tag`: rules in order; an empty value
 * skips a normal rule; `invert` rules fire when the pattern does not match; `$1`
 * takes the first capture. Returns undefined when no rule fires (the record is dropped).
 */
export function rewriteTag(match: FluentdSection, record: any): string | undefined {
  for (const rule of match.sections.filter((s) => s.name === 'rule')) {
    const { key, pattern, tag, invert } = rule.params;
    const raw = recordAccessor(key)(record);
    const value = raw === undefined || raw === null ? '' : String(raw);
    if (value === '' && !invert) continue;
    const found = fluentdRegexp(pattern).exec(value);
    if (invert ? found : !found) continue;
    return invert ? tag : tag.replace(/\$(\d+)/g, (_: string, n: string) => found?.[Number(n)] ?? '');
  }
  return undefined;
}

/**
 * A strptime format of the kinds we render (`%Y %m %d %H %M %S %N %z` and literals)
 * as a RegExp matching the whole value, for checking real timestamps against it.
 */
export function strptimeRegexp(format: string): RegExp {
  const parts: { [key: string]: string } = {
    '%Y': '\\d{4}', '%m': '\\d{2}', '%d': '\\d{2}', '%H': '\\d{2}', '%M': '\\d{2}', '%S': '\\d{2}',
    '%N': '\\d{1,9}', '%L': '\\d{1,9}', '%z': '(Z|[+-]\\d{2}:?\\d{2})',
  };
  const source = format.replace(/%[A-Za-z]|[^%]+/g, (token) => {
    if (token.startsWith('%')) {
      const re = parts[token];
      if (!re) throw new Error(`strptime directive ${token} is not modelled`);
      return re;
    }
    return token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${source}$`);
}

/**
 * fluentd's time parsing of a `<parse>` section (lib/fluent/time.rb): `time_type string`
 * tries `time_format`; `mixed` tries it, then each of `time_format_fallbacks` in order
 * (`%iso8601` is Ruby's Time.iso8601: a date, `T`, a time with an optional fraction, and
 * `Z` or an offset). Whether a time string parses.
 */
export function parsesTime(parse: FluentdSection, value: string): boolean {
  const { time_type: type, time_format: format, time_format_fallbacks: fallbacks } = parse.params;
  const formats = [format, ...(type === 'mixed' ? (fallbacks ?? []) : [])].filter((f) => f !== undefined);
  if (formats.length === 0) throw new Error('no time_format to model');
  const iso8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
  return formats.some((f: string) => (f === '%iso8601' ? iso8601 : strptimeRegexp(f)).test(value));
}

/** All sections of a config tree, depth first. */
export function allSections(sections: FluentdSection[]): FluentdSection[] {
  return sections.flatMap((s) => [s, ...allSections(s.sections)]);
}
