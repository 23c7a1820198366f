/**
 * A typed condition on indexed documents, rendered as KQL (Kibana Query Language) in a
 * small documented subset, so that the rules' queries are generated, never hand-written:
 *
 * | condition | KQL |
 * |---|---|
 * | `is(field, value)` | `field : "value"` |
 * | `oneOf(field, values)` | `field : ("a" or "b")` |
 * | `exists(field)` | `field : *` |
 * | `startsWith(field, prefix)` | `field : prefix*` (the prefix escaped) |
 * | `atLeast(field, n)` | `field >= n` |
 * | `and(...)`, `or(...)` | `(a and b)`, `(a or b)` |
 * | `not(c)` | `not (c)` |
 *
 * Values are matched as keyword values are: the whole value, case-sensitive.
 * @see https://www.elastic.co/guide/en/kibana/8.19/kuery-query.html
 */
export class DetectionCondition {
  /** The field holds this value (a keyword, or one of a list's values). */
  public static is(field: string, value: string): DetectionCondition {
    checkValue(`detection condition is(${field})`, value);
    return new DetectionCondition('is', field, [value], []);
  }

  /** The field holds one of these values. */
  public static oneOf(field: string, values: string[]): DetectionCondition {
    if (!Array.isArray(values) || values.length === 0) throw new Error(`detection condition oneOf(${field}) values must be a non-empty list of strings, got ${JSON.stringify(values)}`);
    values.forEach((v) => checkValue(`detection condition oneOf(${field})`, v));
    return new DetectionCondition('oneOf', field, [...values], []);
  }

  /** The field has a value. */
  public static exists(field: string): DetectionCondition {
    return new DetectionCondition('exists', field, [], []);
  }

  /** The field's value starts with `prefix` (a keyword field). */
  public static startsWith(field: string, prefix: string): DetectionCondition {
    checkValue(`detection condition startsWith(${field})`, prefix);
    // KQL has no escape for whitespace in an unquoted value (kuery grammar.peggy).
    if (/\s/.test(prefix)) throw new Error(`detection condition startsWith(${field}) prefix must not hold whitespace (KQL cannot escape it in a wildcard value), got ${JSON.stringify(prefix)}`);
    return new DetectionCondition('startsWith', field, [prefix], []);
  }

  /** The field's number is at least `limit`. */
  public static atLeast(field: string, limit: number): DetectionCondition {
    if (typeof limit !== 'number' || !Number.isFinite(limit)) throw new Error(`detection condition atLeast(${field}) limit must be a finite number, got ${JSON.stringify(limit)}`);
    return new DetectionCondition('atLeast', field, [String(limit)], []);
  }

  /** Every condition holds. */
  public static and(...conditions: DetectionCondition[]): DetectionCondition {
    return DetectionCondition.group('and', conditions);
  }

  /** Any condition holds. */
  public static or(...conditions: DetectionCondition[]): DetectionCondition {
    return DetectionCondition.group('or', conditions);
  }

  /** The condition does not hold. */
  public static not(condition: DetectionCondition): DetectionCondition {
    checkConditions('detection condition not', [condition], 1);
    return new DetectionCondition('not', undefined, [], [condition]);
  }

  private static group(kind: 'and' | 'or', conditions: DetectionCondition[]): DetectionCondition {
    checkConditions(`detection condition ${kind}`, conditions, 2);
    return new DetectionCondition(kind, undefined, [], [...conditions]);
  }

  private constructor(
    private readonly kind: 'is' | 'oneOf' | 'exists' | 'startsWith' | 'atLeast' | 'and' | 'or' | 'not',
    private readonly field: string | undefined,
    private readonly values: string[],
    private readonly children: DetectionCondition[],
  ) {
    if (field !== undefined && (typeof field !== 'string' || !/^@?[A-Za-z_][A-Za-z0-9_/-]*(\.[A-Za-z_][A-Za-z0-9_/-]*)*$/.test(field))) {
      throw new Error(`detection condition ${kind}(...) field must be a dotted field path (letters, digits, '_', '/', '-', a leading '@'), got ${JSON.stringify(field)}`);
    }
  }

  /** The condition as KQL. */
  public toKql(): string {
    const field = this.field as string;
    switch (this.kind) {
      case 'is': return `${field} : ${quote(this.values[0])}`;
      case 'oneOf': return this.values.length === 1 ? `${field} : ${quote(this.values[0])}` : `${field} : (${this.values.map(quote).join(' or ')})`;
      case 'exists': return `${field} : *`;
      case 'startsWith': return `${field} : ${escapeUnquoted(this.values[0])}*`;
      case 'atLeast': return `${field} >= ${this.values[0]}`;
      case 'not': return `not (${this.children[0].toKql()})`;
      default: return `(${this.children.map((c) => c.toKql()).join(` ${this.kind} `)})`;
    }
  }

  /** The fields the condition reads, each once, in order. */
  public fields(): string[] {
    const own = this.field === undefined ? [] : [this.field];
    return [...new Set([...own, ...this.children.flatMap((c) => c.fields())])];
  }

  /** The fields it matches by value (`is`, `oneOf`, `startsWith`), which must not be analysed text. @internal */
  public _valueFields(): string[] {
    const own = ['is', 'oneOf', 'startsWith'].includes(this.kind) ? [this.field as string] : [];
    return [...new Set([...own, ...this.children.flatMap((c) => c._valueFields())])];
  }

  /** The fields it compares as numbers (`atLeast`). @internal */
  public _numericFields(): string[] {
    const own = this.kind === 'atLeast' ? [this.field as string] : [];
    return [...new Set([...own, ...this.children.flatMap((c) => c._numericFields())])];
  }
}

function checkValue(where: string, value: string): void {
  if (typeof value !== 'string' || value === '' || /[\r\n]/.test(value)) throw new Error(`${where} value must be a non-empty single-line string, got ${JSON.stringify(value)}`);
}

function checkConditions(where: string, conditions: DetectionCondition[], minimum: number): void {
  if (!Array.isArray(conditions) || conditions.length < minimum || conditions.some((c) => !(c instanceof DetectionCondition))) {
    throw new Error(`${where} needs at least ${minimum} DetectionCondition${minimum > 1 ? 's' : ''} (DetectionCondition.is(...), ...), got ${JSON.stringify(conditions)}`);
  }
}

/** A KQL quoted value: `\` and `"` escaped. */
function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A KQL unquoted value: its special characters escaped (KQL's grammar: `\():<>"*` and whitespace). */
function escapeUnquoted(value: string): string {
  return value.replace(/[\\():<>"*{}\s]/g, (c) => `\\${c}`);
}
