import { kqlMatch, valuesAt } from './kql';
import { KibanaDashboard } from '../../src';

/**
 * Whether each panel of a dashboard can show anything: the saved objects check that a
 * field is in the mapping, which a field that no route ever writes passes too (the
 * "alerts by pod" panel stayed empty while Falco's alerts carried no pod). Here the
 * documents are the source's real samples after the route's models, and every field a
 * panel reads must hold a value in at least one document its query selects (the query
 * read by the KQL subset's evaluator, which refuses anything outside it).
 */

const filled = (values: unknown[]) => values.some((v) => v !== '');

/** Whether a document matches a panel's query ('' matches everything). */
export function kqlMatches(query: string, document: any): boolean {
  return query.trim() === '' || kqlMatch(query, document);
}

/** `panel id: field` for every field no document its query selects has a value for. */
export function unfilledPanelFields(dashboard: KibanaDashboard, documents: any[]): string[] {
  const problems: string[] = [];
  for (const panel of dashboard._panels()) {
    const json = panel.toJson();
    const query: string = json.type === 'lens' ? json.attributes.state.query.query : JSON.parse(json.attributes.kibanaSavedObjectMeta.searchSourceJSON).query.query;
    const selected = documents.filter((d) => kqlMatches(query, d));
    for (const [field] of panel._fields().fields) {
      if (!selected.some((d) => filled(valuesAt(d, field)))) problems.push(`${panel.id}: ${field}`);
    }
  }
  return problems;
}
