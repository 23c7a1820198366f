import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { DIST, manifestObjects, readTree } from './helpers/dist';

/**
 * The Helm chart of the default stack, as `npm run synth:helm` makes it: cdk8s's
 * helm format, then scripts/finish-helm-chart.js (run on the built lib/).
 */
describe('the Helm chart of the default stack', () => {
  const root = path.join(__dirname, '..');
  const chart = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'helm-')), 'chart');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf-8'));
  const version = pkg.version;
  beforeAll(() => {
    execFileSync(path.join(root, 'node_modules', '.bin', 'cdk8s'),
      ['synth', '--no-check-upgrade', '--format', 'helm', '--chart-version', version, '--output', chart], { cwd: root, stdio: 'pipe' });
    execFileSync('node', [path.join(root, 'scripts', 'finish-helm-chart.js'), chart], { cwd: root, stdio: 'pipe' });
  });

  test('Chart.yaml names the chart and its version', () => {
    expect(parse(fs.readFileSync(path.join(chart, 'Chart.yaml'), 'utf-8'))).toEqual({
      apiVersion: 'v2', name: 'security-logging', version, type: 'application',
      description: pkg.description,
    });
  });

  test('templates/ holds the objects of dist/, Namespaces and PVCs kept on uninstall, and nothing Helm would misread', () => {
    const templates = readTree(path.join(chart, 'templates'));
    const dist = readTree(DIST);
    expect([...templates.keys()]).toEqual(['security-logging-agents.k8s.yaml', 'security-logging.k8s.yaml']);
    const kept: string[] = [];
    for (const [file, template] of templates) {
      // Helm renders templates with Go templates: the only actions are the escapes of `{{` and `}}`.
      const text = template.replace(/\{\{"(\{\{|\}\})"\}\}/g, '$1');
      expect(template.replace(/\{\{"(\{\{|\}\})"\}\}/g, '')).not.toMatch(/\{\{|\}\}/);
      const objects = manifestObjects(new Map([[file, text]]));
      const expected = manifestObjects(new Map([[file, dist.get(file) as string]]));
      expect(objects).toHaveLength(expected.length);
      objects.forEach((o, i) => {
        const { ['helm.sh/resource-policy']: policy, ...annotations } = o.metadata.annotations ?? {};
        if (policy !== undefined) kept.push(`${o.kind}/${o.metadata.name}`);
        const metadata = { ...o.metadata, annotations };
        if (Object.keys(annotations).length === 0) delete metadata.annotations;
        expect({ ...o, metadata }).toEqual(expected[i]);
      });
      if (file === 'security-logging.k8s.yaml') expect(template).toContain('{{"{{"}}alert.id{{"}}"}}');
    }
    expect(kept).toEqual(['Namespace/security-logging-agents', 'Namespace/security-logging', 'PersistentVolumeClaim/kubernetes-events-state']);
  });

  test('the control-plane and KubeArmor files sit in files/, which Helm does not install; no CRDs', () => {
    const files = [...readTree(path.join(chart, 'files')).keys()];
    expect(files).toEqual([...readTree(DIST).keys()].filter((f) => f.includes('/')));
    expect(fs.existsSync(path.join(chart, 'crds'))).toBe(false);
  });
});
