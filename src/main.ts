import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { SecurityLoggingChart } from './charts/security-logging-chart';

/** Folder of `dist/` for the control-plane files; `kubectl apply -f dist/` does not descend into it. */
export const API_SERVER_FOLDER = 'apiserver';
/** Folder of `dist/` for the KubeArmor relay patches. */
export const KUBEARMOR_FOLDER = 'kubearmor';

/**
 * The default app: the full stack in the `security-logging` namespace. `synth()`
 * writes the manifests, then the API server's audit files into `apiserver/` and the
 * KubeArmor relay patches into `kubearmor/`.
 */
export function createDefaultApp(outdir?: string): { app: App; synth: () => void } {
  const app = new App({ outdir });
  const chart = new SecurityLoggingChart(app, 'security-logging');
  return {
    app,
    synth: () => {
      app.synth();
      for (const warning of chart.apiServerAudit?.policy.warnings ?? []) {
        console.warn(`warning: audit policy: ${warning.message}`);
      }
      // In a Helm chart (`cdk8s synth --format helm`) the manifests go to templates/,
      // which Helm renders and installs: these files go to files/ beside it instead.
      const sideRoot = path.basename(app.outdir) === 'templates' ? path.join(path.dirname(app.outdir), 'files') : app.outdir;
      writeFolder(path.join(sideRoot, API_SERVER_FOLDER), chart.apiServerFiles());
      writeFolder(path.join(sideRoot, KUBEARMOR_FOLDER), chart.kubeArmorFiles());
    },
  };
}

/** Replaces a folder's content with the given files. */
function writeFolder(folder: string, files: { [file: string]: string }): void {
  fs.rmSync(folder, { recursive: true, force: true });
  if (Object.keys(files).length === 0) return;
  fs.mkdirSync(folder, { recursive: true });
  for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(folder, file), content);
}

if (require.main === module) {
  createDefaultApp().synth();
}
