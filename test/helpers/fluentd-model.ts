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

/** All sections of a config tree, depth first. */
export function allSections(sections: FluentdSection[]): FluentdSection[] {
  return sections.flatMap((s) => [s, ...allSections(s.sections)]);
}
