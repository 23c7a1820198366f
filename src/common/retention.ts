import type { SecurityIndexRetention } from '../elasticsearch/security-index-templates';

/**
 * Days each source is kept: the given ones, and the defaults that
 * {@link SecurityIndexRetention} documents for the rest. The chart and the sizing
 * function both read them here, so that the sizing advice matches the chart.
 */
export function resolveRetention(retention: SecurityIndexRetention = {}): Required<SecurityIndexRetention> {
  return {
    containersDays: retention.containersDays ?? 14,
    falcoDays: retention.falcoDays ?? 90,
    kubeArmorDays: retention.kubeArmorDays ?? 90,
    auditDays: retention.auditDays ?? 365,
    kubernetesEventsDays: retention.kubernetesEventsDays ?? 30,
    syslogDays: retention.syslogDays ?? 14,
  };
}
