import { validateDnsLabel } from '../common/validation';

/**
 * The field in which every agent ships the name of the Kubernetes cluster it runs in
 * (no dots: an agent's output may de-dot names); each family's ingest pipeline makes it
 * `orchestrator.cluster.name`.
 */
export const CLUSTER_NAME_FIELD = 'orchestrator_cluster_name';

/**
 * What an index family holds: it picks the family's field mappings, its retention
 * (from {@link SecurityIndexRetention}) and its rollover, so that the setup Job can put
 * its template and lifecycle policy on every path.
 */
export enum IndexFamilyKind {
  /** Container log lines: daily rollover, `containersDays`. */
  CONTAINERS = 'containers',
  /** Kubernetes audit events (one data stream per namespace): monthly rollover, `auditDays`. */
  AUDIT = 'audit',
  /** Falco alerts: weekly rollover, `falcoDays`. */
  FALCO = 'falco',
  /** KubeArmor alerts, logs or messages: weekly rollover, `kubeArmorDays`. */
  KUBEARMOR = 'kubearmor',
  /** Kubernetes events: weekly rollover, `kubernetesEventsDays`. */
  KUBERNETES_EVENTS = 'kubernetes-events',
  /** Node syslog: daily rollover, `syslogDays`. */
  SYSLOG = 'syslog',
  /** The node's systemd journal (logins, sudo, kubelet, the container runtime): daily rollover, `journalDays`. */
  JOURNAL = 'journal',
}

/** Checks a kind given by a caller without a type checker. */
export function validateFamilyKind(prop: string, kind: IndexFamilyKind | undefined): void {
  if (kind !== undefined && !Object.values(IndexFamilyKind).includes(kind)) {
    throw new Error(`${prop} kind must be one of ${Object.values(IndexFamilyKind).join(', ')}, got ${JSON.stringify(kind)}`);
  }
}

/**
 * How a writer names its index families (each a data stream).
 * @see https://www.elastic.co/guide/en/fleet/8.19/data-streams.html#data-streams-naming-scheme
 */
export enum IndexNaming {
  /**
   * `<indexPrefix>-<source>` (`seclog-falco`, `seclog-audit-<namespace>`): names of our
   * own, which nothing else Elastic installs claims.
   */
  PREFIX = 'prefix',
  /**
   * Elastic's data stream naming scheme, `logs-<dataset>-<namespace>`
   * (`logs-kubernetes.audit_logs-default`, `logs-falco.alerts-default`), with the datasets
   * of Elastic's integrations, so that Elastic Security's prebuilt rules and the
   * integrations' dashboards, which search `logs-<dataset>-*`, read our documents. Our
   * templates (priority 210, one per stream name) win over the built-in `logs` template
   * (100) and over those a Fleet integration installs later for the same datasets (200),
   * so our mapping and pipeline keep serving our streams. The audit log is one stream (no
   * stream per Kubernetes namespace: the namespace part of the name is the
   * `dataStreamNamespace`).
   */
  DATA_STREAM = 'data-stream',
}

/** A writer's resolved naming. */
export interface FamilyNaming {
  readonly naming: IndexNaming;
  /** The prefix (PREFIX). */
  readonly prefix: string;
  /** The `<namespace>` of `logs-<dataset>-<namespace>` (DATA_STREAM). */
  readonly namespace: string;
}

/**
 * Elastic's dataset of each source's records: their `event.dataset` (set by the source's
 * normalization) and the `<dataset>` of their `logs-<dataset>-<namespace>` stream, as
 * Elastic's integrations name them where one exists (Kubernetes, Falco, System).
 */
export const DATASETS = {
  containers: 'kubernetes.container_logs',
  audit: 'kubernetes.audit_logs',
  falco: 'falco.alerts',
  kubeArmorAlerts: 'kubearmor.alerts',
  kubeArmorLogs: 'kubearmor.logs',
  kubeArmorMessages: 'kubearmor.messages',
  kubernetesEvents: 'kubernetes.event',
  syslog: 'system.syslog',
  journal: 'system.journal',
} as const;

/** The priority of a template of a DATA_STREAM family: above Fleet's integration templates (200). */
export const DATA_STREAM_TEMPLATE_PRIORITY = 210;

const DATA_STREAM_NAMESPACE = /^[a-z0-9_]{1,100}$/;
const DATA_STREAM_FAMILY = /^logs-[a-z0-9_.]+-[a-z0-9_]+$/;

/**
 * Checks a writer's naming props (`agent` names the writer in errors): the prefix is for
 * PREFIX, the namespace for DATA_STREAM, and each must be valid.
 */
export function resolveFamilyNaming(agent: string, naming: IndexNaming | undefined, prefix: string | undefined, namespace: string | undefined): FamilyNaming {
  const resolved = naming ?? IndexNaming.PREFIX;
  if (!Object.values(IndexNaming).includes(resolved)) {
    throw new Error(`${agent} indexNaming must be one of ${Object.values(IndexNaming).join(', ')}, got ${JSON.stringify(naming)}`);
  }
  if (resolved === IndexNaming.DATA_STREAM && prefix !== undefined) {
    throw new Error(`${agent} indexPrefix ${JSON.stringify(prefix)} is for IndexNaming.PREFIX: with DATA_STREAM the families are logs-<dataset>-<dataStreamNamespace>; remove indexPrefix`);
  }
  if (resolved === IndexNaming.PREFIX && namespace !== undefined) {
    throw new Error(`${agent} dataStreamNamespace ${JSON.stringify(namespace)} is for IndexNaming.DATA_STREAM: with PREFIX the families are <indexPrefix>-<source>; remove dataStreamNamespace or set indexNaming`);
  }
  const ns = namespace ?? 'default';
  if (typeof ns !== 'string' || !DATA_STREAM_NAMESPACE.test(ns)) {
    throw new Error(`${agent} dataStreamNamespace must be 1 to 100 lowercase letters, digits or '_' (Elastic's naming scheme: no '-'), got ${JSON.stringify(namespace)}`);
  }
  const p = prefix ?? 'seclog';
  validateIndexFamily(`${agent} indexPrefix`, p);
  return { naming: resolved, prefix: p, namespace: ns };
}

/** The family of a source's stream: `<prefix>-<source>` or `logs-<dataset>-<namespace>`. */
export function familyName(naming: FamilyNaming, source: string, dataset: string): string {
  return naming.naming === IndexNaming.DATA_STREAM ? `logs-${dataset}-${naming.namespace}` : `${naming.prefix}-${source}`;
}

/**
 * Index family names: lowercase, and clear of Elasticsearch's built-in data stream
 * templates, unless they follow Elastic's naming scheme (`logs-<dataset>-<namespace>`,
 * neither part holding a `-`), whose template of ours then wins.
 */
export function validateIndexFamily(prop: string, family: string): void {
  if (typeof family === 'string' && family.startsWith('logs-') && DATA_STREAM_FAMILY.test(family) && family.length <= 100) return;
  validateDnsLabel(prop, family, 100);
  if (family === 'logs' || family.startsWith('logs-') || family.startsWith('metrics-') || family.startsWith('traces-')) {
    throw new Error(
      `${prop} must not be ${JSON.stringify(family)}: Elasticsearch's built-in logs-*-*, metrics-*-* and traces-*-* index ` +
      'templates claim such names; pick another name, or follow Elastic\'s scheme logs-<dataset>-<namespace> (no \'-\' in either part)',
    );
  }
}

/** Whether a family follows Elastic's data stream naming scheme (`logs-<dataset>-<namespace>`). */
export function isDataStreamFamily(family: string): boolean {
  return DATA_STREAM_FAMILY.test(family);
}

/** Whether two index families equal or overlap (`a` and `a-b`): their `<family>-*` indices would mix. */
export function familiesOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}-`) || b.startsWith(`${a}-`);
}

/**
 * Adds `family` to an agent's reserved families, by the prop that named it. Throws if
 * the name is not a valid family, or if it equals or overlaps (`a` and `a-b`) another
 * source's: the index patterns `<family>-*` would mix their documents.
 */
export function reserveIndexFamily(families: Map<string, string>, prop: string, family: string): void {
  validateIndexFamily(prop, family);
  for (const [otherProp, other] of families) {
    if (familiesOverlap(family, other)) {
      throw new Error(
        `${prop} ${JSON.stringify(family)} overlaps ${otherProp} ${JSON.stringify(other)}: ` +
        'each source needs a family of its own that is not a prefix of another (their <family>-* indices would mix)',
      );
    }
  }
  families.set(prop, family);
}
