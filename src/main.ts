import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { SecurityLoggingChart } from './charts/security-logging-chart';

/** Folder of `dist/` for the control-plane files; `kubectl apply -f dist/` does not descend into it. */
export const API_SERVER_FOLDER = 'apiserver';

/**
 * The default app: the full stack in the `security-logging` namespace. `synth()`
 * writes the manifests, then the API server's audit files into `apiserver/`.
 */
export function createDefaultApp(outdir?: string): { app: App; synth: () => void } {
  const app = new App({ outdir });
  const chart = new SecurityLoggingChart(app, 'security-logging');
  return {
    app,
    synth: () => {
      app.synth();
      const folder = path.join(app.outdir, API_SERVER_FOLDER);
      fs.rmSync(folder, { recursive: true, force: true });
      fs.mkdirSync(folder, { recursive: true });
      for (const [file, content] of Object.entries(chart.apiServerFiles())) {
        fs.writeFileSync(path.join(folder, file), content);
      }
    },
  };
}

if (require.main === module) {
  createDefaultApp().synth();
}
