import { kqlMatch, valuesAt } from './kql';

/**
 * What a Lens object of ours shows for a set of documents, as Elasticsearch's aggregations
 * compute it: the documents its query matches, split by its bucket columns in order
 * (`terms`: a document counts once under each of its values, the top `size` buckets by the
 * metric column, ties by key; `date_histogram`: one bucket, the tests' time range), and per
 * row the metric columns (`count`, `unique_count`, and `last_value`: the value of the
 * latest document, by its sort field, that has one). Rows sorted as Lens shows a table:
 * bucket by bucket. Any other operation is refused.
 */
export function lensRows(lens: any, docs: any[]): { [columnId: string]: unknown }[] {
  const state = lens.attributes.state;
  const layers = Object.values(state.datasourceStates.formBased.layers) as any[];
  if (layers.length !== 1) throw new Error(`lens ${lens.id}: one layer expected`);
  const { columns, columnOrder } = layers[0];
  const matching = state.query.query === '' ? docs : docs.filter((d) => kqlMatch(state.query.query, d));
  const buckets = (columnOrder as string[]).filter((id) => columns[id].isBucketed);
  const metrics = (columnOrder as string[]).filter((id) => !columns[id].isBucketed);
  const metricOf = (id: string, group: any[]): unknown => {
    const c = columns[id];
    switch (c.operationType) {
      case 'count': return group.length;
      case 'unique_count': return new Set(group.flatMap((d) => valuesAt(d, c.sourceField).map(String))).size;
      case 'last_value': {
        // Its filter (the field exists) is what Lens's editor sets; the latest document with a value.
        const withValue = group.filter((d) => kqlMatch(c.filter.query, d));
        const time = (d: any) => String(valuesAt(d, c.params.sortField)[0]);
        const latest = [...withValue].sort((a, b) => (time(a) < time(b) ? 1 : time(a) > time(b) ? -1 : 0))[0];
        return latest === undefined ? null : valuesAt(latest, c.sourceField)[0];
      }
      default: throw new Error(`lens ${lens.id}: no model of metric ${c.operationType}`);
    }
  };
  const split = (level: number, group: any[], row: { [id: string]: unknown }): { [id: string]: unknown }[] => {
    if (level === buckets.length) return [{ ...row, ...Object.fromEntries(metrics.map((id) => [id, metricOf(id, group)])) }];
    const c = columns[buckets[level]];
    if (c.operationType === 'date_histogram') return split(level + 1, group, row);
    if (c.operationType !== 'terms') throw new Error(`lens ${lens.id}: no model of bucket ${c.operationType}`);
    if (c.params.orderBy.type !== 'column' || columns[c.params.orderBy.columnId] === undefined) throw new Error(`lens ${lens.id}: terms ordered by ${JSON.stringify(c.params.orderBy)}`);
    const byKey = new Map<string, any[]>();
    for (const d of group) for (const v of new Set(valuesAt(d, c.sourceField).map(String))) byKey.set(v, [...byKey.get(v) ?? [], d]);
    const order = c.params.orderBy.columnId as string;
    const ranked = [...byKey].map(([key, ds]) => ({ key, ds, by: metricOf(order, ds) as number }))
      .sort((a, b) => (c.params.orderDirection === 'desc' ? b.by - a.by : a.by - b.by) || (a.key < b.key ? -1 : 1))
      .slice(0, c.params.size);
    return ranked.flatMap(({ key, ds }) => split(level + 1, ds, { ...row, [buckets[level]]: key }));
  };
  return split(0, matching, {});
}
