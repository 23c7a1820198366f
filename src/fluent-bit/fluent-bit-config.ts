import { Yaml } from 'cdk8s';
import { validateEnvName, validateInstances } from '../common/validation';

/**
 * A typed model of Fluent Bit's YAML configuration format, rendered by a pure
 * `render()`: `service`, `parsers`, `multiline_parsers` and `pipeline` (inputs,
 * filters, outputs), in the order given. Keys are lowercase, as the YAML format
 * writes them; values are strings, numbers, booleans, {@link FluentBitEnvValue}s or lists of strings
 * (a property given once per item).
 *
 * @see https://docs.fluentbit.io/manual/administration/configuring-fluent-bit/yaml
 */

/** A property value Fluent Bit reads from an environment variable at start-up (`${NAME}`). */
export class FluentBitEnvValue {
  /** The value of environment variable `name` (letters, digits, `_`). */
  public static of(name: string): FluentBitEnvValue {
    validateEnvName('fluent bit environment variable name', name);
    return new FluentBitEnvValue(name);
  }

  private constructor(
    /** The environment variable. */
    public readonly name: string,
  ) {}

  /** `${NAME}`. */
  public render(): string {
    return `\${${this.name}}`;
  }
}

/** Kind of a pipeline plugin. */
export enum FluentBitPluginKind {
  /** `pipeline.inputs`. */
  INPUT = 'input',
  /** `pipeline.filters`. */
  FILTER = 'filter',
  /** `pipeline.outputs`. */
  OUTPUT = 'output',
}

const KEY = /^[a-z0-9_][a-z0-9_.-]*$/;
const PLUGIN_NAME = /^[a-z0-9_]+$/;

/**
 * One plugin of the pipeline: its name and properties in render order. Any plugin and
 * property can be written (the escape hatch); the library's own are checked against
 * the plugins' documented properties in the tests.
 */
export class FluentBitPlugin {
  /** An input (`pipeline.inputs`). */
  public static input(name: string, properties: { [key: string]: any } = {}): FluentBitPlugin {
    return new FluentBitPlugin(FluentBitPluginKind.INPUT, name, properties);
  }

  /** A filter of the records whose tag matches `match` (`pipeline.filters`). */
  public static filter(name: string, match: string, properties: { [key: string]: any } = {}): FluentBitPlugin {
    return new FluentBitPlugin(FluentBitPluginKind.FILTER, name, { match, ...properties });
  }

  /** An output of the records whose tag matches `match` (`pipeline.outputs`). */
  public static output(name: string, match: string, properties: { [key: string]: any } = {}): FluentBitPlugin {
    return new FluentBitPlugin(FluentBitPluginKind.OUTPUT, name, { match, ...properties });
  }

  /** The properties, validated, without `undefined` entries; a copy. */
  public readonly properties: { [key: string]: any };

  private constructor(
    /** Where the plugin goes. */
    public readonly kind: FluentBitPluginKind,
    /** The plugin name (`tail`, `kubernetes`, `es`, ...). */
    public readonly name: string,
    properties: { [key: string]: any },
  ) {
    if (!PLUGIN_NAME.test(name ?? '')) {
      throw new Error(`fluent bit ${kind} name must be lowercase letters, digits or '_', got ${JSON.stringify(name)}`);
    }
    this.properties = cleanProperties(`fluent bit ${kind} ${name}`, properties);
  }

  /** The YAML object of this plugin. */
  public toJson(): { [key: string]: any } {
    return { name: this.name, ...renderProperties(this.properties) };
  }
}

/** A parser (`parsers:`): a name and its properties (`format`, `regex`, `time_key`, ...). */
export class FluentBitParser {
  /** The properties, validated. */
  public readonly properties: { [key: string]: any };

  constructor(
    /** The parser name that inputs and filters refer to. */
    public readonly name: string,
    properties: { [key: string]: any },
  ) {
    if (!/^[A-Za-z0-9_-]+$/.test(name ?? '')) {
      throw new Error(`fluent bit parser name must be letters, digits, '_' or '-', got ${JSON.stringify(name)}`);
    }
    this.properties = cleanProperties(`fluent bit parser ${name}`, properties);
    if (this.properties.format === undefined) throw new Error(`fluent bit parser ${name} needs a format (json, regex, ltsv, logfmt)`);
  }

  /** The YAML object of this parser. */
  public toJson(): { [key: string]: any } {
    return { name: this.name, ...renderProperties(this.properties) };
  }
}

/** Props of a {@link FluentBitConfig}. */
export interface FluentBitConfigProps {
  /** `service` properties (flush, log_level, http_server, storage.path, ...). */
  readonly service: { [key: string]: any };
  /**
   * Parsers the pipeline names.
   * @default []
   */
  readonly parsers?: FluentBitParser[];
  /** Inputs, filters and outputs, in order; each goes to its own list. */
  readonly pipeline: FluentBitPlugin[];
}

/** A Fluent Bit YAML configuration file. */
export class FluentBitConfig {
  private readonly service: { [key: string]: any };
  private readonly parsers: FluentBitParser[];
  private readonly plugins: FluentBitPlugin[];

  constructor(props: FluentBitConfigProps) {
    validateInstances('fluent bit config pipeline', props.pipeline, FluentBitPlugin, 'FluentBitPlugin.input(...), .filter(...), .output(...)');
    if (props.parsers !== undefined) validateInstances('fluent bit config parsers', props.parsers, FluentBitParser, "new FluentBitParser('name', { format: 'json' })");
    this.service = cleanProperties('fluent bit service', props.service);
    this.parsers = [...(props.parsers ?? [])];
    this.plugins = [...props.pipeline];
    const parserNames = this.parsers.map((p) => p.name);
    const duplicate = parserNames.find((n, i) => parserNames.indexOf(n) !== i);
    if (duplicate) throw new Error(`fluent bit parser ${JSON.stringify(duplicate)} is defined twice; parser names must be unique`);
    const aliases = this.plugins.map((p) => p.properties.alias).filter((a) => a !== undefined);
    const duplicateAlias = aliases.find((a, i) => aliases.indexOf(a) !== i);
    if (duplicateAlias) throw new Error(`fluent bit alias ${JSON.stringify(duplicateAlias)} is used twice; aliases name metrics and must be unique`);
    if (!this.plugins.some((p) => p.kind === FluentBitPluginKind.INPUT)) throw new Error('fluent bit pipeline needs at least one input');
    if (!this.plugins.some((p) => p.kind === FluentBitPluginKind.OUTPUT)) throw new Error('fluent bit pipeline needs at least one output');
  }

  /** The plugins of one kind, in order; a copy. */
  public pluginsOf(kind: FluentBitPluginKind): FluentBitPlugin[] {
    return this.plugins.filter((p) => p.kind === kind);
  }

  /** The parsers; a copy. */
  public get parserList(): FluentBitParser[] {
    return [...this.parsers];
  }

  /** The service properties; a copy. */
  public get serviceProperties(): { [key: string]: any } {
    return { ...this.service };
  }

  /** Renders the YAML file. */
  public render(): string {
    const pipeline: { [list: string]: object[] } = {};
    for (const [kind, list] of [[FluentBitPluginKind.INPUT, 'inputs'], [FluentBitPluginKind.FILTER, 'filters'], [FluentBitPluginKind.OUTPUT, 'outputs']]) {
      const plugins = this.pluginsOf(kind as FluentBitPluginKind);
      if (plugins.length > 0) pipeline[list] = plugins.map((p) => p.toJson());
    }
    const doc: { [section: string]: any } = { service: renderProperties(this.service) };
    if (this.parsers.length > 0) doc.parsers = this.parsers.map((p) => p.toJson());
    doc.pipeline = pipeline;
    return Yaml.stringify(doc);
  }
}

/** Validates keys and values; drops `undefined`. */
function cleanProperties(where: string, properties: { [key: string]: any }): { [key: string]: any } {
  const clean: { [key: string]: any } = {};
  for (const [key, value] of Object.entries(properties ?? {})) {
    if (value === undefined) continue;
    if (!KEY.test(key)) throw new Error(`${where}: property name ${JSON.stringify(key)} must be lowercase letters, digits, '_', '.' or '-'`);
    if (key === 'name') throw new Error(`${where}: name is the plugin's own, not a property`);
    if (value instanceof FluentBitEnvValue || typeof value === 'boolean') {
      clean[key] = value;
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new Error(`${where}: ${key} must be a finite number, got ${value}`);
      clean[key] = value;
    } else if (typeof value === 'string') {
      clean[key] = cleanString(where, key, value);
    } else if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) {
      // A YAML list sets a property once per item (src/flb_config.c, 4.2.3): for properties
      // that may be given several times (systemd_filter).
      clean[key] = value.map((v) => cleanString(where, key, v));
    } else {
      throw new Error(`${where}: ${key} must be a string, finite number, boolean, FluentBitEnvValue or non-empty list of strings, got ${JSON.stringify(value)}`);
    }
  }
  return clean;
}

function cleanString(where: string, key: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`${where}: ${key} must be a single line, got ${JSON.stringify(value)}`);
  if (value.includes('${')) throw new Error(`${where}: ${key} must not contain '\${' (Fluent Bit would read an environment variable); use FluentBitEnvValue`);
  return value;
}

/** Booleans as `on`/`off` (Fluent Bit's own spelling), env values as `${NAME}`. */
function renderProperties(properties: { [key: string]: any }): { [key: string]: any } {
  return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key,
    value instanceof FluentBitEnvValue ? value.render() : typeof value === 'boolean' ? (value ? 'on' : 'off') : value]));
}
