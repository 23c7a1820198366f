import { Size } from 'cdk8s';
import { resolveRetention } from '../elasticsearch/retention';
import { validateInteger } from '../common/validation';
import { SecurityIndexRetention } from '../elasticsearch/security-index-templates';

/** Events per second of each source, over the whole cluster. */
export interface SourceEventRates {
  /** Container log lines. @default 0 */
  readonly containers?: number;
  /** Falco alerts. @default 0 */
  readonly falco?: number;
  /** KubeArmor alerts, logs and messages. @default 0 */
  readonly kubeArmor?: number;
  /** Kubernetes audit events. @default 0 */
  readonly audit?: number;
  /** Kubernetes events. @default 0 */
  readonly kubernetesEvents?: number;
  /** Node journal entries (logins, sudo, kubelet, the container runtime). @default 0 */
  readonly journal?: number;
  /** Node syslog messages (Fluent Bit's syslog input). @default 0 */
  readonly syslog?: number;
}

/** What {@link SecurityLoggingSizing.size} sizes for. */
export interface SizingInput {
  /** Kubernetes nodes the agents run on. */
  readonly nodes: number;
  /** Events per second of each source, over the whole cluster. */
  readonly eventsPerSecond: SourceEventRates;
  /**
   * Days each source is kept.
   * @default - the chart's defaults: containers 14, Falco 90, KubeArmor 90, audit 365, Kubernetes events 30, journal 30, syslog 14
   */
  readonly retention?: SecurityIndexRetention;
  /**
   * Average size of one event as indexed, metadata included.
   * @default 1024 (bytes)
   */
  readonly bytesPerEvent?: number;
  /**
   * The Elasticsearch outage each node's agent should ride out without dropping anything.
   * @default 4 (hours)
   */
  readonly outageHours?: number;

  /**
   * The agent's Elasticsearch outputs on each node, which share its events, each with a
   * buffer of its own.
   * @default 5 (the default stack's Fluentd: containers, audit, Falco, KubeArmor, the node journal; Fluent Bit has 7, KubeArmor's three kinds each its own)
   */
  readonly agentOutputs?: number;
}

/** Suggestions from {@link SecurityLoggingSizing.size}; each maps to a chart prop. */
export interface SizingResult {
  /** Elasticsearch nodes (`elasticsearch.replicas`): 3 for a quorum and a replica of every shard. */
  readonly elasticsearchNodes: number;
  /** Index replicas the templates get with that many nodes. */
  readonly indexReplicas: number;
  /** Volume per Elasticsearch node (`elasticsearch.storage`), with room below the disk watermarks. */
  readonly storagePerNode: Size;
  /** Memory per Elasticsearch node (`elasticsearch.memoryLimit`); the heap is half of it. */
  readonly memoryPerNode: Size;
  /** Bytes stored, replicas included, once every source has reached its retention. */
  readonly storedBytes: number;
  /** The agent's backlog per output on each node (`fluentd.buffer.totalLimitSize`, `fluentBit.storage.totalLimitSize`). */
  readonly agentBufferPerOutput: Size;
}

/** Elasticsearch stops allocating shards to a node above 85% disk (the low watermark). */
const WATERMARK = 0.85;
const GiB = 1024 ** 3;

/** Sizing advice for the stack (a class, so that Python, Java and Go can call it too). */
// Static methods only: jsii publishes no free functions to Python, Java and Go.
// eslint-disable-next-line @typescript-eslint/no-extraneous-class
export class SecurityLoggingSizing {
  /**
   * Sizes Elasticsearch and the agents' buffers for a cluster's event rates and
   * retention, with these rules:
   * - **Nodes:** 3 nodes, for a quorum and one replica of every shard. More nodes are
   *   added when one node would need more than 1 TiB of disk.
   * - **Disk per node:** every source's bytes per day times its retention, times 2 for
   *   the replica, spread over the nodes, and kept below the 85% watermark.
   * - **Memory per node:** 1 GiB of heap per 30 GiB of stored data on the node. The
   *   heap is at least 1 GiB and at most 31 GiB, and the memory is twice the heap.
   * - **Agent buffer:** the busiest node's share of all events for `outageHours`,
   *   split over the agent's outputs. It is at least 256 MiB.
   *
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/size-your-shards.html
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/disk-based-shard-allocation.html
   */
  public static size(input: SizingInput): SizingResult {
    validateInteger('sizing nodes', input?.nodes, 1);
    const rates = input.eventsPerSecond ?? {};
    const retention = resolveRetention(input.retention, 'sizing retention');
    const bytesPerEvent = input.bytesPerEvent ?? 1024;
    validateInteger('sizing bytesPerEvent', bytesPerEvent, 1);
    const outageHours = input.outageHours ?? 4;
    validateInteger('sizing outageHours', outageHours, 1, 24 * 30);
    const outputs = input.agentOutputs ?? 5;
    validateInteger('sizing agentOutputs', outputs, 1, 100);
    const sources: [string, number | undefined, number][] = [
      ['containers', rates.containers, retention.containersDays],
      ['falco', rates.falco, retention.falcoDays],
      ['kubeArmor', rates.kubeArmor, retention.kubeArmorDays],
      ['audit', rates.audit, retention.auditDays],
      ['kubernetesEvents', rates.kubernetesEvents, retention.kubernetesEventsDays],
      ['journal', rates.journal, retention.journalDays],
      ['syslog', rates.syslog, retention.syslogDays],
    ];
    let primaryBytes = 0;
    let totalRate = 0;
    for (const [name, rate, days] of sources) {
      const eps = rate ?? 0;
      if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0) {
        throw new Error(`sizing eventsPerSecond.${name} must be a number >= 0, got ${JSON.stringify(rate)}`);
      }
      validateInteger(`sizing retention for ${name}`, days, 1);
      primaryBytes += eps * 86400 * bytesPerEvent * days;
      totalRate += eps;
    }
    const indexReplicas = 1;
    const storedBytes = primaryBytes * (1 + indexReplicas);
    const elasticsearchNodes = Math.max(3, Math.ceil(storedBytes / WATERMARK / (1024 * GiB)));
    const perNodeBytes = storedBytes / elasticsearchNodes / WATERMARK;
    const storageGiB = Math.max(10, Math.ceil(perNodeBytes / GiB));
    const heapGiB = Math.min(31, Math.max(1, Math.ceil(storedBytes / elasticsearchNodes / (30 * GiB))));
    // The busiest node: twice its even share of the events, split over the agent's outputs.
    const perNodeRate = (2 * totalRate) / input.nodes;
    const bufferMiB = Math.max(256, Math.ceil((perNodeRate * outageHours * 3600 * bytesPerEvent) / outputs / 1024 ** 2));
    return {
      elasticsearchNodes,
      indexReplicas,
      storagePerNode: Size.gibibytes(storageGiB),
      memoryPerNode: Size.gibibytes(2 * heapGiB),
      storedBytes: Math.round(storedBytes),
      agentBufferPerOutput: Size.mebibytes(bufferMiB),
    };
  }

  private constructor() {}
}
