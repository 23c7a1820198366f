import type * as certManager from '../../imports/cert-manager.io';
import type * as monitoring from '../../imports/monitoring.coreos.com';

/*
 * The `cdk8s import`ed CRD bindings are loaded on first use, not with the library:
 * the generated modules are large (the cert-manager bindings are 0.9 MB of TypeScript)
 * and loading them cost every synthesis about 10 ms (26 ms while source maps were
 * inline), though only `ElasticsearchSecurity.certManager()` and
 * `serviceMonitor: true` use them.
 */

/** The cert-manager.io bindings. */
export function certManagerImports(): typeof certManager {
  return require('../../imports/cert-manager.io');
}

/** The monitoring.coreos.com (prometheus-operator) bindings. */
export function monitoringImports(): typeof monitoring {
  return require('../../imports/monitoring.coreos.com');
}
