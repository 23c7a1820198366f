import { IndexFamilyKind } from './index-families';
import type { NodeAgentPlacement } from '../common/node-placement';
import { describeValue } from '../common/validation';

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

/** One data stream per value of a record field (`<family>-<value>`). */
export interface LogStreamSplit {
  /** The field, a dotted path (`objectRef.namespace`). */
  readonly field: string;
  /** The stream name part of records without the field (`none`). */
  readonly missing: string;
}

/**
 * A source that writes JSON lines to a file of its own on the node (the API server's
 * audit log), declared once: the file, its time field, the longest line, whether it is
 * only on control-plane nodes, and its data stream. Each agent compiles it into a tail of
 * the file; the records keep their field names (dots included) as the file has them.
 */
export interface HostJsonFileSource {
  /** Route name (lowercase, `_`): it names the tail, its position file, label and output. */
  readonly name: string;
  /** The tag of the records (dot-separated words). */
  readonly tag: string;
  /** The file on the node, under `/var/log/` (which every agent mounts). */
  readonly path: string;
  /** The record's own time (RFC 3339 in UTC, or Unix seconds). */
  readonly time: LogTimeField;
  /** The longest line read, in bytes: a longer one is skipped. */
  readonly maxLineBytes: number;
  /** Whether the file is only on control-plane nodes (the agent must run there). */
  readonly controlPlaneOnly: boolean;
  /** The data stream (its `whenAnyField` is not used). */
  readonly stream: LogStream;
  /**
   * One data stream per value of a field, where the agent can name the index from a
   * record (Fluentd) and the family is not a `logs-<dataset>-<namespace>` stream;
   * otherwise every record goes to the family itself.
   * @default - one stream
   */
  readonly split?: LogStreamSplit;
}

/** How the node's syslog daemon reaches the agent's syslog input. */
export enum SyslogMode {
  /** A Unix datagram socket in the agent's state directory on the node (rsyslog `omuxsock`). */
  UNIX_UDP = 'unix_udp',
  /** A Unix stream socket in the agent's state directory on the node. */
  UNIX_TCP = 'unix_tcp',
  /** UDP on a host port of the node (rsyslog `omfwd` to the node's address). */
  UDP = 'udp',
  /** TCP on a host port of the node (rsyslog `omfwd`, protocol tcp). */
  TCP = 'tcp',
}

/**
 * A source that the node's syslog daemon forwards to, declared once: how it listens
 * (transport, port or socket mode), the message format, and its data stream. Each agent
 * compiles it into its syslog input; the records carry the parser's fields (`host`,
 * `ident`, `pid`, `message`, for RFC 5424 also `msgid` and `extradata`; the priority as
 * `pri`, or as `facility` and `severity` names where the agent's input takes it apart).
 */
export interface SyslogSource {
  /** Route name (lowercase, `_`): it names the input, its socket and output. */
  readonly name: string;
  /** The tag of the records (dot-separated words). */
  readonly tag: string;
  /** The transport. */
  readonly mode: SyslogMode;
  /** The host port, for UDP and TCP. */
  readonly port?: number;
  /** The Unix socket's mode (octal), for the Unix modes. */
  readonly socketMode?: string;
  /** RFC 3164 (rsyslog's default forwarding format), else RFC 5424. */
  readonly rfc3164: boolean;
  /** The data stream (its `whenAnyField` is not used). */
  readonly stream: LogStream;
}

/** Journal entries whose field has this value (`SYSLOG_FACILITY` `4`, `_SYSTEMD_UNIT` `kubelet.service`). */
export interface JournalMatch {
  /** The journal field (`SYSLOG_FACILITY`, `_SYSTEMD_UNIT`, `SYSLOG_IDENTIFIER`): uppercase letters, digits, `_`. */
  readonly field: string;
  /** The exact value (the journal has no wildcards). */
  readonly value: string;
}

/**
 * A source that reads the node's systemd journal, declared once: which journal, which
 * entries, and the data stream they go to. Each agent compiles it into its own journal
 * input (Fluent Bit's `systemd` input, Fluentd's `systemd` plugin), which both open the
 * directory with `sd_journal_open_directory` (its machine-id subdirectories included),
 * read from the oldest entry on their first start and keep a cursor on the node after
 * it. The records keep the journal's field names and string values (`MESSAGE`, `_PID`,
 * `SYSLOG_IDENTIFIER`; a field an entry holds twice is a list with Fluent Bit, its last
 * value with Fluentd), with the journal's receive time as their time; the family's ingest
 * pipeline makes them ECS.
 * @see https://www.freedesktop.org/software/systemd/man/latest/systemd.journal-fields.html
 */
export interface JournalSource {
  /** Route name (lowercase, `_`): it names the input, its cursor file and label. */
  readonly name: string;
  /** The tag of the records (dot-separated words). */
  readonly tag: string;
  /** The journal directory on the node: `/var/log/journal` (persistent) or `/run/log/journal` (volatile). */
  readonly path: string;
  /** The entries read: those that meet any of these matches. */
  readonly matches: JournalMatch[];
  /** The data stream (its `whenAnyField` is not used: every entry goes there). */
  readonly stream: LogStream;
}

/** The journal directories an agent can read, each the one journald writes in one of its storage modes. */
export const JOURNAL_DIRECTORIES = ['/var/log/journal', '/run/log/journal'];

/**
 * A log agent on every node, as sources see it: the Fluentd and Fluent Bit agents
 * implement it, and a source (Falco, the KubeArmor collector) needs nothing else of them.
 */
export interface ILogAgent {
  /** Prefix of the agent's index families (with IndexNaming.PREFIX). */
  readonly indexPrefix: string;
  /**
   * The family the agent's naming gives a source's stream: `<indexPrefix>-<source>`
   * (PREFIX) or `logs-<dataset>-<dataStreamNamespace>` (DATA_STREAM).
   * @param source the source's part of a PREFIX name (`falco`, `kubearmor-alerts`)
   * @param dataset the records' `event.dataset` (`falco.alerts`)
   */
  familyName(source: string, dataset: string): string;
  /** The nodes the agent runs on. */
  readonly placement: NodeAgentPlacement;
  /** Compiles a source into the agent's configuration, and registers its families. */
  addContainerJsonSource(source: ContainerJsonSource): void;
  /** Compiles a journal source into the agent's configuration, and registers its family. */
  addJournalSource(source: JournalSource): void;
  /** Compiles a host file source into the agent's configuration, and registers its family. */
  addHostJsonFileSource(source: HostJsonFileSource): void;
  /**
   * Compiles a syslog source into the agent's syslog input, and registers its family.
   * @returns where it listens: the socket path on the node, or `udp:<port>` / `tcp:<port>`
   */
  addSyslogSource(source: SyslogSource): string;
}

/** Whether a value (from a caller without a type checker) is a log agent. */
export function isLogAgent(value: unknown): value is ILogAgent {
  const agent = value as ILogAgent | undefined;
  return agent !== null && typeof agent === 'object' && typeof agent.addContainerJsonSource === 'function'
    && typeof agent.addJournalSource === 'function' && typeof agent.addHostJsonFileSource === 'function'
    && typeof agent.addSyslogSource === 'function' && typeof agent.familyName === 'function' && typeof agent.indexPrefix === 'string' && agent.placement !== undefined;
}

/**
 * The log agent a source was given, checked (a caller without a type checker may pass
 * anything): `source` names the source in the error, `what` says what the agent does for
 * it, `example` shows the call.
 */
export function requireLogAgent(source: string, agent: unknown, what: string, example: string): ILogAgent {
  if (!isLogAgent(agent)) throw new Error(`${source} agent is required: pass the log agent that ${what} (${example}), got ${describeValue(agent)}`);
  return agent;
}

/** Checks a route or stream name: lowercase letters, digits or `_` (it names plugin ids, files and labels). */
export function checkRouteName(prop: string, name: unknown): void {
  if (typeof name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`${prop} must be lowercase letters, digits or '_', got ${JSON.stringify(name)}`);
}

/** Checks a record tag: dot-separated words, no `*` (it is matched, never a pattern). */
function checkTag(prop: string, tag: unknown): void {
  if (typeof tag !== 'string' || !/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(tag)) throw new Error(`${prop} must be dot-separated words without '*', got ${JSON.stringify(tag)}`);
}

/** `UpdatedTime` as `updated_time`. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toLowerCase();
}

/** Checks a declaration: names, tag, times and streams (the last may take the rest, and only it). */
export function validateContainerJsonSource(agent: string, source: ContainerJsonSource): void {
  checkRouteName(`${agent} source name`, source?.name);
  const where = `${agent} source ${source.name}`;
  checkTag(`${where} tag`, source.tag);
  if (typeof source.path !== 'string' || !source.path.startsWith('/var/log/containers/')) throw new Error(`${where} path must be a glob under /var/log/containers/, got ${JSON.stringify(source.path)}`);
  if (!Array.isArray(source.times) || source.times.some((t) => typeof t?.field !== 'string' || !Object.values(LogTimeFormat).includes(t.format))) {
    throw new Error(`${where} times must be a list of { field, format: LogTimeFormat }, got ${JSON.stringify(source.times)}`);
  }
  const streams = source.streams;
  if (!Array.isArray(streams) || streams.length === 0) throw new Error(`${where} streams must be a non-empty list, got ${JSON.stringify(streams)}`);
  streams.forEach((s, i) => {
    checkRouteName(`${where} streams[${i}].name`, s?.name);
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

/** Checks a journal declaration: name, tag, directory, matches and stream. */
export function validateJournalSource(agent: string, source: JournalSource): void {
  checkRouteName(`${agent} journal source name`, source?.name);
  const where = `${agent} journal source ${source.name}`;
  checkTag(`${where} tag`, source.tag);
  if (!JOURNAL_DIRECTORIES.includes(source.path)) throw new Error(`${where} path must be one of ${JOURNAL_DIRECTORIES.join(', ')}, got ${JSON.stringify(source.path)}`);
  validateJournalMatches(`${where} matches`, source.matches);
  const stream = source.stream;
  checkRouteName(`${where} stream.name`, stream?.name);
  if (stream.whenAnyField !== undefined) throw new Error(`${where} stream takes every entry read: leave its whenAnyField unset, got ${JSON.stringify(stream.whenAnyField)}`);
}

/** Checks journal matches: a non-empty list of journal field names and values that fit on one line. */
export function validateJournalMatches(prop: string, matches: JournalMatch[]): void {
  if (!Array.isArray(matches) || matches.length === 0) throw new Error(`${prop} must be a non-empty list of { field, value }, got ${JSON.stringify(matches)}`);
  matches.forEach((m, i) => {
    // Journal field names: uppercase letters, digits and '_', not starting with a digit (sd_journal_add_match).
    if (!/^[A-Z_][A-Z0-9_]*$/.test(m?.field ?? '')) throw new Error(`${prop}[${i}].field must be a journal field name (uppercase letters, digits, '_'), got ${JSON.stringify(m?.field)}`);
    if (typeof m.value !== 'string' || m.value === '' || /[\r\n"\\]/.test(m.value)) {
      throw new Error(`${prop}[${i}].value must be a non-empty single-line string without '"' or '\\', got ${JSON.stringify(m.value)}`);
    }
  });
}

/** Checks a host file declaration: name, tag, file, time, line length, stream and split. */
export function validateHostJsonFileSource(agent: string, source: HostJsonFileSource): void {
  checkRouteName(`${agent} host file source name`, source?.name);
  const where = `${agent} host file source ${source.name}`;
  checkTag(`${where} tag`, source.tag);
  if (typeof source.path !== 'string' || !/^\/var\/log\/[A-Za-z0-9._/-]+$/.test(source.path) || source.path.startsWith('/var/log/containers/')) {
    throw new Error(`${where} path must be a file under /var/log/ (outside /var/log/containers/), got ${JSON.stringify(source.path)}`);
  }
  if (typeof source.time?.field !== 'string' || !Object.values(LogTimeFormat).includes(source.time.format)) {
    throw new Error(`${where} time must be { field, format: LogTimeFormat }, got ${JSON.stringify(source.time)}`);
  }
  if (!Number.isInteger(source.maxLineBytes) || source.maxLineBytes < 16 * 1024) throw new Error(`${where} maxLineBytes must be an integer of at least 16384, got ${JSON.stringify(source.maxLineBytes)}`);
  if (typeof source.controlPlaneOnly !== 'boolean') throw new Error(`${where} controlPlaneOnly must be true or false, got ${JSON.stringify(source.controlPlaneOnly)}`);
  checkRouteName(`${where} stream.name`, source.stream?.name);
  const split = source.split;
  if (split !== undefined && (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(split?.field ?? '') || !/^[a-z0-9_]+$/.test(split.missing ?? ''))) {
    throw new Error(`${where} split must be { field: a dotted field path, missing: lowercase letters, digits or '_' }, got ${JSON.stringify(split)}`);
  }
}

/** Whether a syslog mode is a Unix socket. */
export function isUnixSyslogMode(mode: SyslogMode): boolean {
  return mode === SyslogMode.UNIX_UDP || mode === SyslogMode.UNIX_TCP;
}

/**
 * Checks a syslog declaration (`prop` names it in errors): a known mode, a port only for
 * UDP and TCP (1 to 65535), a socket mode only for the Unix modes (octal), the stream.
 */
export function validateSyslogSource(prop: string, source: SyslogSource): void {
  checkRouteName(`${prop} name`, source?.name);
  checkTag(`${prop} tag`, source.tag);
  if (!Object.values(SyslogMode).includes(source.mode)) throw new Error(`${prop} mode must be one of ${Object.values(SyslogMode).join(', ')}, got ${JSON.stringify(source.mode)}`);
  const unix = isUnixSyslogMode(source.mode);
  if (unix && source.port !== undefined) throw new Error(`${prop} port is for udp and tcp, got port ${source.port} with mode ${source.mode}`);
  if (!unix && source.socketMode !== undefined) throw new Error(`${prop} socketMode is for unix sockets, got ${JSON.stringify(source.socketMode)} with mode ${source.mode}`);
  if (!unix && (!Number.isInteger(source.port) || (source.port as number) < 1 || (source.port as number) > 65535)) {
    throw new Error(`${prop} port must be an integer between 1 and 65535, got ${JSON.stringify(source.port)}`);
  }
  if (unix && !/^0?[0-7]{3}$/.test(source.socketMode ?? '')) throw new Error(`${prop} socketMode must be an octal mode such as "0600" or "0666", got ${JSON.stringify(source.socketMode)}`);
  if (typeof source.rfc3164 !== 'boolean') throw new Error(`${prop} rfc3164 must be true or false, got ${JSON.stringify(source.rfc3164)}`);
  checkRouteName(`${prop} stream.name`, source.stream?.name);
}
