import { IndexFamilyKind } from './index-families';
import type { NodeAgentPlacement } from '../common/node-placement';

/** How a record's time field is written. */
export enum LogTimeFormat {
  /** RFC 3339 in UTC with a fraction (`2023-05-25T13:44:05.478445995Z`). */
  RFC3339 = 'rfc3339',
  /** Seconds since the epoch (a number). */
  UNIX_SECONDS = 'unix-seconds',
}

/** A field that holds a record's own time. */
export interface LogTimeField {
  /** The field. */
  readonly field: string;
  /** How it is written. */
  readonly format: LogTimeFormat;
}

/** One data stream of a source, and the records that go to it. */
export interface LogStream {
  /** Short name of the stream (`alerts`), unique in its source: it names the output. */
  readonly name: string;
  /** The index family (data stream) written. */
  readonly family: string;
  /** What the family holds (its mapping, retention and ingest pipeline). */
  readonly kind: IndexFamilyKind;
  /** The prop that named the family, for errors. */
  readonly prop: string;
  /**
   * The records with a non-empty value in any of these fields, that no earlier stream
   * took. The last stream takes every record left and sets none.
   * @default - every record no earlier stream took (the last stream)
   */
  readonly whenAnyField?: string[];
}

/**
 * A source that prints its events as one JSON object per line on a container's stdout
 * (security agents do: Falco, the KubeArmor relay), declared once: which files, which
 * time fields, and which records go to which data stream. Each log agent compiles it
 * into its own configuration; the ECS fields are made by the families' ingest pipelines.
 */
export interface ContainerJsonSource {
  /** Route name (lowercase, `_`): it names the agent's tail, pos file and plugin ids. */
  readonly name: string;
  /** The container's log files (a glob under `/var/log/containers`). */
  readonly path: string;
  /** The tag of the route's records (dot-separated words). */
  readonly tag: string;
  /**
   * The record's own time fields, the preferred first; a record with none keeps the
   * time its container runtime wrote.
   */
  readonly times: LogTimeField[];
  /** The data streams, in order: a record goes to the first that takes it. */
  readonly streams: LogStream[];
}

/**
 * A log agent on every node, as sources see it: the Fluentd and Fluent Bit agents
 * implement it, and a source (Falco, the KubeArmor collector) needs nothing else of them.
 */
export interface ILogAgent {
  /** Prefix of the agent's index families. */
  readonly indexPrefix: string;
  /** The nodes the agent runs on. */
  readonly placement: NodeAgentPlacement;
  /** Compiles a source into the agent's configuration, and registers its families. */
  addContainerJsonSource(source: ContainerJsonSource): void;
}

/** Whether a value (from a caller without a type checker) is a log agent. */
export function isLogAgent(value: unknown): value is ILogAgent {
  const agent = value as ILogAgent | undefined;
  return agent !== null && typeof agent === 'object' && typeof agent.addContainerJsonSource === 'function'
    && typeof agent.indexPrefix === 'string' && agent.placement !== undefined;
}

/** `UpdatedTime` as `updated_time`. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toLowerCase();
}

/** Checks a declaration: names, tag, times and streams (the last may take the rest, and only it). */
export function validateContainerJsonSource(agent: string, source: ContainerJsonSource): void {
  if (!/^[a-z][a-z0-9_]*$/.test(source?.name ?? '')) throw new Error(`${agent} source name must be lowercase letters, digits or '_', got ${JSON.stringify(source?.name)}`);
  const where = `${agent} source ${source.name}`;
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(source.tag ?? '')) throw new Error(`${where} tag must be dot-separated words without '*', got ${JSON.stringify(source.tag)}`);
  if (typeof source.path !== 'string' || !source.path.startsWith('/var/log/containers/')) throw new Error(`${where} path must be a glob under /var/log/containers/, got ${JSON.stringify(source.path)}`);
  if (!Array.isArray(source.times) || source.times.some((t) => typeof t?.field !== 'string' || !Object.values(LogTimeFormat).includes(t.format))) {
    throw new Error(`${where} times must be a list of { field, format: LogTimeFormat }, got ${JSON.stringify(source.times)}`);
  }
  const streams = source.streams;
  if (!Array.isArray(streams) || streams.length === 0) throw new Error(`${where} streams must be a non-empty list, got ${JSON.stringify(streams)}`);
  streams.forEach((s, i) => {
    if (!/^[a-z][a-z0-9_]*$/.test(s?.name ?? '')) throw new Error(`${where} streams[${i}].name must be lowercase letters, digits or '_', got ${JSON.stringify(s?.name)}`);
    const last = i === streams.length - 1;
    if (s.whenAnyField === undefined && !last) throw new Error(`${where} streams[${i}] (${s.name}) takes every record, so the streams after it would get none: only the last stream may leave whenAnyField unset`);
    // A record no stream took would be dropped without a word (rewrite_tag_filter drops it).
    if (s.whenAnyField !== undefined && last) throw new Error(`${where} streams[${i}] (${s.name}) is the last stream and must take every record left: leave its whenAnyField unset`);
    if (s.whenAnyField !== undefined && (!Array.isArray(s.whenAnyField) || s.whenAnyField.length === 0 || s.whenAnyField.some((f) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(f)))) {
      throw new Error(`${where} streams[${i}].whenAnyField must be a non-empty list of top-level field names, got ${JSON.stringify(s.whenAnyField)}`);
    }
  });
  if (new Set(streams.map((s) => s.name)).size !== streams.length) throw new Error(`${where} stream names must be unique, got ${JSON.stringify(streams.map((s) => s.name))}`);
}
