/**
 * A parser and evaluator of the KQL subset the detection rules are written in (see
 * `DetectionCondition`): `field : "v"`, `field : ("a" or "b")`, `field : *`,
 * `field : prefix*`, `field >= n`, `and`, `or`, `not`, parentheses. It reads the query
 * text a rule ships, so the tests check what Kibana will run, not the typed condition it
 * came from. Anything else is refused, so that a query outside the subset fails the test
 * instead of passing it. Values match as keyword values do (whole and case-sensitive);
 * a list field matches when any of its values does.
 */

type Node =
  | { kind: 'and' | 'or'; children: Node[] } | { kind: 'not'; child: Node }
  | { kind: 'values'; field: string; values: string[] } | { kind: 'exists'; field: string }
  | { kind: 'prefix'; field: string; prefix: string } | { kind: 'atLeast'; field: string; limit: number };

/** Parses a query of the subset; throws on anything else. */
export function parseKql(query: string): Node {
  let i = 0;
  const ws = () => { while (i < query.length && /\s/.test(query[i])) i++; };
  const word = (w: string) => {
    ws();
    if (query.startsWith(w, i) && !/[A-Za-z0-9_.@]/.test(query[i + w.length] ?? '')) { i += w.length; return true; }
    return false;
  };
  const expect = (c: string) => { ws(); if (query[i] !== c) throw new Error(`KQL: expected ${c} at ${i} in ${query}`); i++; };
  const quoted = (): string => {
    ws();
    if (query[i] !== '"') throw new Error(`KQL: expected a quoted value at ${i} in ${query}`);
    i++;
    let out = '';
    while (i < query.length && query[i] !== '"') {
      if (query[i] === '\\') i++;
      out += query[i++];
    }
    expect('"');
    return out;
  };
  const field = (): string => {
    ws();
    const m = /^@?[A-Za-z_][A-Za-z0-9_./-]*/.exec(query.slice(i));
    if (!m) throw new Error(`KQL: expected a field at ${i} in ${query}`);
    i += m[0].length;
    return m[0];
  };
  const primary = (): Node => {
    ws();
    if (query[i] === '(') { i++; const e = or(); expect(')'); return e; }
    const f = field();
    ws();
    if (query.startsWith('>=', i)) {
      i += 2; ws();
      const m = /^-?\d+(\.\d+)?/.exec(query.slice(i));
      if (!m) throw new Error(`KQL: expected a number at ${i} in ${query}`);
      i += m[0].length;
      return { kind: 'atLeast', field: f, limit: Number(m[0]) };
    }
    expect(':');
    ws();
    if (query[i] === '*') { i++; return { kind: 'exists', field: f }; }
    if (query[i] === '"') return { kind: 'values', field: f, values: [quoted()] };
    if (query[i] === '(') {
      i++;
      const values = [quoted()];
      while (word('or')) values.push(quoted());
      expect(')');
      return { kind: 'values', field: f, values };
    }
    // An unquoted prefix: escaped characters, then a final *.
    let prefix = '';
    while (i < query.length && query[i] !== '*') {
      // The grammar escapes only these (kuery grammar.peggy): anything else is no KQL.
      if (query[i] === '\\') {
        if (!'\\():<>"*{}'.includes(query[i + 1] ?? '')) throw new Error(`KQL: an escape outside the grammar at ${i} in ${query}`);
        i++; prefix += query[i++]; continue;
      }
      if (/[\s():<>"]/.test(query[i])) throw new Error(`KQL: an unquoted value outside the subset at ${i} in ${query}`);
      prefix += query[i++];
    }
    expect('*');
    return { kind: 'prefix', field: f, prefix };
  };
  const not = (): Node => (word('not') ? { kind: 'not', child: not() } : primary());
  const and = (): Node => {
    const children = [not()];
    while (word('and')) children.push(not());
    return children.length === 1 ? children[0] : { kind: 'and', children };
  };
  const or = (): Node => {
    const children = [and()];
    while (word('or')) children.push(and());
    return children.length === 1 ? children[0] : { kind: 'or', children };
  };
  const tree = or();
  ws();
  if (i !== query.length) throw new Error(`KQL: unexpected ${JSON.stringify(query.slice(i))} in ${query}`);
  return tree;
}

/** A document's values at a dotted path, nested objects and lists walked, literal dotted keys too. */
export function valuesAt(doc: any, path: string): unknown[] {
  if (doc === undefined || doc === null) return [];
  if (Array.isArray(doc)) return doc.flatMap((d) => valuesAt(d, path));
  if (typeof doc !== 'object') return [];
  if (path in doc) return [doc[path]].flat().filter((v) => v !== undefined && v !== null);
  const out: unknown[] = [];
  for (let i = path.indexOf('.'); i >= 0; i = path.indexOf('.', i + 1)) {
    const head = path.slice(0, i);
    if (head in doc) out.push(...valuesAt(doc[head], path.slice(i + 1)));
  }
  return out;
}

function holds(node: Node, doc: any): boolean {
  switch (node.kind) {
    case 'and': return node.children.every((c) => holds(c, doc));
    case 'or': return node.children.some((c) => holds(c, doc));
    case 'not': return !holds(node.child, doc);
    // Elasticsearch's exists counts an empty string as a value.
    case 'exists': return valuesAt(doc, node.field).length > 0;
    case 'values': return valuesAt(doc, node.field).some((v) => node.values.includes(String(v)));
    case 'prefix': return valuesAt(doc, node.field).some((v) => String(v).startsWith(node.prefix));
    case 'atLeast': return valuesAt(doc, node.field).some((v) => typeof v === 'number' && v >= node.limit);
  }
}

/** Whether a document matches a query of the subset. */
export function kqlMatch(query: string, doc: any): boolean {
  return holds(parseKql(query), doc);
}
