import { KibanaDashboard } from '../../src';

/**
 * Whether each panel of a dashboard can show anything: the saved objects check that a
 * field is in the mapping, which a field that no route ever writes passes too (the
 * "alerts by pod" panel stayed empty while Falco's alerts carried no pod). Here the
 * documents are the source's real samples after the route's models, and every field a
 * panel reads must hold a value in at least one document its query selects.
 */

/** A document's value at a dotted path (`user.username`), nested or as a literal dotted key. */
function valueAt(document: any, path: string): unknown {
  if (document === null || typeof document !== 'object') return undefined;
  if (path in document) return document[path];
  const dot = path.indexOf('.');
  for (let i = dot; i >= 0; i = path.indexOf('.', i + 1)) {
    const head = path.slice(0, i);
    if (head in document) {
      const found = valueAt(document[head], path.slice(i + 1));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

const filled = (value: unknown) => value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);

/**
 * The KQL the built-in panels use: clauses `[not] field : "value"` joined by `and`.
 * Anything else is refused, so that a panel with a query this cannot read fails the
 * check instead of passing it.
 */
export function kqlMatches(query: string, document: any): boolean {
  if (query.trim() === '') return true;
  return query.split(/\s+and\s+/).every((clause) => {
    const m = /^(not\s+)?([@\w.]+)\s*:\s*"([^"]*)"$/.exec(clause.trim());
    if (!m) throw new Error(`KQL clause not modelled: ${JSON.stringify(clause)}`);
    const equal = String(valueAt(document, m[2]) ?? '') === m[3];
    return m[1] ? !equal : equal;
  });
}

/** `panel id: field` for every field no document its query selects has a value for. */
export function unfilledPanelFields(dashboard: KibanaDashboard, documents: any[]): string[] {
  const problems: string[] = [];
  for (const panel of dashboard._panels()) {
    const json = panel.toJson();
    const query: string = JSON.parse(json.attributes.kibanaSavedObjectMeta.searchSourceJSON).query.query;
    const selected = documents.filter((d) => kqlMatches(query, d));
    for (const [field] of panel._fields().fields) {
      if (!selected.some((d) => filled(valueAt(d, field)))) problems.push(`${panel.id}: ${field}`);
    }
  }
  return problems;
}
