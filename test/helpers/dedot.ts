/**
 * Dots in every key replaced, nested objects and lists included: what Fluentd's dedot
 * filter (`de_dot_nested`) and Fluent Bit's es output (`replace_dots`) do to a record.
 */
export function dedotKeys(value: any, separator = '_'): any {
  if (Array.isArray(value)) return value.map((v) => dedotKeys(v, separator));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/\./g, separator), dedotKeys(v, separator)]));
}
