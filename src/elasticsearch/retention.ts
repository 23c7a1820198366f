import type { SecurityIndexRetention } from './security-index-templates';
import { validateInteger } from '../common/validation';

const KEYS = ['containersDays', 'falcoDays', 'kubeArmorDays', 'auditDays', 'kubernetesEventsDays', 'syslogDays', 'journalDays', 'detectionAlertsDays'];

/**
 * Days each source is kept: the given ones, and the defaults that
 * {@link SecurityIndexRetention} documents for the rest. The chart and the sizing
 * function both read them here, so that the sizing advice matches the chart.
 */
export function resolveRetention(retention: SecurityIndexRetention = {}, prop = 'retention'): Required<SecurityIndexRetention> {
  const given = (retention ?? {}) as { [key: string]: unknown };
  for (const [key, days] of Object.entries(given)) {
    if (days === undefined) continue;
    if (!KEYS.includes(key)) throw new Error(`${prop}.${key} is not a source; the retention props are ${KEYS.join(', ')}`);
    validateInteger(`${prop}.${key}`, days as number, 1, 3650);
  }
  return {
    containersDays: retention.containersDays ?? 14,
    falcoDays: retention.falcoDays ?? 90,
    kubeArmorDays: retention.kubeArmorDays ?? 90,
    auditDays: retention.auditDays ?? 365,
    kubernetesEventsDays: retention.kubernetesEventsDays ?? 30,
    syslogDays: retention.syslogDays ?? 14,
    journalDays: retention.journalDays ?? 30,
    detectionAlertsDays: retention.detectionAlertsDays ?? 365,
  };
}
