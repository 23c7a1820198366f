import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { readTree } from './helpers/dist';
import {
  AuditLevel, AuditPolicy, ElasticsearchCluster, ElasticsearchSetup, FluentdDaemonSet, KubeApiServerAudit, KubeArmorRelayCollector, KubernetesAuditLogs, SecurityLoggingChart,
} from '../src';

/**
 * The files that are not Kubernetes objects (API server audit, KubeArmor patches) are
 * written by the App's own synth(), so a consumer's plain `cdk8s synth` writes them.
 */
describe('side files', () => {
  const outdir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'side-files-'));

  test('a user\'s own chart: app.synth() writes apiserver/ and kubearmor/ beside the manifests and prints the policy warnings', () => {
    // GIVEN a chart of the user's own, with no code that writes files
    const dir = outdir();
    const app = new App({ outdir: dir });
    const chart = new Chart(app, 'my-logging', { namespace: 'logging' });
    const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
    const fluentd = new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch });
    // A policy without a catch-all rule: a lint warning.
    new KubernetesAuditLogs(chart, 'AuditLogs', { agent: fluentd, audit: new KubeApiServerAudit({ policy: new AuditPolicy({ rules: [{ level: AuditLevel.METADATA, verbs: ['delete'] }] }) }) });
    new KubeArmorRelayCollector(chart, 'KubeArmor', { agent: fluentd });
    new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);

    // WHEN
    let warnings: string[];
    try {
      app.synth();
      warnings = warn.mock.calls.map((c) => c[0]);
    } finally {
      warn.mockRestore();
    }

    // THEN
    expect([...readTree(dir).keys()]).toEqual([
      'apiserver/README.md', 'apiserver/audit-policy.yaml', 'apiserver/kube-apiserver-flags.txt',
      'apiserver/kubeadm-v1beta3-cluster-configuration.yaml', 'apiserver/kubeadm-v1beta4-cluster-configuration.yaml',
      'kubearmor/README.md', 'kubearmor/kubearmorconfig-stdout-patch.yaml', 'kubearmor/relay-deployment-stdout-patch.yaml',
      'my-logging.k8s.yaml',
    ]);
    expect(warnings).toEqual([expect.stringMatching(/^warning: audit policy: .*catch-all/)]);
  });

  test('two stacks in one App: each writes its own sub-folder', () => {
    const dir = outdir();
    const app = new App({ outdir: dir });
    new SecurityLoggingChart(app, 'eu', { namespace: 'logging-eu' });
    new SecurityLoggingChart(app, 'us', { namespace: 'logging-us' });
    app.synth();
    const folders = [...readTree(dir).keys()].filter((f) => f.includes('/')).map((f) => f.split('/').slice(0, 2).join('/'));
    expect([...new Set(folders)]).toEqual(['apiserver/eu-agents', 'apiserver/us-agents', 'kubearmor/eu', 'kubearmor/us']);
  });

  test('a stale folder is replaced, and one without files is removed', () => {
    const dir = outdir();
    fs.mkdirSync(path.join(dir, 'apiserver'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'apiserver', 'old.txt'), 'stale');
    const app = new App({ outdir: dir });
    new SecurityLoggingChart(app, 'stack', { kubeArmorAlerts: false });
    app.synth();
    expect(fs.existsSync(path.join(dir, 'apiserver', 'old.txt'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'apiserver', 'audit-policy.yaml'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'kubearmor'))).toBe(false);
  });

  test('a Helm chart\'s templates/ gets its side folders in files/ beside it', () => {
    const dir = outdir();
    const app = new App({ outdir: path.join(dir, 'templates') });
    new SecurityLoggingChart(app, 'stack');
    app.synth();
    expect(fs.existsSync(path.join(dir, 'files', 'apiserver', 'audit-policy.yaml'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'templates', 'apiserver'))).toBe(false);
  });
});

describe('objects that would replace each other', () => {
  test('two stacks in one namespace fail at synth, naming the object and both constructs', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'clash-')) });
    new SecurityLoggingChart(app, 'one');
    new SecurityLoggingChart(app, 'two');
    expect(() => app.synth()).toThrow(
      /charts one and two both make Namespace security-logging, ServiceAccount security-logging\/elasticsearch-bootstrap, Role security-logging\/elasticsearch-bootstrap and \d+ more objects: kubectl apply would let one replace the other/);
  });

  test('two clusters of one name in one namespace fail at synth', () => {
    const app = new App();
    const a = new Chart(app, 'a', { namespace: 'logging' });
    const b = new Chart(app, 'b', { namespace: 'logging' });
    new ElasticsearchCluster(a, 'Elasticsearch', { replicas: 1 });
    new ElasticsearchCluster(b, 'Elasticsearch', { replicas: 1 });
    expect(() => app.synthYaml()).toThrow(/charts a and b both make ServiceAccount logging\/elasticsearch-bootstrap, .* and \d+ more objects/);
  });
});
