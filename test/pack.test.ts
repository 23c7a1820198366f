import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DIST, readTree } from './helpers/dist';

/**
 * The package as npm publishes it: `npm pack` of the built tree (`--ignore-scripts`:
 * `npm test` has just built it, and the `prepack` rebuild would rewrite lib/ under the
 * other suites), unpacked into a
 * fresh project beside cdk8s, cdk8s-plus-27 and constructs, imported through its
 * `exports` from JavaScript and TypeScript, and synthesized.
 */
describe('the packed package', () => {
  const root = path.join(__dirname, '..');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-'));
  let files: string[] = [];
  const project = path.join(work, 'consumer');

  beforeAll(() => {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'ignore'] }))[0];
    files = packed.files.map((f: { path: string }) => f.path).sort();
    fs.mkdirSync(path.join(project, 'node_modules'), { recursive: true });
    execFileSync('tar', ['-xzf', path.join(work, packed.filename), '-C', work]);
    fs.renameSync(path.join(work, 'package'), path.join(project, 'node_modules', 'cdk8s-security-logging'));
    for (const dependency of ['cdk8s', 'cdk8s-plus-27', 'constructs']) {
      fs.symlinkSync(path.join(root, 'node_modules', dependency), path.join(project, 'node_modules', dependency), 'dir');
    }
  });

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  /** Runs a JavaScript app that requires the package and makes `chart`; returns what it wrote. */
  function synthesizeWithPackage(name: string, chart: string): Map<string, string> {
    fs.writeFileSync(path.join(project, `${name}.js`), [
      "const { App } = require('cdk8s');",
      "const { ElasticsearchSecurity, SecurityLoggingChart } = require('cdk8s-security-logging');",
      `const app = new App({ outdir: 'out-${name}' });`,
      chart,
      'app.synth();',
      '',
    ].join('\n'));
    execFileSync('node', [`${name}.js`], { cwd: project, stdio: 'pipe' });
    return readTree(path.join(project, `out-${name}`));
  }

  test('ships lib/ (JavaScript, source maps and declarations), .jsii, API.md, README, LICENSE, package.json and nothing else', () => {
    expect(files.filter((f) => !f.startsWith('lib/'))).toEqual(['.jsii', 'API.md', 'LICENSE', 'README.md', 'package.json']);
    expect(files.filter((f) => f.startsWith('lib/') && !/\.(js|js\.map|d\.ts)$/.test(f))).toEqual([]);
    expect(files).toContain('lib/src/index.js');
    expect(files).toContain('lib/src/index.d.ts');
    // The default app is not part of the library.
    expect(files.filter((f) => f.startsWith('lib/src/main.'))).toEqual([]);
    expect(fs.readFileSync(path.join(project, 'node_modules', 'cdk8s-security-logging', 'LICENSE'), 'utf-8')).toContain('Apache License\n                           Version 2.0');
  });

  test('`npm pack` in a fresh clone builds first (prepack): the tarball has the library, not 4 files; tarballs are git-ignored', () => {
    // GIVEN the files git tracks (or would): no lib/, no .jsii
    const clone = path.join(work, 'clone');
    const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf-8' }).split('\0').filter((f) => f !== '');
    for (const file of tracked) {
      fs.mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
      fs.copyFileSync(path.join(root, file), path.join(clone, file));
    }
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
    // WHEN
    const output = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: clone, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'ignore'] });
    // The build's own lines come first on stdout, then npm's JSON.
    const dryRun = JSON.parse(output.slice(output.indexOf('\n[') + 1))[0];
    // THEN
    const packed = dryRun.files.map((f: { path: string }) => f.path);
    expect(packed).toEqual(expect.arrayContaining(['lib/src/index.js', 'lib/src/index.d.ts', '.jsii', 'API.md']));
    expect(packed.length).toBe(files.length);
    const ignored = execFileSync('git', ['check-ignore', 'cdk8s-security-logging-0.1.0.tgz'], { cwd: root, encoding: 'utf-8' });
    expect(ignored.trim()).toBe('cdk8s-security-logging-0.1.0.tgz');
  });

  test('every JavaScript file has its source map beside it, with its TypeScript inside, and none inline', () => {
    // Inline maps made the JavaScript 4.3 times larger, and Node read them on every load.
    const shipped = path.join(project, 'node_modules', 'cdk8s-security-logging');
    const javascript = files.filter((f) => f.endsWith('.js'));
    expect(javascript.length).toBeGreaterThan(30);
    for (const file of javascript) {
      const map = `${file}.map`;
      const code = fs.readFileSync(path.join(shipped, file), 'utf-8');
      const sources = JSON.parse(fs.readFileSync(path.join(shipped, map), 'utf-8')).sourcesContent;
      expect({ file, mapShipped: files.includes(map), lastLine: code.trimEnd().split('\n').pop(), inline: code.includes('sourceMappingURL=data:') })
        .toEqual({ file, mapShipped: true, lastLine: `//# sourceMappingURL=${path.basename(map)}`, inline: false });
      expect({ file, sources: sources.length, text: typeof sources[0] === 'string' && sources[0].length > 0 }).toEqual({ file, sources: 1, text: true });
    }
  });

  test('a JavaScript project imports the constructs and synthesizes the default stack, byte for byte dist/ (side folders included)', () => {
    const out = synthesizeWithPackage('app', "new SecurityLoggingChart(app, 'security-logging');");
    const dist = readTree(DIST);
    expect([...out.keys()]).toEqual([...dist.keys()]);
    for (const [file, text] of out) expect({ file, same: text === dist.get(file) }).toEqual({ file, same: true });
  });

  test('a consumer\'s own chart, synthesized by `cdk8s synth`, gets the API server and KubeArmor files and the policy warnings', () => {
    // GIVEN a cdk8s project of the user's: its own chart, and no code that writes files
    const own = path.join(project, 'own');
    fs.mkdirSync(own, { recursive: true });
    fs.writeFileSync(path.join(own, 'cdk8s.yaml'), 'language: typescript\napp: node main.js\n');
    fs.writeFileSync(path.join(own, 'main.js'), [
      "const { App, Chart } = require('cdk8s');",
      'const { AuditLevel, AuditPolicy, ElasticsearchCluster, ElasticsearchSetup, FluentdDaemonSet, KubeApiServerAudit, KubeArmorRelayCollector, KubernetesAuditLogs } =',
      "  require('cdk8s-security-logging');",
      'const app = new App();',
      "const chart = new Chart(app, 'my-logging', { namespace: 'logging' });",
      "const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch');",
      "const fluentd = new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch });",
      // No catch-all: the lint warns.
      "new KubernetesAuditLogs(chart, 'AuditLogs', { agent: fluentd, audit: new KubeApiServerAudit({ policy: new AuditPolicy({ rules: [{ level: AuditLevel.METADATA, verbs: ['delete'] }] }) }) });",
      "new KubeArmorRelayCollector(chart, 'KubeArmor', { agent: fluentd });",
      "new ElasticsearchSetup(chart, 'Setup', { elasticsearch });",
      'app.synth();',
      '',
    ].join('\n'));
    fs.symlinkSync(path.join(project, 'node_modules'), path.join(own, 'node_modules'), 'dir');

    // WHEN
    const result = spawnSync(path.join(root, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade'], { cwd: own, encoding: 'utf-8' });

    // THEN
    expect(result.status).toBe(0);
    expect(result.stderr + result.stdout).toMatch(/warning: audit policy: the policy has no catch-all rule last/);
    expect([...readTree(path.join(own, 'dist')).keys()]).toEqual([
      'apiserver/README.md', 'apiserver/audit-policy.yaml', 'apiserver/kube-apiserver-flags.txt',
      'apiserver/kubeadm-v1beta3-cluster-configuration.yaml', 'apiserver/kubeadm-v1beta4-cluster-configuration.yaml',
      'kubearmor/README.md', 'kubearmor/kubearmorconfig-stdout-patch.yaml', 'kubearmor/relay-deployment-stdout-patch.yaml',
      'my-logging.k8s.yaml',
    ]);
  });

  test('the CRD bindings, loaded on first use, ship too: cert-manager Certificates and a ServiceMonitor', () => {
    const out = synthesizeWithPackage('crds',
      "new SecurityLoggingChart(app, 'stack', { elasticsearch: { security: ElasticsearchSecurity.certManager({ issuerName: 'ca' }) }, fluentd: { serviceMonitor: true } });");
    const kinds = [...out.values()].join('\n').match(/^kind: (Certificate|ServiceMonitor)$/gm);
    expect([...new Set(kinds)].sort()).toEqual(['kind: Certificate', 'kind: ServiceMonitor']);
  });

  test('a TypeScript project resolves the types through `exports` (node16 resolution)', () => {
    fs.writeFileSync(path.join(project, 'app.ts'), [
      "import { App, Chart } from 'cdk8s';",
      "import { ElasticsearchCluster, FluentBitDaemonSet, LogAgent, SecurityLoggingChart } from 'cdk8s-security-logging';",
      'const app = new App();',
      "const chart = new Chart(app, 'c', { namespace: 'logging' });",
      "new FluentBitDaemonSet(chart, 'FluentBit', { elasticsearch: new ElasticsearchCluster(chart, 'Elasticsearch') });",
      "new SecurityLoggingChart(app, 'stack', { agent: LogAgent.FLUENT_BIT });",
      // A wrong prop must be a type error, so the check can fail.
      '// @ts-expect-error replicas is a number',
      "new ElasticsearchCluster(chart, 'Bad', { replicas: 'three' });",
      '',
    ].join('\n'));
    execFileSync(path.join(root, 'node_modules', '.bin', 'tsc'), [
      '--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', 'app.ts',
    ], { cwd: project, stdio: 'pipe' });
  });
});
