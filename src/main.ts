import { App } from 'cdk8s';
import { SecurityLoggingChart } from './charts/security-logging-chart';

/** The default app: `npm run synth` writes the full stack to dist/. */
export function createDefaultApp(outdir?: string): App {
  const app = new App({ outdir });
  new SecurityLoggingChart(app, 'security-logging');
  return app;
}

if (require.main === module) {
  createDefaultApp().synth();
}
