import type * as certManager from '../../imports/cert-manager.io';
import type * as monitoring from '../../imports/monitoring.coreos.com';

/*
 * The `cdk8s import`ed CRD bindings are loaded on first use, not with the library:
 * the generated modules are large (cert-manager.io.js is 1.9 MB) and loading them
 * took about 25 ms of every synthesis (see the README's Benchmark), though only
 * `ElasticsearchSecurity.certManager()` and `serviceMonitor: true` use them.
 */

/** The cert-manager.io bindings. */
export function certManagerImports(): typeof certManager {
  return require('../../imports/cert-manager.io');
}

/** The monitoring.coreos.com (prometheus-operator) bindings. */
export function monitoringImports(): typeof monitoring {
  return require('../../imports/monitoring.coreos.com');
}
