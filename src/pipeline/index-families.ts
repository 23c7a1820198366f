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

/** Index family names: lowercase, and clear of Elasticsearch's built-in data stream templates. */
export function validateIndexFamily(prop: string, family: string): void {
  validateDnsLabel(prop, family, 100);
  if (family === 'logs' || family.startsWith('logs-') || family.startsWith('metrics-') || family.startsWith('traces-')) {
    throw new Error(
      `${prop} must not be ${JSON.stringify(family)}: Elasticsearch's built-in logs-*-*, metrics-*-* and traces-*-* index ` +
      'templates turn such indices into data streams, which reject the writes; pick another name',
    );
  }
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
