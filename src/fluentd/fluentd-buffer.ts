import { Duration, Size } from 'cdk8s';
import { FluentdSection } from './fluentd-config';
import { validateDuration, validateInteger, validateSize } from '../common/validation';

/**
 * What fluentd does when an output's buffer is full (`overflow_action`).
 * @see https://docs.fluentd.org/configuration/buffer-section#flushing-parameters
 */
export enum FluentdOverflowAction {
  /**
   * Stop reading input until the buffer drains: nothing is dropped by fluentd, and
   * files not yet read stay on the node (until kubelet rotates them away).
   */
  BLOCK = 'block',
  /** Drop the oldest buffered chunk to make room: newest events win. */
  DROP_OLDEST_CHUNK = 'drop_oldest_chunk',
  /** Raise an error to the input plugin (in_tail retries reading later). */
  THROW_EXCEPTION = 'throw_exception',
}

/** Options of an output's file buffer. */
export interface FluentdBufferOptions {
  /**
   * Upper bound of the buffer on the node's disk, per output (`total_limit_size`).
   * @default Size.gibibytes(2)
   */
  readonly totalLimitSize?: Size;

  /**
   * Size of one chunk, the unit of a bulk request (`chunk_limit_size`).
   * @default Size.mebibytes(8)
   */
  readonly chunkLimitSize?: Size;

  /**
   * How often chunks are flushed (`flush_interval`).
   * @default Duration.seconds(5)
   */
  readonly flushInterval?: Duration;

  /**
   * Parallel flushes (`flush_thread_count`).
   * @default 2
   */
  readonly flushThreadCount?: number;

  /**
   * What happens when the buffer is full.
   * @default FluentdOverflowAction.BLOCK
   */
  readonly overflowAction?: FluentdOverflowAction;

  /**
   * Longest wait between retries (`retry_max_interval`); retries back off
   * exponentially from 1 s and never give up (`retry_forever`), so events leave the
   * buffer only when Elasticsearch has them.
   * @default Duration.seconds(60)
   */
  readonly retryMaxInterval?: Duration;
}

/**
 * A resolved, validated buffer configuration.
 * @see https://docs.fluentd.org/configuration/buffer-section
 * @see https://docs.fluentd.org/buffer/file
 */
export class FluentdBuffer {
  /** `total_limit_size` in bytes. */
  public readonly totalLimitBytes: number;
  /** `chunk_limit_size` in bytes. */
  public readonly chunkLimitBytes: number;
  /** `flush_interval` in seconds. */
  public readonly flushIntervalSeconds: number;
  /** `flush_thread_count`. */
  public readonly flushThreadCount: number;
  /** `overflow_action`. */
  public readonly overflowAction: FluentdOverflowAction;
  /** `retry_max_interval` in seconds. */
  public readonly retryMaxIntervalSeconds: number;

  constructor(options: FluentdBufferOptions = {}) {
    this.totalLimitBytes = validateSize('fluentd buffer totalLimitSize', options.totalLimitSize ?? Size.gibibytes(2));
    this.chunkLimitBytes = validateSize('fluentd buffer chunkLimitSize', options.chunkLimitSize ?? Size.mebibytes(8));
    this.flushIntervalSeconds = wholeSeconds('fluentd buffer flushInterval', options.flushInterval ?? Duration.seconds(5));
    this.retryMaxIntervalSeconds = wholeSeconds('fluentd buffer retryMaxInterval', options.retryMaxInterval ?? Duration.seconds(60));
    this.flushThreadCount = options.flushThreadCount ?? 2;
    validateInteger('fluentd buffer flushThreadCount', this.flushThreadCount, 1, 64);
    this.overflowAction = options.overflowAction ?? FluentdOverflowAction.BLOCK;
    if (!Object.values(FluentdOverflowAction).includes(this.overflowAction)) {
      throw new Error(`fluentd buffer overflowAction must be one of ${Object.values(FluentdOverflowAction).join(', ')}, got ${JSON.stringify(this.overflowAction)}`);
    }
    if (this.chunkLimitBytes > 256 * 1024 ** 2) {
      throw new Error(`fluentd buffer chunkLimitSize must be at most 256 MiB (one chunk is one bulk request), got ${mib(this.chunkLimitBytes)}`);
    }
    // One chunk is being filled while up to flushThreadCount chunks are in flight:
    // a smaller total overflows before one flush cycle completes.
    const minimum = this.chunkLimitBytes * (this.flushThreadCount + 1);
    if (this.totalLimitBytes < minimum) {
      throw new Error(
        `fluentd buffer totalLimitSize (${mib(this.totalLimitBytes)}) must hold at least flushThreadCount + 1 ` +
        `(${this.flushThreadCount + 1}) chunks of chunkLimitSize (${mib(this.chunkLimitBytes)}), i.e. ${mib(minimum)}: ` +
        'raise totalLimitSize or lower chunkLimitSize',
      );
    }
  }

  /**
   * How many seconds of an Elasticsearch outage the buffer rides out before the
   * overflow action applies, at a steady event rate.
   * @param eventsPerSecond events per second on one node
   * @param bytesPerEvent average buffered event size (with Kubernetes metadata, about 1 KiB)
   */
  public outageToleranceSeconds(eventsPerSecond: number, bytesPerEvent: number): number {
    if (!(eventsPerSecond > 0) || !(bytesPerEvent > 0)) {
      throw new Error(`eventsPerSecond and bytesPerEvent must be positive, got ${eventsPerSecond} and ${bytesPerEvent}`);
    }
    return Math.floor(this.totalLimitBytes / (eventsPerSecond * bytesPerEvent));
  }

  /**
   * The `<buffer tag>` section of one output, writing under `path`. Chunked by tag:
   * fluent-plugin-elasticsearch refuses a buffer without `tag` (or `_index`) in its
   * chunk keys ("'tag' in chunk_keys is required.").
   */
  public section(path: string): FluentdSection {
    return FluentdSection.buffer('file', 'tag', {
      params: {
        path,
        flush_mode: 'interval',
        flush_interval: `${this.flushIntervalSeconds}s`,
        flush_thread_count: this.flushThreadCount,
        flush_at_shutdown: true,
        chunk_limit_size: sizeParam(this.chunkLimitBytes),
        total_limit_size: sizeParam(this.totalLimitBytes),
        overflow_action: this.overflowAction,
        retry_type: 'exponential_backoff',
        retry_wait: '1s',
        retry_max_interval: `${this.retryMaxIntervalSeconds}s`,
        retry_forever: true,
      },
    });
  }
}

function wholeSeconds(prop: string, duration: Duration): number {
  validateDuration(prop, duration);
  const seconds = duration.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new Error(`${prop} must be a whole number of seconds, at least 1, got ${seconds} s`);
  }
  return seconds;
}

function mib(bytes: number): string {
  return `${+(bytes / 1024 ** 2).toFixed(2)} MiB`;
}

/** A fluentd `size` value: `k`/`m`/`g` suffixes where exact, else bytes. */
function sizeParam(bytes: number): string {
  for (const [unit, factor] of [['g', 1024 ** 3], ['m', 1024 ** 2], ['k', 1024]] as const) {
    if (bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return `${bytes}`;
}
