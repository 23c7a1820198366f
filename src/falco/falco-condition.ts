import { FALCO_ARGUMENT_FIELDS, FALCO_FIELDS } from './falco-catalogue';

/**
 * A reader of Falco's condition language, enough to find what Falco 0.44 would refuse
 * or silently misread: unbalanced parentheses, names of macros that do not exist,
 * fields it does not have, and list names one or two letters off a defined list.
 * It follows libsinsp's parser (libs 0.25.4 `userspace/libsinsp/filter/parser.cpp`): a
 * field name is dot-separated words (`proc.name`), optionally with `[argument]`; a word
 * without a dot where a condition is expected is a macro; after a comparison operator
 * comes one value, after `in`, `intersects` and `pmatch` a parenthesized list whose bare
 * words are list names when such a list exists and literal values otherwise.
 * @see https://falco.org/docs/concepts/rules/conditions/
 */

const FIELD_NAME = /^[a-zA-Z]+[a-zA-Z0-9_]*(\.[a-zA-Z]+[a-zA-Z0-9_]*)+/;
const WORD = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const LIST_OPERATORS = new Set(['in', 'intersects', 'pmatch']);
const UNARY_OPERATORS = new Set(['exists']);
const OPERATORS = new Set([
  'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'glob', 'iglob', 'regex',
]);
const SYMBOL_OPERATORS = ['!=', '<=', '>=', '==', '=', '<', '>'];
/** Field transformers (libs 0.25: filter/parser.cpp), `tolower(proc.name)`. */
const TRANSFORMERS = new Set(['tolower', 'toupper', 'b64', 'basename', 'len', 'val']);

/** What a condition refers to. */
export interface ConditionReferences {
  /** Words used as macros. */
  readonly macros: string[];
  /** Words inside `in (...)` lists (list names or literal values). */
  readonly listItems: string[];
  /** Fields, with their argument as written (`proc.aname[2]`). */
  readonly fields: string[];
}

/** Reads a condition; throws a message (without the rule's name) on a syntax error. */
export function readCondition(condition: string): ConditionReferences {
  const macros: string[] = [];
  const listItems: string[] = [];
  const fields: string[] = [];
  let i = 0;
  const text = condition;
  const skip = () => { while (i < text.length && /\s/.test(text[i])) i++; };
  const fail = (why: string): never => { throw new Error(`${why} at position ${i} of ${JSON.stringify(condition)}`); };
  const peekWord = (): string | undefined => WORD.exec(text.slice(i))?.[0];

  // A quoted string, or a bare value up to whitespace, a comma or a closing parenthesis.
  const value = (inList: boolean): { bare?: string } => {
    skip();
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      i++;
      while (i < text.length && text[i] !== quote) i += text[i] === '\\' ? 2 : 1;
      if (i >= text.length) fail('an unterminated string');
      i++;
      return {};
    }
    const start = i;
    let depth = 0;
    while (i < text.length) {
      const c = text[i];
      if (/\s/.test(c) || c === ',' || (c === ')' && depth === 0)) break;
      if (c === '(' && !inList) break;
      if (c === '[') depth++;
      if (c === ']') depth--;
      i++;
    }
    if (i === start) fail('a missing value');
    return { bare: text.slice(start, i) };
  };

  const field = (): void => {
    skip();
    const word = peekWord();
    if (word !== undefined && TRANSFORMERS.has(word) && text[i + word.length] === '(') {
      i += word.length + 1;
      field();
      skip();
      if (text[i] !== ')') fail(`a missing ')' after ${word}(`);
      i++;
      return;
    }
    const match = FIELD_NAME.exec(text.slice(i));
    if (!match) fail('a field name (like proc.name) expected');
    let name = (match as RegExpExecArray)[0];
    i += name.length;
    if (text[i] === '[') {
      const end = text.indexOf(']', i);
      if (end < 0) fail(`an unclosed '[' after ${name}`);
      name += text.slice(i, end + 1);
      i = end + 1;
    }
    fields.push(name);
  };

  const comparison = (): void => {
    field();
    skip();
    const symbol = SYMBOL_OPERATORS.find((s) => text.startsWith(s, i));
    if (symbol !== undefined) {
      i += symbol.length;
      valueOrField();
      return;
    }
    const word = peekWord();
    if (word === undefined) fail('an operator expected after a field');
    i += (word as string).length;
    if (UNARY_OPERATORS.has(word as string)) return;
    if (LIST_OPERATORS.has(word as string)) {
      skip();
      if (text[i] !== '(') {
        // `in some_list` without parentheses is not accepted by Falco either.
        fail(`'(' expected after ${word}`);
      }
      i++;
      skip();
      if (text[i] === ')') { i++; return; }
      for (;;) {
        const item = value(true);
        if (item.bare !== undefined) listItems.push(item.bare);
        skip();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ')') { i++; return; }
        fail("',' or ')' expected in a list");
      }
    }
    if (!OPERATORS.has(word as string)) fail(`unknown operator ${JSON.stringify(word)}`);
    valueOrField();
  };

  const valueOrField = (): void => {
    skip();
    const word = peekWord();
    if (word === 'val' && text[i + 3] === '(') { field(); return; }
    value(false);
  };

  const operand = (): void => {
    skip();
    if (text[i] === '(') {
      i++;
      expression();
      skip();
      if (text[i] !== ')') fail("a missing ')'");
      i++;
      return;
    }
    const word = peekWord();
    if (word === 'not' && /[\s(]/.test(text[i + 3] ?? '')) {
      i += 3;
      operand();
      return;
    }
    if (FIELD_NAME.test(text.slice(i)) || (word !== undefined && TRANSFORMERS.has(word) && text[i + word.length] === '(')) {
      comparison();
      return;
    }
    if (word !== undefined) {
      macros.push(word);
      i += word.length;
      return;
    }
    fail(text[i] === ')' ? "a ')' without its '('" : `a condition expected, found ${JSON.stringify(text.slice(i, i + 10))}`);
  };

  const expression = (): void => {
    operand();
    for (;;) {
      skip();
      const word = peekWord();
      if (word === 'and' || word === 'or') {
        i += word.length;
        operand();
        continue;
      }
      return;
    }
  };

  expression();
  skip();
  if (i < text.length) fail(text[i] === ')' ? "a ')' without its '('" : `unexpected ${JSON.stringify(text.slice(i, i + 10))}`);
  return { macros, listItems, fields };
}

/** Why Falco would refuse a field reference (`proc.name`, `proc.aname[2]`, `evt.arg.flags`), or undefined. */
export function fieldProblem(reference: string): string | undefined {
  const bracket = reference.indexOf('[');
  const name = bracket < 0 ? reference : reference.slice(0, bracket);
  if (bracket < 0) {
    if (FALCO_FIELDS.includes(name)) return undefined;
    const argument = FALCO_ARGUMENT_FIELDS[name];
    if (argument?.[0] === 'optional') return undefined;
    if (argument !== undefined) return `field ${name} needs an argument (${argument.includes('bracket') ? `${name}[...]` : `${name}.<name>`})`;
    // The dot form: evt.arg.flags, thread.cgroup.cpu.
    const owner = Object.keys(FALCO_ARGUMENT_FIELDS).find((f) => name.startsWith(`${f}.`) && FALCO_ARGUMENT_FIELDS[f].includes('dot'));
    return owner !== undefined ? undefined : `Falco 0.44 has no field ${name}`;
  }
  const argument = FALCO_ARGUMENT_FIELDS[name];
  if (argument === undefined) {
    return FALCO_FIELDS.includes(name) ? `field ${name} takes no argument, got ${reference}` : `Falco 0.44 has no field ${name}`;
  }
  return argument.includes('bracket') ? undefined : `field ${name} takes its argument as ${name}.<name>, not in brackets`;
}

/** The `%field` references of an output format. */
export function outputFields(output: string): string[] {
  return [...output.matchAll(/%([a-zA-Z]+[a-zA-Z0-9_]*(?:\.[a-zA-Z]+[a-zA-Z0-9_]*)+(?:\[[^\]]*\])?)/g)].map((m) => m[1]);
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}
