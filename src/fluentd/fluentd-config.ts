/**
 * A typed model of fluentd's configuration language, rendered by a pure `render()`.
 *
 * Values are written so that fluentd reads back exactly what was given: plain when
 * they are made of safe characters, otherwise single-quoted (fluentd's single quotes
 * know only the `\'` and `\\` escapes and never evaluate `#{...}` Ruby code), and
 * lists as JSON arrays, which fluentd's `array` and `hash` types accept.
 *
 * @see https://docs.fluentd.org/configuration/config-file
 */

import { validateEnvName, validateInstances } from '../common/validation';

/** Options of a plugin directive or section (`<source>`, `<filter>`, `<match>`, `<parse>`, ...). */
export interface FluentdPluginOptions {
  /**
   * The plugin's `@id`, shown in fluentd's logs and metrics (`plugin_id` label).
   * @default - none
   */
  readonly id?: string;

  /**
   * `@label`: routes the directive's events into a `<label>`.
   * @default - none
   */
  readonly label?: string;

  /**
   * Plugin parameters in the order they are rendered. Values must be strings,
   * finite numbers, booleans, arrays of strings or {@link FluentdEnvValue}s;
   * `undefined` entries are left out.
   * @default {}
   */
  readonly params?: { [key: string]: any };

  /**
   * Nested sections (`<parse>`, `<buffer>`, `<record>`, ...).
   * @default []
   */
  readonly sections?: FluentdSection[];
}

/** Options of a generic section. */
export interface FluentdSectionOptions {
  /**
   * The section's argument: a tag pattern, a label name or buffer chunk keys.
   * @default - none
   */
  readonly argument?: string;

  /**
   * Parameters in the order they are rendered; `undefined` entries are left out.
   * @default {}
   */
  readonly params?: { [key: string]: any };

  /**
   * Nested sections.
   * @default []
   */
  readonly sections?: FluentdSection[];
}

/**
 * A parameter value fluentd reads from an environment variable when it starts
 * (`"#{ENV['NAME']}"`, the config file's embedded Ruby), for credentials that reach
 * the container through a `secretKeyRef`: the rendered file holds only the name.
 * @see https://docs.fluentd.org/configuration/config-file#embedded-ruby-code
 */
export class FluentdEnvValue {
  /** The value of environment variable `name` (letters, digits, `_`). */
  public static of(name: string): FluentdEnvValue {
    validateEnvName('fluentd environment variable name', name);
    return new FluentdEnvValue(name, false);
  }

  /**
   * The base64-decoded value of environment variable `name` (strict base64, Ruby's
   * `unpack1('m0')`): fluentd refuses to start when the variable is unset or not base64.
   */
  public static base64DecodedOf(name: string): FluentdEnvValue {
    validateEnvName('fluentd environment variable name', name);
    return new FluentdEnvValue(name, true);
  }

  private constructor(
    /** The environment variable. */
    public readonly name: string,
    /** Whether the value is base64-decoded. */
    public readonly base64Decoded: boolean,
  ) {}

  /** The double-quoted value with the embedded Ruby that reads the variable. */
  public render(): string {
    return this.base64Decoded ? `"#{ENV['${this.name}'].unpack1('m0')}"` : `"#{ENV['${this.name}']}"`;
  }
}

const PARAM_KEY = /^@?[A-Za-z_][A-Za-z0-9_.]*$/;
const SECTION_NAME = /^[a-z_][a-z0-9_]*$/;
/** Characters that fluentd reads back literally in an unquoted value. */
const PLAIN_VALUE = /^[A-Za-z0-9_@./:*%+,=^$|?()<>!~&;-]+$/;

/**
 * One element of a fluentd configuration: a directive (`<source>`, `<match>`, ...),
 * a nested section (`<parse>`, `<buffer>`, ...), an `@include` line or raw text.
 */
export class FluentdSection {
  /**
   * `<source>`: an input plugin.
   * @see https://docs.fluentd.org/configuration/config-file#1.-source-where-all-the-data-comes-from
   */
  public static source(type: string, options: FluentdPluginOptions = {}): FluentdSection {
    return FluentdSection.plugin('source', undefined, type, options);
  }

  /**
   * `<filter pattern>`: a filter plugin for events whose tag matches `pattern`.
   * @see https://docs.fluentd.org/configuration/config-file#3.-filter-event-processing-pipeline
   */
  public static filter(pattern: string, type: string, options: FluentdPluginOptions = {}): FluentdSection {
    return FluentdSection.plugin('filter', pattern, type, options);
  }

  /**
   * `<match pattern>`: an output plugin for events whose tag matches `pattern`.
   * @see https://docs.fluentd.org/configuration/config-file#2.-match-tell-fluentd-what-to-do
   */
  public static match(pattern: string, type: string, options: FluentdPluginOptions = {}): FluentdSection {
    return FluentdSection.plugin('match', pattern, type, options);
  }

  /**
   * `<label @NAME>`: a group of filters and outputs that events are routed into.
   * @see https://docs.fluentd.org/configuration/config-file#5.-group-filter-and-output-the-label-directive
   */
  public static label(name: string, directives: FluentdSection[]): FluentdSection {
    validateLabelName('fluentd label name', name);
    return new FluentdSection('label', { argument: name, sections: directives });
  }

  /**
   * `<parse>`: a parser section.
   * @see https://docs.fluentd.org/configuration/parse-section
   */
  public static parse(type: string, options: FluentdPluginOptions = {}): FluentdSection {
    return FluentdSection.plugin('parse', undefined, type, options);
  }

  /**
   * `<buffer chunkKeys>`: a buffer section of an output.
   * @param chunkKeys e.g. `tag,time`; empty for one chunk stream
   * @see https://docs.fluentd.org/configuration/buffer-section
   */
  public static buffer(type: string, chunkKeys: string, options: FluentdPluginOptions = {}): FluentdSection {
    return FluentdSection.plugin('buffer', chunkKeys === '' ? undefined : chunkKeys, type, options);
  }

  /**
   * `<format>`: a formatter section.
   * @see https://docs.fluentd.org/configuration/format-section
   */
  public static format(type: string, options: FluentdPluginOptions = {}): FluentdSection {
    return FluentdSection.plugin('format', undefined, type, options);
  }

  /**
   * `<store>`: one output of a `copy` output, written like a `<match>`.
   * @see https://docs.fluentd.org/output/copy
   */
  public static store(type: string, options: FluentdPluginOptions = {}): FluentdSection {
    return FluentdSection.plugin('store', undefined, type, options);
  }

  /**
   * `<system>`: process-wide settings.
   * @see https://docs.fluentd.org/deployment/system-config
   */
  public static system(options: FluentdSectionOptions = {}): FluentdSection {
    return new FluentdSection('system', options);
  }

  /** Any other section (`<record>`, `<log>`, `<store>`, `<rule>`, ...). */
  public static section(name: string, options: FluentdSectionOptions = {}): FluentdSection {
    return new FluentdSection(name, options);
  }

  /**
   * `@include path`: includes other files (a glob or a URL).
   * @see https://docs.fluentd.org/configuration/config-file#6.-reuse-your-config-the-include-directive
   */
  public static include(path: string): FluentdSection {
    if (!path || /[\r\n]/.test(path)) {
      throw new Error(`fluentd @include path must be a non-empty single line, got ${JSON.stringify(path)}`);
    }
    return new FluentdSection('@include', { argument: path });
  }

  /**
   * Raw configuration text, rendered as given (indented to its place).
   * The escape hatch for anything the model does not cover.
   */
  public static raw(text: string): FluentdSection {
    return new FluentdSection('#raw', { argument: text });
  }

  private static plugin(name: string, argument: string | undefined, type: string, options: FluentdPluginOptions): FluentdSection {
    if (!type || !/^[A-Za-z0-9_]+$/.test(type)) {
      throw new Error(`fluentd <${name}> @type must be a plugin name (letters, digits, '_'), got ${JSON.stringify(type)}`);
    }
    const params: { [key: string]: any } = { '@type': type };
    if (options.id !== undefined) {
      if (!/^[A-Za-z0-9_-]+$/.test(options.id)) {
        throw new Error(`fluentd <${name}> @id must be letters, digits, '_' or '-', got ${JSON.stringify(options.id)}`);
      }
      params['@id'] = options.id;
    }
    if (options.label !== undefined) {
      validateLabelName(`fluentd <${name}> @label`, options.label);
      params['@label'] = options.label;
    }
    for (const [key, value] of Object.entries(options.params ?? {})) {
      if (key.startsWith('@type') || key === '@id' || key === '@label') {
        throw new Error(`fluentd <${name}> param ${JSON.stringify(key)} is set through its own option, not params`);
      }
      params[key] = value;
    }
    return new FluentdSection(name, { argument, params, sections: options.sections });
  }

  /** The section name: `source`, `match`, `parse`, ... */
  public readonly name: string;
  /** The section's argument (tag pattern, label name, chunk keys), if any. */
  public readonly argument?: string;
  private readonly _params: { [key: string]: any };
  private readonly _sections: FluentdSection[];

  private constructor(name: string, options: FluentdSectionOptions) {
    if (options.sections !== undefined) {
      validateInstances(`fluentd <${name}> sections`, options.sections, FluentdSection, "FluentdSection.parse('json'), .buffer(...), .section(...)");
    }
    if (name !== '@include' && name !== '#raw' && !SECTION_NAME.test(name)) {
      throw new Error(`fluentd section name must be lowercase letters, digits or '_', got ${JSON.stringify(name)}`);
    }
    if (options.argument !== undefined && name !== '#raw' && (/[\r\n>]/.test(options.argument) || options.argument.trim() === '')) {
      throw new Error(`fluentd <${name}> argument must be a non-empty single line without '>', got ${JSON.stringify(options.argument)}`);
    }
    this.name = name;
    this.argument = options.argument;
    this._params = {};
    for (const [key, value] of Object.entries(options.params ?? {})) {
      if (value === undefined) continue;
      if (!PARAM_KEY.test(key)) {
        throw new Error(`fluentd <${name}> param name ${JSON.stringify(key)} is invalid: use letters, digits, '_' (and a leading '@')`);
      }
      renderValue(name, key, value); // validates early, at construction
      this._params[key] = value;
    }
    this._sections = [...(options.sections ?? [])];
  }

  /** The plugin type (`@type`), if this is a plugin directive or section. */
  public get type(): string | undefined {
    return this._params['@type'];
  }

  /** A copy of the parameters, in render order. */
  public get params(): { [key: string]: any } {
    return { ...this._params };
  }

  /** A copy of the nested sections. */
  public get sections(): FluentdSection[] {
    return [...this._sections];
  }

  /** Renders this element as lines of fluentd configuration. */
  public render(indent = ''): string[] {
    if (this.name === '#raw') {
      return (this.argument ?? '').replace(/\n$/, '').split('\n').map((line) => (line === '' ? '' : indent + line));
    }
    if (this.name === '@include') {
      return [`${indent}@include ${this.argument}`];
    }
    const open = this.argument === undefined ? `<${this.name}>` : `<${this.name} ${this.argument}>`;
    const inner = indent + '  ';
    const lines = [indent + open];
    for (const [key, value] of Object.entries(this._params)) {
      lines.push(`${inner}${key} ${renderValue(this.name, key, value)}`);
    }
    for (const section of this._sections) {
      lines.push(...section.render(inner));
    }
    lines.push(`${indent}</${this.name}>`);
    return lines;
  }
}

/** A whole fluentd configuration file. */
export class FluentdConfig {
  private readonly directives: FluentdSection[] = [];

  constructor(directives: FluentdSection[] = []) {
    this.add(...directives);
  }

  /**
   * Appends directives, in order. fluentd refuses to start on a repeated `@id` or
   * `<label>`, so either throws here.
   */
  public add(...directives: FluentdSection[]): void {
    const ids = new Set<string>();
    const labels = new Set<string>();
    const walk = (section: FluentdSection, where: string) => {
      const id = section.params['@id'];
      if (id !== undefined) {
        if (ids.has(id)) throw new Error(`fluentd @id ${JSON.stringify(id)} is used twice (${where}); plugin ids must be unique`);
        ids.add(id);
      }
      if (section.name === 'label' && section.argument !== undefined) {
        if (labels.has(section.argument)) {
          throw new Error(`fluentd <label ${section.argument}> is defined twice; put all its directives in one label`);
        }
        labels.add(section.argument);
      }
      section.sections.forEach((s) => walk(s, where));
    };
    for (const directive of [...this.directives, ...directives]) {
      walk(directive, `<${directive.name}${directive.argument ? ' ' + directive.argument : ''}>`);
    }
    this.directives.push(...directives);
  }

  /** A copy of the top-level directives. */
  public get all(): FluentdSection[] {
    return [...this.directives];
  }

  /** Renders the file: top-level directives separated by blank lines, ending in a newline. */
  public render(): string {
    return this.directives.map((d) => d.render().join('\n')).join('\n\n') + '\n';
  }
}

function validateLabelName(what: string, name: string): void {
  if (!/^@[A-Za-z0-9_]+$/.test(name ?? '')) {
    throw new Error(`${what} must start with '@' followed by letters, digits or '_', got ${JSON.stringify(name)}`);
  }
}

/** Renders one parameter value, or throws naming the section and parameter. */
function renderValue(section: string, key: string, value: unknown): string {
  const fail = (why: string): never => {
    throw new Error(`fluentd <${section}> param ${key}: ${why}, got ${JSON.stringify(value)}`);
  };
  if (typeof value === 'boolean') return String(value);
  if (value instanceof FluentdEnvValue) return value.render();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail('numbers must be finite');
    return String(value);
  }
  if (typeof value === 'string') {
    if (/[\r\n]/.test(value)) fail('values must be a single line');
    if (PLAIN_VALUE.test(value) && !/^[[{]/.test(value)) return value;
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item !== 'string') fail('arrays must hold strings');
      if (item.includes('#{')) fail("array items must not contain '#{' (fluentd would run it as Ruby)");
      if (/[\r\n]/.test(item)) fail('array items must be single lines');
    }
    return JSON.stringify(value);
  }
  return fail('values must be strings, finite numbers, booleans or arrays of strings');
}
