import { Duration } from 'cdk8s';
import { IlmPolicy, IndexFieldType, IndexTemplate } from './index-template';
import { PIPELINE_FIELDS } from './ecs-processors';
import { IngestPipeline, IngestPipelineCheck, IngestProcessor } from './ingest-pipeline';
import { AUDIT_MAPPING, AUDIT_NORMALIZATION } from '../audit/audit-normalization';
import { FALCO_ECS_FIELDS, FALCO_NORMALIZATION } from '../falco/falco-normalization';
import { KUBEARMOR_MAPPING, KUBEARMOR_NORMALIZATION } from '../kubearmor/kubearmor-normalization';
import { CONTAINER_LOG_MAPPING, CONTAINER_NORMALIZATION } from '../pipeline/container-normalization';
import { CLUSTER_NAME_FIELD, DATA_STREAM_TEMPLATE_PRIORITY, IndexFamilyKind, isDataStreamFamily } from '../pipeline/index-families';
import { KUBERNETES_EVENT_MAPPING, KUBERNETES_EVENT_NORMALIZATION } from '../pipeline/kubernetes-events-normalization';
import { SYSLOG_MAPPING, SYSLOG_NORMALIZATION } from '../syslog/syslog-normalization';
import { JOURNAL_MAPPING, JOURNAL_NORMALIZATION } from '../journal/journal-normalization';

const K = IndexFieldType.KEYWORD;

/**
 * Fields every source's events carry: the event time, the fluentd tag, and what every
 * family's pipeline adds ({@link familyPipeline}).
 */
const COMMON: { [path: string]: IndexFieldType } = {
  '@timestamp': IndexFieldType.DATE_NANOS,
  'tag': K,
  ...PIPELINE_FIELDS,
};

/**
 * Container log events: the line, its stream, the JSON payload (whose fields vary by
 * application), and the pod it came from in the fields of Elastic's Kubernetes
 * integration, which the ingest pipeline sets from the agent's metadata.
 * @see https://github.com/fabric8io/fluent-plugin-kubernetes_metadata_filter
 */
export const CONTAINER_LOG_FIELDS: { [path: string]: IndexFieldType } = {
  ...COMMON,
  ...CONTAINER_LOG_MAPPING,
};

/**
 * Falco alerts: Falco's own fields under `falco.*` (rule, priority, the output text,
 * the output fields with de-dotted keys and values of any type as one flattened
 * field), as Elastic's `falco` integration keeps them, and the ECS fields their ingest
 * pipeline sets (`FALCO_ECS_FIELDS`).
 * @see https://falco.org/docs/concepts/outputs/formatting/
 */
export const FALCO_ALERT_FIELDS: { [path: string]: IndexFieldType } = {
  ...COMMON,
  'falco.time': IndexFieldType.DATE_NANOS,
  'falco.rule': K,
  'falco.priority': K,
  'falco.output': IndexFieldType.TEXT,
  'falco.output_fields': IndexFieldType.FLATTENED,
  'falco.source': K,
  'falco.tags': K,
  'falco.hostname': K,
  'falco.uuid': K,
  ...FALCO_ECS_FIELDS,
};

/**
 * KubeArmor alerts, logs and messages (one mapping serves the three families).
 * @see https://docs.kubearmor.io/kubearmor/documentation/kubearmor-events
 */
export const KUBEARMOR_EVENT_FIELDS: { [path: string]: IndexFieldType } = {
  ...COMMON,
  ...KUBEARMOR_MAPPING,
};

/**
 * Kubernetes audit events (`audit.k8s.io/v1` Event) under `kubernetes.audit.*`, mapped
 * as Elastic's Kubernetes integration maps them, and their ECS fields.
 * @see https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-Event
 */
export const AUDIT_EVENT_FIELDS: { [path: string]: IndexFieldType } = {
  ...COMMON,
  ...AUDIT_MAPPING,
};

/**
 * Kubernetes events (core/v1 Event objects, as Fluent Bit's kubernetes_events input
 * emits them) under `kubernetes.event.*`, and their ECS fields.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/event-v1/
 */
export const KUBERNETES_EVENT_FIELDS: { [path: string]: IndexFieldType } = {
  ...COMMON,
  ...KUBERNETES_EVENT_MAPPING,
};

/**
 * Node syslog messages, as Fluent Bit's stock syslog-rfc3164 / syslog-rfc5424 parsers
 * split them (under `syslog.*`), and their ECS fields (logins and sudo included).
 * @see https://github.com/fluent/fluent-bit/blob/master/conf/parsers.conf
 */
export const SYSLOG_FIELDS: { [path: string]: IndexFieldType } = {
  ...COMMON,
  ...SYSLOG_MAPPING,
};

/**
 * Node journal entries: the journal's fields under `journald.*`, and their ECS fields
 * (logins and sudo included).
 * @see https://www.freedesktop.org/software/systemd/man/latest/systemd.journal-fields.html
 */
export const JOURNAL_FIELDS: { [path: string]: IndexFieldType } = {
  ...COMMON,
  ...JOURNAL_MAPPING,
};

/**
 * The detection alerts the rules' index action writes (one document per alert, see
 * `DetectionRules.addIndexAction`), in the field names of Elastic Security's own alerts
 * (`kibana.alert.*`) and ECS's `threat.*`, so that a query written for one reads the other.
 * @see https://www.elastic.co/guide/en/security/8.19/alert-schema.html
 */
export const DETECTION_ALERT_FIELDS: { [path: string]: IndexFieldType } = {
  '@timestamp': IndexFieldType.DATE,
  'event.kind': K,
  'event.dataset': K,
  'message': IndexFieldType.MATCH_ONLY_TEXT,
  'kibana.alert.uuid': K,
  'kibana.alert.url': K,
  'kibana.alert.severity': K,
  'kibana.alert.risk_score': IndexFieldType.LONG,
  'kibana.alert.rule.uuid': K,
  'kibana.alert.rule.rule_id': K,
  'kibana.alert.rule.name': K,
  'threat.framework': K,
  'threat.tactic.id': K,
  'threat.tactic.name': K,
  'threat.technique.id': K,
  'threat.technique.name': K,
  'tags': K,
};

/** Retention per source, in days after rollover. */
export interface SecurityIndexRetention {
  /**
   * Container logs.
   * @default 14
   */
  readonly containersDays?: number;
  /**
   * Falco alerts.
   * @default 90
   */
  readonly falcoDays?: number;
  /**
   * KubeArmor alerts, logs and messages.
   * @default 90
   */
  readonly kubeArmorDays?: number;
  /**
   * Kubernetes audit events (kept longest: investigations reach back months).
   * @default 365
   */
  readonly auditDays?: number;
  /**
   * Kubernetes events.
   * @default 30
   */
  readonly kubernetesEventsDays?: number;
  /**
   * Node syslog (Fluent Bit's syslog input).
   * @default 14
   */
  readonly syslogDays?: number;
  /**
   * The node journal (logins, sudo, kubelet, the container runtime).
   * @default 30
   */
  readonly journalDays?: number;
  /**
   * The detection rules' alerts, as their index action writes them (as long as the
   * audit events they point back to).
   * @default 365
   */
  readonly detectionAlertsDays?: number;
}

/** One source's index family, mapping and retention. */
export interface SecurityIndexSource {
  /** Index family name (patterns `<family>` and `<family>-*`). */
  readonly family: string;
  /** Field mappings. */
  readonly fields: { [path: string]: IndexFieldType };
  /** Days to keep. */
  readonly retentionDays: number;
  /**
   * Replicas per shard: 1 needs a second data node (with one, it stays unassigned
   * and the cluster yellow).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Days after which the stream rolls over (sooner at 50 GiB per primary shard):
   * longer for low-volume, long-kept sources, so their shard count stays small.
   * @default 1
   */
  readonly rolloverDays?: number;

  /**
   * The ingest pipeline of the family's documents (`index.default_pipeline`).
   * @default - none
   */
  readonly pipeline?: IngestPipeline;
}

/**
 * The stack's index templates and the field mappings of its sources, as a class so
 * that Python, Java and Go can call it too.
 */
// Static methods only: jsii publishes no free functions to Python, Java and Go.
// eslint-disable-next-line @typescript-eslint/no-extraneous-class
export class SecurityIndexTemplates {
  /** Container log events. */
  public static readonly CONTAINER_LOG_FIELDS: { [path: string]: IndexFieldType } = CONTAINER_LOG_FIELDS;
  /** Falco alerts. */
  public static readonly FALCO_ALERT_FIELDS: { [path: string]: IndexFieldType } = FALCO_ALERT_FIELDS;
  /** KubeArmor alerts, logs and messages. */
  public static readonly KUBEARMOR_EVENT_FIELDS: { [path: string]: IndexFieldType } = KUBEARMOR_EVENT_FIELDS;
  /** Kubernetes audit events. */
  public static readonly AUDIT_EVENT_FIELDS: { [path: string]: IndexFieldType } = AUDIT_EVENT_FIELDS;
  /** Kubernetes events. */
  public static readonly KUBERNETES_EVENT_FIELDS: { [path: string]: IndexFieldType } = KUBERNETES_EVENT_FIELDS;
  /** Node syslog. */
  public static readonly SYSLOG_FIELDS: { [path: string]: IndexFieldType } = SYSLOG_FIELDS;
  /** The node journal. */
  public static readonly JOURNAL_FIELDS: { [path: string]: IndexFieldType } = JOURNAL_FIELDS;
  /** The detection rules' alerts (their index action's documents). */
  public static readonly DETECTION_ALERT_FIELDS: { [path: string]: IndexFieldType } = DETECTION_ALERT_FIELDS;

  /** An index template and lifecycle policy per source, named after its family. */
  public static of(sources: SecurityIndexSource[]): IndexTemplate[] {
    if (!Array.isArray(sources)) throw new Error(`security index templates sources must be a list, got ${JSON.stringify(sources)}`);
    return sources.map((source) => new IndexTemplate({
      name: source.family,
      // The family itself (a data stream) and names under it (audit: one per namespace).
      indexPatterns: [source.family, `${source.family}-*`],
      replicas: source.replicas,
      fields: source.fields,
      pipeline: source.pipeline,
      // Above the templates a Fleet integration installs for the same dataset (200).
      priority: isDataStreamFamily(source.family) ? DATA_STREAM_TEMPLATE_PRIORITY : undefined,
      lifecycle: new IlmPolicy({
        name: `${source.family}-policy`,
        retention: Duration.days(source.retentionDays),
        rolloverMaxAge: Duration.days(source.rolloverDays ?? 1),
      }),
    }));
  }

  private constructor() {}
}

/** What a source's documents are mapped to in Elasticsearch: its ECS ingest processors and the checks that prove them. */
export interface SourceNormalization {
  /** The processors, in order (the family's `@custom` hook is appended). */
  readonly processors: IngestProcessor[];
  /** Documents as the agents ship them, and the fields the processors must give them. */
  readonly checks: IngestPipelineCheck[];
}

/** The mapping, retention, rollover and normalization of one kind. */
export interface FamilyKindSpec {
  readonly fields: { [path: string]: IndexFieldType };
  readonly retention: keyof SecurityIndexRetention;
  readonly rolloverDays: number;
  readonly normalization?: SourceNormalization;
}

/**
 * The ingest pipeline of a family: its kind's processors, then the family's own hook
 * `<family>@custom`, which does nothing until a user puts a pipeline of that name (as
 * Elastic's integrations offer `<type>-<dataset>@custom`).
 */
export function familyPipeline(family: string, normalization: SourceNormalization): IngestPipeline {
  return new IngestPipeline({
    name: `${family}-pipeline`,
    description: `ECS fields of ${family} (cdk8s-security-logging); put a pipeline named ${family}@custom to add your own processors`,
    processors: [
      // The agents name their cluster in a field without dots (their outputs may de-dot names).
      IngestProcessor.rename(CLUSTER_NAME_FIELD, 'orchestrator.cluster.name'),
      ...normalization.processors,
      // event.ingested: Elastic's prebuilt detection rules search by it (timestamp_override).
      IngestProcessor.ingestTime('event.ingested'),
      // ECS data stream fields, which Elastic's rules and dashboards filter on: the dataset
      // is the event's, the namespace the part of the stream's name after the family
      // (audit's per-namespace streams) or, for a family named logs-<dataset>-<namespace>,
      // its own last part; else "default".
      IngestProcessor.set('data_stream.type', '"logs"'),
      IngestProcessor.copy('event.dataset', 'data_stream.dataset'),
      IngestProcessor.grok('_index', [isDataStreamFamily(family) ? '^logs-[^-]+-%{NOTSPACE:data_stream.namespace}$' : `^${family}-%{NOTSPACE:data_stream.namespace}$`]),
      // ECS: a namespace holds no "-" (kube-system is kube_system).
      IngestProcessor.gsub('data_stream.namespace', '-', '_'),
      IngestProcessor.set('data_stream.namespace', '"default"', { override: false }),
      IngestProcessor.pipeline(`${family}@custom`, true),
    ],
    checks: normalization.checks,
  });
}

/** The mapping, retention and rollover of each kind. */
export const FAMILY_KINDS: { [kind: string]: FamilyKindSpec } = {
  // Daily rollover for the busy container logs, syslog and journal; weekly or monthly for the
  // quieter, longer-kept sources, so that their shard count stays small.
  [IndexFamilyKind.CONTAINERS]: { fields: CONTAINER_LOG_FIELDS, retention: 'containersDays', rolloverDays: 1, normalization: CONTAINER_NORMALIZATION },
  [IndexFamilyKind.AUDIT]: { fields: AUDIT_EVENT_FIELDS, retention: 'auditDays', rolloverDays: 30, normalization: AUDIT_NORMALIZATION },
  [IndexFamilyKind.FALCO]: { fields: FALCO_ALERT_FIELDS, retention: 'falcoDays', rolloverDays: 7, normalization: FALCO_NORMALIZATION },
  [IndexFamilyKind.KUBEARMOR]: { fields: KUBEARMOR_EVENT_FIELDS, retention: 'kubeArmorDays', rolloverDays: 7, normalization: KUBEARMOR_NORMALIZATION },
  [IndexFamilyKind.KUBERNETES_EVENTS]: { fields: KUBERNETES_EVENT_FIELDS, retention: 'kubernetesEventsDays', rolloverDays: 7, normalization: KUBERNETES_EVENT_NORMALIZATION },
  [IndexFamilyKind.SYSLOG]: { fields: SYSLOG_FIELDS, retention: 'syslogDays', rolloverDays: 1, normalization: SYSLOG_NORMALIZATION },
  [IndexFamilyKind.JOURNAL]: { fields: JOURNAL_FIELDS, retention: 'journalDays', rolloverDays: 1, normalization: JOURNAL_NORMALIZATION },
};
