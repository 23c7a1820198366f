import { Yaml } from 'cdk8s';
import { FALCO_DEFAULT_LISTS, FALCO_DEFAULT_MACROS } from './falco-catalogue';
import { editDistance, fieldProblem, outputFields, readCondition } from './falco-condition';

/**
 * Priority of a Falco rule, and the output threshold (`priority` in falco.yaml).
 * @see https://falco.org/docs/reference/rules/rule-fields/
 */
export enum FalcoPriority {
  /** syslog severity 0. */
  EMERGENCY = 'EMERGENCY',
  /** syslog severity 1. */
  ALERT = 'ALERT',
  /** syslog severity 2. */
  CRITICAL = 'CRITICAL',
  /** syslog severity 3. */
  ERROR = 'ERROR',
  /** syslog severity 4. */
  WARNING = 'WARNING',
  /** syslog severity 5. */
  NOTICE = 'NOTICE',
  /** syslog severity 6. */
  INFORMATIONAL = 'INFORMATIONAL',
  /** syslog severity 7. */
  DEBUG = 'DEBUG',
}

/** Falco priorities in severity order (index = syslog severity, 0 most severe), as Falco prints them. */
export const FALCO_PRIORITY_NAMES = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'];

/** An exception of a rule: field values that do not trigger it. */
export interface FalcoRuleException {
  /** Name of the exception. */
  readonly name: string;
  /** Fields compared (`proc.name`, `container.image.repository`, ...). */
  readonly fields: string[];
  /**
   * Comparison operators, one per field.
   * @default - `=` for each field
   */
  readonly comps?: string[];
  /**
   * Values: one tuple per exception case, one value per field.
   * @default - none (added by later rules files)
   */
  readonly values?: string[][];
}

/** A Falco rule. */
export interface FalcoRule {
  /** Unique rule name. */
  readonly name: string;
  /** What the rule detects. */
  readonly desc: string;
  /** Filter condition (may use macros and lists). */
  readonly condition: string;
  /** Output format, with `%field` placeholders. */
  readonly output: string;
  /** Priority. */
  readonly priority: FalcoPriority;
  /**
   * Tags (MITRE techniques, areas).
   * @default []
   */
  readonly tags?: string[];
  /**
   * Event source.
   * @default - syscall
   */
  readonly source?: string;
  /**
   * Whether the rule is loaded enabled.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Exceptions.
   * @default []
   */
  readonly exceptions?: FalcoRuleException[];
}

/** A named, reusable condition. */
export interface FalcoMacro {
  /** Unique macro name. */
  readonly name: string;
  /** Filter condition. */
  readonly condition: string;
}

/** A named list of values for conditions (`in (list_name)`). */
export interface FalcoList {
  /** Unique list name. */
  readonly name: string;
  /** Items (strings, or names of other lists). */
  readonly items: string[];
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_ .:/()'-]*$/;
/** Most severe first. */
const PRIORITY_ORDER = [
  FalcoPriority.EMERGENCY, FalcoPriority.ALERT, FalcoPriority.CRITICAL, FalcoPriority.ERROR,
  FalcoPriority.WARNING, FalcoPriority.NOTICE, FalcoPriority.INFORMATIONAL, FalcoPriority.DEBUG,
];

/** What {@link FalcoRules.problems} checks the rules against. */
export interface FalcoRulesCheckOptions {
  /** Whether Falco loads its default rules first (their macros and lists are then known). */
  readonly defaultRules: boolean;
  /** The daemon set's minimum priority. */
  readonly priority: FalcoPriority;
}

/**
 * A Falco rules file of custom rules, macros and lists, rendered in the order Falco
 * needs (lists, then macros, then rules), each name unique within its kind.
 * @see https://falco.org/docs/concepts/rules/basic-elements/
 */
export class FalcoRules {
  private readonly lists: FalcoList[] = [];
  private readonly macros: FalcoMacro[] = [];
  private readonly rules: FalcoRule[] = [];
  private frozen = false;

  /** Adds a list. */
  public addList(list: FalcoList): void {
    this.assertOpen('addList');
    validateName('falco list', list?.name, this.lists);
    if (!Array.isArray(list.items)) throw new Error(`falco list ${JSON.stringify(list.name)}: items must be a list of strings`);
    this.lists.push({ name: list.name, items: [...list.items] });
  }

  /** Adds a macro. */
  public addMacro(macro: FalcoMacro): void {
    this.assertOpen('addMacro');
    validateName('falco macro', macro?.name, this.macros);
    validateText(`falco macro ${JSON.stringify(macro.name)} condition`, macro.condition);
    this.macros.push({ ...macro });
  }

  /** Adds a rule. */
  public addRule(rule: FalcoRule): void {
    this.assertOpen('addRule');
    validateName('falco rule', rule?.name, this.rules);
    const what = `falco rule ${JSON.stringify(rule.name)}`;
    validateText(`${what} desc`, rule.desc);
    validateText(`${what} condition`, rule.condition);
    validateText(`${what} output`, rule.output);
    if (!Object.values(FalcoPriority).includes(rule.priority)) {
      throw new Error(`${what}: priority must be one of ${Object.values(FalcoPriority).join(', ')}, got ${JSON.stringify(rule.priority)}`);
    }
    for (const exception of rule.exceptions ?? []) {
      if (!exception.name || exception.fields.length === 0) {
        throw new Error(`${what}: each exception needs a name and at least one field, got ${JSON.stringify(exception)}`);
      }
      if (exception.comps !== undefined && exception.comps.length !== exception.fields.length) {
        throw new Error(`${what} exception ${JSON.stringify(exception.name)}: comps must have one operator per field`);
      }
      for (const value of exception.values ?? []) {
        if (value.length !== exception.fields.length) {
          throw new Error(`${what} exception ${JSON.stringify(exception.name)}: each values tuple must have one value per field, got ${JSON.stringify(value)}`);
        }
      }
    }
    this.rules.push({ ...rule });
  }

  /**
   * What Falco 0.44.1 would refuse, or silently skip, in these rules, loaded after the
   * default rules 5.1.0 (when `defaultRules`) with `priority` as the threshold: syntax
   * errors, macros not defined before their use, unknown fields in conditions,
   * exceptions and outputs, list names one or two letters off a defined list, sources
   * other than `syscall`, and rules below the threshold, which never fire.
   */
  public problems(options: FalcoRulesCheckOptions): string[] {
    const problems: string[] = [];
    const threshold = PRIORITY_ORDER.indexOf(options.priority);
    const lists = [...(options.defaultRules ? FALCO_DEFAULT_LISTS : []), ...this.lists.map((l) => l.name)];
    const macros: string[] = options.defaultRules ? [...FALCO_DEFAULT_MACROS] : [];
    const checkCondition = (what: string, condition: string) => {
      let refs;
      try {
        refs = readCondition(condition);
      } catch (e) {
        problems.push(`${what} condition: ${(e as Error).message}`);
        return;
      }
      for (const macro of refs.macros) {
        if (!macros.includes(macro)) {
          const near = [...macros, ...lists].find((m) => editDistance(m, macro) <= 2);
          problems.push(`${what} condition uses ${JSON.stringify(macro)}, which is no macro defined before it${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}: Falco stops on it ("Undefined macro")`);
        }
      }
      for (const item of refs.listItems) {
        if (lists.includes(item) || item.length < 6 || !/^[a-z_][a-z0-9_]*$/.test(item)) continue;
        const near = lists.find((l) => editDistance(l, item) <= 2);
        if (near) {
          problems.push(`${what} condition lists ${JSON.stringify(item)}, which is no list, so Falco compares with that word itself; did you mean the list ${JSON.stringify(near)}?`);
        }
      }
      for (const field of refs.fields) {
        const problem = fieldProblem(field);
        if (problem) problems.push(`${what} condition: ${problem}`);
      }
    };
    for (const macro of this.macros) {
      checkCondition(`falco macro ${JSON.stringify(macro.name)}`, macro.condition);
      macros.push(macro.name);
    }
    for (const rule of this.rules) {
      const what = `falco rule ${JSON.stringify(rule.name)}`;
      checkCondition(what, rule.condition);
      for (const field of outputFields(rule.output)) {
        const problem = fieldProblem(field);
        if (problem) problems.push(`${what} output: ${problem}`);
      }
      for (const exception of rule.exceptions ?? []) {
        for (const field of exception.fields) {
          const problem = fieldProblem(field);
          if (problem) problems.push(`${what} exception ${JSON.stringify(exception.name)}: ${problem}`);
        }
      }
      if (rule.source !== undefined && rule.source !== 'syscall') {
        problems.push(
          `${what} source ${JSON.stringify(rule.source)} is not one this Falco has (only "syscall", with the bundled container plugin): ` +
          'Falco skips such a rule with a warning; remove source, or load the plugin of that source',
        );
      }
      if (PRIORITY_ORDER.indexOf(rule.priority) > threshold) {
        problems.push(
          `${what} priority ${rule.priority} is below the daemon set's priority ${options.priority}: Falco loads it but never enables it, ` +
          'so it can never fire; raise the rule\'s priority or lower the daemon set\'s',
        );
      }
    }
    return problems;
  }

  /** Stops further additions: the rules file has been rendered (synthesis). @internal */
  public _freeze(): void {
    this.frozen = true;
  }

  private assertOpen(method: string): void {
    if (this.frozen) throw new Error(`falco ${method} was called after the rules were rendered (synthesis); call it before synth`);
  }

  /** Whether nothing has been added. */
  public get empty(): boolean {
    return this.lists.length + this.macros.length + this.rules.length === 0;
  }

  /** The rules file (YAML). */
  public render(): string {
    const items: { [key: string]: any }[] = [
      ...this.lists.map((l) => ({ list: l.name, items: l.items })),
      ...this.macros.map((m) => ({ macro: m.name, condition: m.condition })),
      ...this.rules.map((r) => {
        const out: { [key: string]: any } = { rule: r.name, desc: r.desc, condition: r.condition, output: r.output, priority: r.priority };
        if (r.source !== undefined) out.source = r.source;
        if (r.tags !== undefined) out.tags = [...r.tags];
        if (r.enabled !== undefined) out.enabled = r.enabled;
        if (r.exceptions !== undefined) {
          out.exceptions = r.exceptions.map((e) => ({
            name: e.name,
            fields: [...e.fields],
            ...(e.comps ? { comps: [...e.comps] } : {}),
            ...(e.values ? { values: e.values.map((v) => [...v]) } : {}),
          }));
        }
        return out;
      }),
    ];
    return items.length === 0 ? '[]\n' : Yaml.stringify(items);
  }
}

function validateName(what: string, name: string | undefined, existing: { name: string }[]): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new Error(`${what} name must be a non-empty name of letters, digits, spaces and _ . : / ( ) ' -, got ${JSON.stringify(name)}`);
  }
  if (existing.some((e) => e.name === name)) {
    throw new Error(`${what} ${JSON.stringify(name)} is added twice; names must be unique (to change an upstream one, use a different name and disable it)`);
  }
}

function validateText(what: string, text: string): void {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new Error(`${what} must be non-empty text, got ${JSON.stringify(text)}`);
  }
}
