import * as fs from 'fs';
import * as path from 'path';
import { ecsTable, markedBlock } from './helpers/ecs-table';
import { runPipeline, simulate } from './helpers/ingest-model';
import { FAMILY_KINDS, SourceNormalization, familyPipeline } from '../src/elasticsearch/security-index-templates';
import { Testing } from 'cdk8s';
import { testChart } from './helpers/chart';
import {
  ContainerJsonSource, ElasticsearchCluster, FalcoDaemonSet, FluentBitDaemonSet, FluentBitPluginKind, FluentdDaemonSet, HostJsonFileSource, IndexFamilyKind, NodeSyslog, SyslogMode, ElasticsearchSetup, KubeArmorRelayCollector, LogAgent, LogTimeFormat,
  SecurityIndexTemplates, SecurityLoggingChart,
} from '../src';

const pipelineOf = (kind: IndexFamilyKind, family: string) => familyPipeline(family, FAMILY_KINDS[kind].normalization as SourceNormalization);

describe('node syslog in ECS: logins and sudo as Elastic\'s system integration reads them', () => {
  const pipeline = pipelineOf(IndexFamilyKind.SYSLOG, 'seclog-syslog');
  // Messages in the forms OpenSSH (auth.c, auth_log) and sudo (logging.c) print them; the
  // fields as Fluent Bit's stock syslog-rfc3164 parser splits a forwarded line.
  const line = (ident: string, message: string) => runPipeline(pipeline.toJson() as any, { pri: '38', host: 'worker-1', ident, pid: '2123', message, '@timestamp': '2026-07-29T15:10:01.000000000Z' });

  test.each([
    ['sshd', 'Accepted publickey for ops from 10.0.0.5 port 50122 ssh2: ED25519 SHA256:Hk3h',
      { 'event.category': ['authentication', 'session'], 'event.outcome': 'success', 'event.action': 'ssh_login', 'user.name': 'ops', 'source.ip': '10.0.0.5', 'source.port': 50122 }],
    ['sshd-session', 'Failed password for invalid user admin from 203.0.113.9 port 41022 ssh2',
      { 'event.category': ['authentication'], 'event.outcome': 'failure', 'user.name': 'admin', 'source.ip': '203.0.113.9', 'system.auth.ssh.method': 'password' }],
    ['sshd', 'Invalid user oracle from 2001:db8::7 port 50000',
      { 'event.category': ['authentication'], 'event.outcome': 'failure', 'user.name': 'oracle', 'source.ip': '2001:db8::7' }],
    ['sudo', '     ops : TTY=pts/0 ; PWD=/home/ops ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow',
      { 'event.category': ['process'], 'event.type': ['start'], 'event.action': 'sudo', 'event.outcome': 'success', 'user.name': 'ops', 'user.effective.name': 'root', 'system.auth.sudo.command': '/usr/bin/cat /etc/shadow' }],
    ['sudo', 'mallory : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash',
      { 'event.outcome': 'failure', 'user.name': 'mallory', 'system.auth.sudo.error': '3 incorrect password attempts' }],
    ['kubelet', 'Accepted publickey for ops from 10.0.0.5 port 50122 ssh2',
      { 'event.category': null, 'user.name': null, 'process.name': 'kubelet', 'process.pid': 2123 }],
    ['sshd', 'Received disconnect from 10.0.0.5 port 50122:11: disconnected by user',
      { 'event.category': null, 'source.ip': null, 'host.name': 'worker-1', 'log.syslog.priority': 38 }],
  ])('%s: %s', (ident, message, expected) => {
    const doc = line(ident, message);
    for (const [field, value] of Object.entries(expected)) {
      const actual = field.split('.').reduce((node: any, part) => node?.[part], doc) ?? null;
      expect([field, actual]).toEqual([field, value]);
    }
    expect(doc.tags ?? []).not.toContain('pipeline_error');
  });

  test('the checks pass', () => {
    expect(simulate(pipeline.simulateJson() as any, {}).map((r) => r.error)).toEqual([undefined]);
  });
});

describe('Kubernetes events and container logs: the checks pass on the model', () => {
  test.each([
    [IndexFamilyKind.KUBERNETES_EVENTS, 'seclog-events'],
    [IndexFamilyKind.CONTAINERS, 'seclog-containers'],
  ])('%s', (kind, family) => {
    const pipeline = pipelineOf(kind, family);
    expect(simulate(pipeline.simulateJson() as any, {}).map((r) => r.error)).toEqual(pipeline.checks.map(() => undefined));
  });

  test('an event of a node is no pod event', () => {
    const doc = runPipeline(pipelineOf(IndexFamilyKind.KUBERNETES_EVENTS, 'seclog-events').toJson() as any, {
      kind: 'Event', involvedObject: { kind: 'Node', name: 'worker-3' }, reason: 'NodeNotReady', type: 'Normal', message: 'Node worker-3 status is now: NodeNotReady',
      eventTime: '2026-07-29T15:52:10.123456Z', source: { component: 'node-controller' },
    });
    expect(doc).toMatchObject({ 'orchestrator': { resource: { type: 'node', name: 'worker-3' } }, 'event': { action: 'NodeNotReady' }, 'log': { level: 'info' }, '@timestamp': '2026-07-29T15:52:10.123456000Z' });
    expect(doc.kubernetes.pod?.name).toBeUndefined();
    expect(doc.source).toBeUndefined();
  });
});

test.each([
  ['containers-ecs', IndexFamilyKind.CONTAINERS, 'seclog-containers', ''],
  ['kubernetes-events-ecs', IndexFamilyKind.KUBERNETES_EVENTS, 'seclog-events', 'kubernetes.event.'],
  ['syslog-ecs', IndexFamilyKind.SYSLOG, 'seclog-syslog', 'syslog.'],
])('the README\'s %s table is the pipeline\'s, with the template\'s types', (block, kind, family, prefix) => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');
  const [template] = SecurityIndexTemplates.of([{ family, fields: FAMILY_KINDS[kind].fields, retentionDays: 9 }]);
  expect(markedBlock(readme, block)).toBe(ecsTable(pipelineOf(kind, family).toJson() as any, template, prefix));
  expect(markedBlock(readme, block)).not.toContain('UNMAPPED');
});

describe('orchestrator.cluster.name: each agent names its cluster, each pipeline makes it ECS', () => {
  const stackWith = (props: object) => new SecurityLoggingChart(Testing.app(), 'stack', props);

  test('the chart\'s clusterName reaches Fluentd, Fluent Bit and the events collector; the agents\' own wins', () => {
    const fluentd = stackWith({ clusterName: 'prod-eu-1' });
    expect(fluentd.fluentd?.config.render()).toContain('orchestrator_cluster_name prod-eu-1');
    expect(fluentd.kubernetesEventsCollector?.config.render()).toContain('add: orchestrator_cluster_name prod-eu-1');
    const fluentBit = stackWith({ clusterName: 'prod-eu-1', agent: LogAgent.FLUENT_BIT, fluentBit: { clusterName: 'other' } });
    expect(fluentBit.fluentBit?.config.render()).toContain('add: orchestrator_cluster_name other');
    expect(stackWith({}).fluentd?.config.render()).toContain('orchestrator_cluster_name default');
  });

  test('every family\'s pipeline makes it orchestrator.cluster.name', () => {
    for (const kind of Object.values(IndexFamilyKind)) {
      const doc = runPipeline(pipelineOf(kind, `seclog-${kind}`).toJson() as any, { orchestrator_cluster_name: 'prod-eu-1', message: 'x' });
      expect([kind, doc.orchestrator?.cluster?.name, doc.orchestrator_cluster_name]).toEqual([kind, 'prod-eu-1', undefined]);
    }
  });

  test.each([
    ['chart clusterName', () => stackWith({ clusterName: 'prod eu' })],
    ['fluentd clusterName', () => stackWith({ fluentd: { clusterName: '' } })],
    ['fluent bit clusterName', () => stackWith({ agent: LogAgent.FLUENT_BIT, fluentBit: { clusterName: 'a"b' } })],
    ['kubernetes events collector clusterName', () => stackWith({ kubernetesEventsCollector: { clusterName: '-x' } })],
  ])('%s that is no cluster name is refused', (prop, make) => {
    expect(make).toThrow(new RegExp(`${prop} must be 1 to 100 letters, digits, '.', '_' or '-'`));
  });
});

describe('a source is a declaration; each agent compiles it', () => {
  const agents = () => {
    const chart = testChart();
    const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
    return [new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch }), new FluentBitDaemonSet(chart, 'FluentBit', { elasticsearch })];
  };
  const source = (props: object = {}): ContainerJsonSource => ({
    name: 'mine', path: '/var/log/containers/mine-*.log', tag: 'mine.events', times: [{ field: 'ts', format: LogTimeFormat.RFC3339 }],
    streams: [{ name: 'alerts', family: 'seclog-mine-alerts', kind: IndexFamilyKind.FALCO, prop: 'mine alerts', whenAnyField: ['rule'] },
      { name: 'rest', family: 'seclog-mine-rest', kind: IndexFamilyKind.FALCO, prop: 'mine rest' }],
    ...props,
  });

  test('a source of one\'s own reaches both agents, with its streams registered', () => {
    for (const agent of agents()) {
      agent.addContainerJsonSource(source());
      expect(agent.writtenIndexFamilies()).toEqual(['seclog-containers', 'seclog-mine-alerts', 'seclog-mine-rest']);
    }
  });

  test.each([
    ['a stream before the last that takes every record', { streams: [{ name: 'a', family: 'seclog-a', kind: IndexFamilyKind.FALCO, prop: 'p' }, { name: 'b', family: 'seclog-b', kind: IndexFamilyKind.FALCO, prop: 'q' }] }, /streams\[0\] \(a\) takes every record/],
    ['a last stream that does not take the rest', { streams: [{ name: 'a', family: 'seclog-a', kind: IndexFamilyKind.FALCO, prop: 'p', whenAnyField: ['x'] }] }, /is the last stream and must take every record left/],
    ['a path outside the container logs', { path: '/etc/passwd' }, /path must be a glob under \/var\/log\/containers\//],
    ['an unknown time format', { times: [{ field: 'ts', format: 'iso' }] }, /times must be a list of \{ field, format: LogTimeFormat \}/],
    ['a tag with a wildcard', { tag: 'mine.*' }, /tag must be dot-separated words without/],
  ])('%s is refused by either agent', (_name, props, message) => {
    for (const agent of agents()) expect(() => agent.addContainerJsonSource(source(props))).toThrow(message);
  });

  const hostFile = (props: object = {}): HostJsonFileSource => ({
    name: 'mine', tag: 'mine', path: '/var/log/mine/events.log', time: { field: 'ts', format: LogTimeFormat.RFC3339 }, maxLineBytes: 65536, controlPlaneOnly: false,
    stream: { name: 'events', family: 'seclog-mine', kind: IndexFamilyKind.AUDIT, prop: 'mine indexName' }, ...props,
  });

  test('a host file source of one\'s own reaches both agents: a tail of the file into its family, field names kept', () => {
    const [fluentd, fluentBit] = agents() as [FluentdDaemonSet, FluentBitDaemonSet];
    fluentd.addHostJsonFileSource(hostFile({ split: { field: 'meta.team', missing: 'nobody' } }));
    fluentBit.addHostJsonFileSource(hostFile({ split: { field: 'meta.team', missing: 'nobody' } }));
    for (const agent of [fluentd, fluentBit]) expect(agent.writtenIndexFamilies()).toEqual(['seclog-containers', 'seclog-mine']);
    const conf = fluentd.config.render();
    expect(conf).toMatch(/<source>\n\s+@type tail\n\s+@id in_tail_mine\n\s+@label @MINE\n\s+path \/var\/log\/mine\/events\.log\n/);
    // Fluentd splits by the field: one stream per value, `nobody` without it.
    expect(conf).toContain('key $.meta.team');
    expect(conf).toContain("tag mine.nobody");
    expect(conf).toContain("index_name 'seclog-mine-${tag[1]}'");
    expect(conf).not.toMatch(/<filter mine[^>]*>\n\s+@type dedot/);
    // Fluent Bit cannot: one stream, dots kept.
    const output = fluentBit.config.pluginsOf(FluentBitPluginKind.OUTPUT).find((o) => o.properties.alias === 'out_es_mine');
    expect(output?.properties).toMatchObject({ match: 'mine', index: 'seclog-mine', replace_dots: false });
    expect(fluentBit.config.pluginsOf(FluentBitPluginKind.INPUT).find((i) => i.properties.alias === 'in_tail_mine')?.properties).toMatchObject({ buffer_max_size: 65536, parser: 'mine_event' });
  });

  test.each([
    ['a path under the container logs', { path: '/var/log/containers/x.log' }, /host file source mine path must be a file under \/var\/log\/ \(outside \/var\/log\/containers\/\)/],
    ['a path outside /var/log', { path: '/etc/shadow' }, /path must be a file under \/var\/log\//],
    ['a line limit below 16 KiB', { maxLineBytes: 1024 }, /maxLineBytes must be an integer of at least 16384, got 1024/],
    ['a control-plane flag that is no boolean (a JavaScript caller)', { controlPlaneOnly: 'yes' }, /controlPlaneOnly must be true or false, got "yes"/],
    ['a split without its missing name', { split: { field: 'meta.team' } }, /split must be \{ field: a dotted field path, missing: .*\}/],
  ])('%s is refused by either agent', (_name, props, message) => {
    for (const agent of agents()) expect(() => agent.addHostJsonFileSource(hostFile(props))).toThrow(message);
  });

  test('a syslog source on both agents: Fluent Bit\'s syslog input, fluentd\'s (UDP or TCP only) with the priority as names', () => {
    const chart = testChart();
    const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
    const fluentd = new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch, placement: { nodeSelector: { agent: 'fluentd' } } });
    const fluentBit = new FluentBitDaemonSet(chart, 'FluentBit', { elasticsearch, indexPrefix: 'fb', placement: { nodeSelector: { agent: 'fluent-bit' } } });
    expect(() => new NodeSyslog(chart, 'Unix', { agent: fluentd })).toThrow(/fluentd syslog mode must be udp or tcp: fluentd's syslog input has no Unix socket transport .*got "unix_udp"/);
    const viaFluentd = new NodeSyslog(chart, 'SyslogFluentd', { agent: fluentd, mode: SyslogMode.TCP, port: 6514 });
    const viaFluentBit = new NodeSyslog(chart, 'SyslogFluentBit', { agent: fluentBit });
    expect([viaFluentd.address, viaFluentd.indexName, viaFluentBit.indexName]).toEqual(['tcp:6514', 'seclog-syslog', 'fb-syslog']);
    const conf = fluentd.config.render();
    expect(conf).toMatch(/<source>\n\s+@type syslog\n\s+@id in_syslog\n\s+@label @SYSLOG\n\s+port 6514\n\s+bind 0\.0\.0\.0\n\s+tag syslog\n\s+severity_key severity\n\s+facility_key facility\n\s+<transport tcp>\n\s+<\/transport>\n\s+<parse>\n\s+@type syslog\n\s+message_format rfc3164\n/);
    // The input appends facility and severity to the tag.
    expect(conf).toMatch(/<match syslog\.\*\*>\n\s+@type elasticsearch\n\s+@id out_es_syslog\n[\s\S]*?index_name seclog-syslog\n/);
    new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
    const ds = Testing.synth(chart).find((o) => o.kind === 'DaemonSet' && o.metadata.name === 'fluentd');
    expect(ds.spec.template.spec.containers[0].ports).toContainEqual({ name: 'syslog', containerPort: 6514, hostPort: 6514, protocol: 'TCP' });
  });

  test('an output whose replaceDots is no boolean is refused', () => {
    const [, fluentBit] = agents() as [FluentdDaemonSet, FluentBitDaemonSet];
    expect(() => fluentBit.elasticsearchOutput('x', 'out_x', 'seclog-x', 'false' as any)).toThrow(/fluent bit elasticsearchOutput replaceDots must be true or false, got "false"/);
  });

  test('Falco and KubeArmor take any object that is a log agent, and refuse the old props', () => {
    const chart = testChart();
    expect(() => new FalcoDaemonSet(chart, 'Falco', { agent: 'fluentd' as any })).toThrow(/falco agent must be a log agent/);
    expect(() => new KubeArmorRelayCollector(chart, 'KubeArmor', { agent: {} as any })).toThrow(/kubearmor agent is required/);
  });
});
