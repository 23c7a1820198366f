import { App } from 'cdk8s';
import { SecurityLoggingChart } from './charts/security-logging-chart';

/**
 * The default app: the full stack in the `security-logging` namespace. Its `synth()`
 * writes the manifests, and (as for any app that uses the constructs) the API
 * server's audit files into `apiserver/` and the KubeArmor relay patches into
 * `kubearmor/`, and prints the audit policy's warnings.
 */
export function createDefaultApp(outdir?: string): App {
  const app = new App({ outdir });
  new SecurityLoggingChart(app, 'security-logging');
  return app;
}

if (require.main === module) {
  createDefaultApp().synth();
}
