import type { SecurityIndexRetention } from '../elasticsearch/security-index-templates';
import {
  AUDIT_EVENT_FIELDS, CONTAINER_LOG_FIELDS, FALCO_ALERT_FIELDS, KUBEARMOR_EVENT_FIELDS, KUBERNETES_EVENT_FIELDS, SYSLOG_FIELDS,
} from '../elasticsearch/security-index-templates';
import { IndexFieldType } from '../elasticsearch/index-template';

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
}

/** The mapping, retention and rollover of each kind. */
export const FAMILY_KINDS: { [kind: string]: {
  readonly fields: { [path: string]: IndexFieldType };
  readonly retention: keyof SecurityIndexRetention;
  readonly rolloverDays: number;
} } = {
  // Daily rollover for the busy container logs and syslog; weekly or monthly for the
  // quieter, longer-kept sources, so that their shard count stays small.
  [IndexFamilyKind.CONTAINERS]: { fields: CONTAINER_LOG_FIELDS, retention: 'containersDays', rolloverDays: 1 },
  [IndexFamilyKind.AUDIT]: { fields: AUDIT_EVENT_FIELDS, retention: 'auditDays', rolloverDays: 30 },
  [IndexFamilyKind.FALCO]: { fields: FALCO_ALERT_FIELDS, retention: 'falcoDays', rolloverDays: 7 },
  [IndexFamilyKind.KUBEARMOR]: { fields: KUBEARMOR_EVENT_FIELDS, retention: 'kubeArmorDays', rolloverDays: 7 },
  [IndexFamilyKind.KUBERNETES_EVENTS]: { fields: KUBERNETES_EVENT_FIELDS, retention: 'kubernetesEventsDays', rolloverDays: 7 },
  [IndexFamilyKind.SYSLOG]: { fields: SYSLOG_FIELDS, retention: 'syslogDays', rolloverDays: 1 },
};

/** Checks a kind given by a caller without a type checker. */
export function validateFamilyKind(prop: string, kind: IndexFamilyKind | undefined): void {
  if (kind !== undefined && FAMILY_KINDS[kind] === undefined) {
    throw new Error(`${prop} kind must be one of ${Object.values(IndexFamilyKind).join(', ')}, got ${JSON.stringify(kind)}`);
  }
}
