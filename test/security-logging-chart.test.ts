import * as fs from 'fs';
import * as path from 'path';
import { Size, Testing } from 'cdk8s';
import { fluentdOf, jobFiles, stackObjects } from './helpers/chart';
import {
  AuditPolicy, ContainerLogFormat, FalcoPriority, FluentBitPluginKind, FluentdBuffer, LogAgent, S3Credentials, SecurityLoggingChart,
} from '../src';

/** The objects of a stack's two charts: data and UI, then the agents. */

describe('SecurityLoggingChart', () => {
  test('defaults', () => {
    const chart = new SecurityLoggingChart(Testing.app(), 'stack');
    expect(stackObjects(chart)).toMatchSnapshot();
  });

  test('custom', () => {
    const chart = new SecurityLoggingChart(Testing.app(), 'stack', {
      namespace: 'seclog-dev',
      elasticsearch: { replicas: 1, memoryLimit: Size.gibibytes(1) },
      kibana: { name: 'kb' },
      fluentd: { containerLogFormat: ContainerLogFormat.DOCKER_JSON, indexPrefix: 'dev' },
    });
    expect(stackObjects(chart)).toMatchSnapshot();
  });

  test('each chart\'s Namespace comes first and everything else is in it: data and UI apart from the agents', () => {
    const chart = new SecurityLoggingChart(Testing.app(), 'stack', { namespace: 'sec', agentNamespace: 'sec-nodes' });
    expect(chart.agentsChart.node.id).toBe('stack-agents');
    const agentObjects = Testing.synth(chart.agentsChart);
    for (const [objects, namespace] of [[Testing.synth(chart), 'sec'], [agentObjects, 'sec-nodes']] as const) {
      expect(objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: namespace } });
      expect(objects[0].metadata.namespace).toBeUndefined();
      const namespaced = objects.filter((o) => !['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind));
      // Only the setup Job's Role and RoleBinding in the agents' namespace (for the agent's credentials) sit in the data chart.
      expect(namespaced.filter((o) => o.metadata.namespace !== namespace).map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`))
        .toEqual(namespace === 'sec' ? ['Role/sec-nodes/elasticsearch-setup', 'RoleBinding/sec-nodes/elasticsearch-setup'] : []);
    }
    expect(agentObjects.filter((o) => o.kind === 'DaemonSet').map((o) => o.metadata.name)).toEqual(['fluentd', 'falco']);
    expect(new SecurityLoggingChart(Testing.app(), 'stack').agentsChart.namespace).toBe('security-logging-agents');
  });

  test('the parts are wired to each other', () => {
    const chart = new SecurityLoggingChart(Testing.app(), 'stack');
    expect(chart.kibana.config.settings['elasticsearch.hosts']).toEqual([chart.elasticsearch.connection.url]);
    expect(fluentdOf(chart).config.render()).toContain(`host ${chart.elasticsearch.connection.host}\n`);
  });

  test('two stacks in one app do not collide on cluster-scoped names or node paths', () => {
    const app = Testing.app();
    const a = new SecurityLoggingChart(app, 'a', { namespace: 'team-a' });
    const b = new SecurityLoggingChart(app, 'b', { namespace: 'team-b' });
    const clusterScoped = (chart: SecurityLoggingChart) => stackObjects(chart)
      .filter((o) => o.metadata.namespace === undefined).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(clusterScoped(a).filter((n) => clusterScoped(b).includes(n))).toEqual([]);
    expect(fluentdOf(a).stateDir).not.toBe(fluentdOf(b).stateDir);
  });

  test('selectors (immutable on Deployments, StatefulSets, DaemonSets) do not depend on the construct path', () => {
    const selectors = (id: string) => stackObjects(new SecurityLoggingChart(Testing.app(), id))
      .filter((o) => o.spec?.selector)
      .map((o) => [o.kind, o.metadata.name, o.spec.selector]);
    expect(selectors('renamed-stack')).toEqual(selectors('stack'));
  });

  test('audit logs are collected by default, with the API server files to match', () => {
    const chart = new SecurityLoggingChart(Testing.app(), 'stack');
    expect(fluentdOf(chart).config.render()).toContain(`path ${chart.apiServerAudit?.logPath}\n`);
    expect(Object.keys(chart.apiServerFiles())).toContain('audit-policy.yaml');
    expect(chart.apiServerFiles()['kube-apiserver-flags.txt']).toContain('--audit-log-format=json');
  });

  test('audit settings reach both the API server files and the agent', () => {
    const chart = new SecurityLoggingChart(Testing.app(), 'stack', {
      audit: { policy: AuditPolicy.upstreamExample(), logPath: '/var/log/apiserver/audit.log', maxAgeDays: 90 },
    });
    expect(chart.apiServerFiles()['kube-apiserver-flags.txt']).toContain('--audit-log-maxage=90');
    expect(fluentdOf(chart).config.render()).toContain('path /var/log/apiserver/audit.log\n');
  });

  test('auditLogs: false collects no audit log and writes no API server files', () => {
    const chart = new SecurityLoggingChart(Testing.app(), 'stack', { auditLogs: false });
    expect(fluentdOf(chart).config.render()).not.toContain('in_tail_audit');
    expect(chart.apiServerFiles()).toEqual({});
    expect(() => new SecurityLoggingChart(Testing.app(), 'stack', { auditLogs: false, audit: {} }))
      .toThrow(/chart audit or auditIndexName is set but auditLogs is false/);
  });

  test('KubeArmor events are collected by default, with the relay patches to match', () => {
    const chart = new SecurityLoggingChart(Testing.app(), 'stack');
    expect(fluentdOf(chart).config.render()).toContain('@id in_tail_kubearmor');
    expect(Object.keys(chart.kubeArmorFiles()).sort()).toEqual(['README.md', 'kubearmorconfig-stdout-patch.yaml', 'relay-deployment-stdout-patch.yaml']);
    const custom = new SecurityLoggingChart(Testing.app(), 'stack', { kubeArmor: { relayNamespace: 'kube-system' } });
    expect(custom.kubeArmorFiles()['README.md']).toContain('kubectl -n kube-system patch');
  });

  test('kubeArmorAlerts: false collects no KubeArmor events and writes no patches', () => {
    const chart = new SecurityLoggingChart(Testing.app(), 'stack', { kubeArmorAlerts: false });
    expect(fluentdOf(chart).config.render()).not.toContain('in_tail_kubearmor');
    expect(chart.kubeArmorFiles()).toEqual({});
    expect(() => new SecurityLoggingChart(Testing.app(), 'stack', { kubeArmorAlerts: false, kubeArmor: {} }))
      .toThrow(/chart kubeArmor is set but kubeArmorAlerts is false/);
  });

  test('Falco runs by default and its alerts are indexed; falcoAlerts: false removes both', () => {
    const chart = new SecurityLoggingChart(Testing.app(), 'stack', { falco: { priority: FalcoPriority.WARNING } });
    expect(chart.falcoDaemonSet?.indexName).toBe('seclog-falco');
    expect(fluentdOf(chart).config.render()).toContain('@id in_tail_falco');
    const off = new SecurityLoggingChart(Testing.app(), 'stack', { falcoAlerts: false });
    expect(off.falcoDaemonSet).toBeUndefined();
    expect(Testing.synth(off).filter((o) => o.metadata.name === 'falco')).toEqual([]);
    expect(() => new SecurityLoggingChart(Testing.app(), 'stack', { falcoAlerts: false, falco: {} })).toThrow(/chart falco is set but falcoAlerts is false/);
  });

  test('fails if the namespace is not a valid name', () => {
    expect(() => new SecurityLoggingChart(Testing.app(), 'stack', { namespace: 'Security_Logging' }))
      .toThrow(/chart namespace must be a lowercase RFC 1123 label.*got "Security_Logging"/);
  });

  test('the README outage table is the buffer arithmetic', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');
    const rows = [...readme.matchAll(/^\| ([\d,]+) \| ([\d,]+) s \(/gm)];
    expect(rows.length).toBe(3);
    const buffer = new FluentdBuffer();
    for (const [, rate, seconds] of rows) {
      expect(buffer.outageToleranceSeconds(Number(rate.replace(',', '')), 1024)).toBe(Number(seconds.replace(',', '')));
    }
  });
});

describe('SecurityLoggingChart with agent: FLUENT_BIT', () => {
  const chart = new SecurityLoggingChart(Testing.app(), 'stack', { agent: LogAgent.FLUENT_BIT });
  const objects = stackObjects(chart);
  const setupFiles = jobFiles(objects, 'elasticsearch-setup-');

  test('Fluent Bit instead of Fluentd on every node, everything else the same', () => {
    expect(chart.fluentd).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'DaemonSet').map((o) => o.metadata.name)).toEqual(['fluent-bit', 'falco']);
    const routes = chart.fluentBit?.config.pluginsOf(FluentBitPluginKind.INPUT).map((i) => i.properties.alias);
    expect(routes).toEqual(['in_tail_containers', 'in_tail_audit', 'in_tail_falco', 'in_tail_kubearmor', 'in_systemd_journal']);
    // The same families, templates and dashboards.
    expect(Object.keys(chart.indexTemplates)).toEqual(Object.keys(new SecurityLoggingChart(Testing.app(), 'other').indexTemplates));
    expect(chart.fluentBit?.writtenIndexFamilies()).toEqual([
      'seclog-containers', 'seclog-audit', 'seclog-falco', 'seclog-kubearmor-alerts', 'seclog-kubearmor-messages', 'seclog-kubearmor-logs', 'seclog-journal',
    ]);
    expect(JSON.parse(setupFiles['role-security-logging-agents-fluent-bit-writer.json']).indices[0].names).toContain('seclog-audit');
  });

  test('its NetworkPolicy: Elasticsearch lets it in; with the S3 archive it may upload', () => {
    const es = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'elasticsearch');
    expect(es.spec.ingress[0].from).toContainEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'security-logging-agents' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'fluent-bit', 'app.kubernetes.io/instance': 'fluent-bit' } },
    });
    const archived = new SecurityLoggingChart(Testing.app(), 'archived', {
      agent: LogAgent.FLUENT_BIT,
      fluentBit: { s3Archive: { bucket: 'b-logs', region: 'eu-west-1', credentials: S3Credentials.serviceAccountRole('arn:aws:iam::123456789012:role/r') } },
    });
    const policy = Testing.synth(archived.agentsChart).find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'fluent-bit');
    expect(policy.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] });
  });

  test('fails if the other agent\'s options are set', () => {
    expect(() => new SecurityLoggingChart(Testing.app(), 'x', { fluentBit: {} })).toThrow(/chart fluentBit is set but agent is FLUENTD/);
    expect(() => new SecurityLoggingChart(Testing.app(), 'x', { agent: LogAgent.FLUENT_BIT, fluentd: {} })).toThrow(/chart fluentd is set but agent is FLUENT_BIT/);
    expect(() => new SecurityLoggingChart(Testing.app(), 'x', { agent: 'vector' as any })).toThrow(/chart agent must be one of fluentd, fluent-bit, got "vector"/);
  });
});

describe('without Kibana (deployKibana: false: a Kibana elsewhere reads this Elasticsearch)', () => {
  const chart = new SecurityLoggingChart(Testing.app(), 'stack', { deployKibana: false });
  const objects = stackObjects(chart);

  test('no Kibana, no import Job, no connector; the agents, Elasticsearch and its setup as before', () => {
    const kinds = (name: RegExp) => objects.filter((o) => name.test(o.metadata.name)).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds(/^kibana/)).toEqual([]);
    expect(objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name).filter((n) => /kibana/.test(n))).toEqual([]);
    expect(objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'elasticsearch')).toBeDefined();
    expect(objects.find((o) => o.kind === 'DaemonSet' && o.metadata.name === 'fluentd')).toBeDefined();
    expect(Object.keys(jobFiles(objects, 'elasticsearch-setup-'))).not.toContain('template-seclog-alerts.json');
    // Elasticsearch makes no service account token for a Kibana.
    expect(jobFiles(objects, 'elasticsearch-setup-')['run.sh']).not.toMatch(/^ensure_kibana_credentials '/m);
  });

  test('the saved objects are still there to import into the other Kibana; the rules are off', () => {
    expect(chart.savedObjects.renderNdjson()).toContain('"security-overview"');
    expect(chart.detectionRules).toBeUndefined();
    expect(() => chart.kibana).toThrow('chart deploys no Kibana (deployKibana: false): there is no stack.kibana; import into your own Kibana');
    expect(() => chart.savedObjectsImport).toThrow(/stack.savedObjects.renderNdjson\(\) is the file to import/);
  });

  test.each([
    ['kibana options', { kibana: { replicas: 2 } }, /chart kibana is set but deployKibana is false/],
    ['detection rules asked for', { detectionRules: true }, /chart detectionRules is set but deployKibana is false/],
    ['Kibana clients', { kibanaClientNamespaces: ['ingress-nginx'], kibanaClientCidrs: ['10.0.0.0/8'] }, /chart kibanaClientNamespaces, kibanaClientCidrs are set but deployKibana is false/],
    ['not a boolean (JavaScript)', { deployKibana: 'no' as any }, /chart deployKibana must be true or false, got "no"/],
  ])('fails if %s', (_name, props, message) => {
    expect(() => new SecurityLoggingChart(Testing.app(), 'stack', { deployKibana: false, ...props })).toThrow(message);
  });
});
