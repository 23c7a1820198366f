import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { jobFiles, testChart } from './helpers/chart';
import { ecsTable, markedBlock } from './helpers/ecs-table';
import { runPipeline, simulate } from './helpers/ingest-model';
import { unfilledPanelFields } from './helpers/panel-fill';
import { FAMILY_KINDS, SourceNormalization, familyPipeline } from '../src/elasticsearch/security-index-templates';
import {
  BuiltInSavedObjects, ElasticsearchCluster, ElasticsearchSetup, FluentBitConfig, FluentBitDaemonSet, FluentBitPluginKind, FluentdDaemonSet, IndexFamilyKind, KibanaDataView, LogAgent,
  NodeJournal, SecurityIndexTemplates, SecurityLoggingChart,
} from '../src';

/**
 * Journal entries in `journalctl -o json` form (test/fixtures/README.md). Both agents read
 * an entry's data fields as strings, without the address fields (`__CURSOR`,
 * `__REALTIME_TIMESTAMP`, `__MONOTONIC_TIMESTAMP`), with the journal's realtime as the
 * record time (fluent-plugin-systemd 1.1.1 in_systemd.rb:127; Fluent Bit 4.2.3
 * plugins/in_systemd/systemd.c:345-383), which the outputs write as `@timestamp`.
 */
const ENTRIES: Array<{ [field: string]: string }> = fs.readFileSync(path.join(__dirname, 'fixtures', 'journal-entries.jsonl'), 'utf-8')
  .split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));

function asShipped(entry: { [field: string]: string }): { [field: string]: unknown } {
  const micros = BigInt(entry.__REALTIME_TIMESTAMP);
  const seconds = new Date(Number(micros / 1_000_000n) * 1000).toISOString().slice(0, 19);
  const record: { [field: string]: unknown } = Object.fromEntries(Object.entries(entry).filter(([k]) => !k.startsWith('__')));
  return { ...record, '@timestamp': `${seconds}.${String(micros % 1_000_000n).padStart(6, '0')}000Z`, 'orchestrator_cluster_name': 'prod-eu-1' };
}

const pipeline = familyPipeline('seclog-journal', FAMILY_KINDS[IndexFamilyKind.JOURNAL].normalization as SourceNormalization);
const indexed = (entry: { [field: string]: string }) => runPipeline(pipeline.toJson() as any, { ...asShipped(entry), _index: 'seclog-journal' });
const at = (doc: any, field: string) => (field in doc ? doc[field] : field.split('.').reduce((node: any, part) => node?.[part], doc)) ?? null;

const plugins = (config: FluentBitConfig) => [...config.pluginsOf(FluentBitPluginKind.INPUT), ...config.pluginsOf(FluentBitPluginKind.OUTPUT)];

const AUTH = { 'event.category': ['authentication'], 'event.action': 'ssh_login', 'event.outcome': 'failure' };

/** Per sample line, the ECS fields it must come out with (null: must be absent). */
const EXPECTED: Array<[string, { [field: string]: unknown }]> = [
  ['sshd: accepted publickey', {
    '@timestamp': '2026-07-29T15:10:01.123511000Z', 'event.kind': 'event', 'event.dataset': 'system.journal', 'event.module': 'system',
    'event.category': ['authentication', 'session'], 'event.type': ['info'], 'event.action': 'ssh_login', 'event.outcome': 'success', 'event.severity': 1, 'log.level': 'info',
    'user.name': 'ops', 'source.ip': '10.0.0.5', 'source.port': 50122, 'system.auth.ssh.method': 'publickey', 'process.name': 'sshd', 'process.pid': 2123,
    'process.executable': '/usr/sbin/sshd', 'host.name': 'worker-1', 'host.id': '4f0c3b2d9e8a47c1b6d5e4f3a2b1c0d9', 'systemd.unit': 'ssh.service',
    'log.syslog.facility.code': 4, 'log.syslog.severity.code': 6, 'orchestrator.cluster.name': 'prod-eu-1', 'data_stream.dataset': 'system.journal',
  }],
  ['sshd-session (OpenSSH 9.8+): failed password of an invalid user', { ...AUTH, 'user.name': 'admin', 'source.ip': '203.0.113.9', 'process.name': 'sshd-session', 'system.auth.ssh.method': 'password' }],
  ['sshd-session: invalid user over IPv6', { ...AUTH, 'user.name': 'oracle', 'source.ip': '2001:db8::7', 'source.port': null }],
  ['sudo: a command', {
    'event.category': ['process'], 'event.type': ['start'], 'event.action': 'sudo', 'event.outcome': 'success', 'user.name': 'ops', 'user.effective.name': 'root',
    'system.auth.sudo.command': '/usr/bin/cat /etc/shadow', 'host.name': 'worker-2', 'log.level': 'notice', 'event.severity': 2, 'log.syslog.facility.code': 10,
  }],
  ['sudo: wrong passwords', { 'event.action': 'sudo', 'event.outcome': 'failure', 'user.name': 'mallory', 'system.auth.sudo.error': '3 incorrect password attempts', 'event.severity': 5, 'log.level': 'crit' }],
  ['su: a PAM session (no login fields)', { 'process.name': 'su', 'event.category': null, 'user.name': null, 'log.syslog.facility.code': 10 }],
  ['systemd-logind: a new session', { 'process.name': 'systemd-logind', 'systemd.transport': 'journal', 'journald.MESSAGE_ID': '8d45620c1a4348dbb17410da57c60c66', 'event.category': null }],
  ['kubelet on stdout', { 'process.name': 'kubelet', 'systemd.unit': 'kubelet.service', 'systemd.transport': 'stdout', 'host.name': 'worker-3', 'event.category': null, 'process.command_line': expect.stringContaining('--config=') }],
  ['containerd on stdout', { 'process.name': 'containerd', 'systemd.unit': 'containerd.service', 'message': expect.stringContaining('StartContainer') }],
];

describe('the node journal in ECS, as both agents ship its entries', () => {
  test('the fixture holds one line per expected row', () => {
    expect(ENTRIES).toHaveLength(EXPECTED.length);
  });

  test.each(EXPECTED.map(([name, fields], i) => [name, i, fields] as const))('%s', (_name, i, fields) => {
    const doc = indexed(ENTRIES[i]);
    for (const [field, value] of Object.entries(fields)) expect([field, at(doc, field)]).toEqual([field, value]);
    expect(doc.tags ?? []).not.toContain('pipeline_error');
    // No journal field is left beside the ECS fields: each moved under journald.* or into message.
    expect(Object.keys(doc).filter((k) => /^_?[A-Z]/.test(k))).toEqual([]);
    expect(doc.message).toBe(ENTRIES[i].MESSAGE);
  });

  test('a login claimed by another program (logger -t sshd, so _COMM is logger) is no login', () => {
    const [sshd] = ENTRIES;
    const doc = indexed({ ...sshd, _COMM: 'logger', _EXE: '/usr/bin/logger' });
    expect([doc.event.category, doc.user?.name, doc.source?.ip, doc.process.name, doc.log.syslog.appname]).toEqual([undefined, undefined, undefined, 'logger', 'sshd']);
    // A sender gone before journald read its /proc has no _COMM: named by its claim, and no login either.
    const gone = indexed(Object.fromEntries(Object.entries(sshd).filter(([k]) => k !== '_COMM')) as { [field: string]: string });
    expect([gone.process.name, gone.event.category, gone.user?.name]).toEqual(['sshd', undefined, undefined]);
  });

  test('the pipeline\'s own checks pass on the model', () => {
    expect(simulate(pipeline.simulateJson() as any, {}).map((r) => r.error)).toEqual(pipeline.checks.map(() => undefined));
  });

  test('the README\'s journal-ecs table is the pipeline\'s, with the template\'s types', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');
    const [template] = SecurityIndexTemplates.of([{ family: 'seclog-journal', fields: FAMILY_KINDS[IndexFamilyKind.JOURNAL].fields, retentionDays: 30 }]);
    expect(markedBlock(readme, 'journal-ecs')).toBe(ecsTable(pipeline.toJson() as any, template, 'journald.'));
    expect(markedBlock(readme, 'journal-ecs')).not.toContain('UNMAPPED');
  });

  test('every panel of the node journal dashboard shows something for the indexed samples', () => {
    const stack = new SecurityLoggingChart(Testing.app(), 'stack', {});
    const template = stack.indexTemplates['seclog-journal'];
    expect(template).toBeDefined();
    const dashboard = BuiltInSavedObjects.nodeJournalDashboard(new KibanaDataView({ id: 'j', name: 'Journal', template }));
    expect(unfilledPanelFields(dashboard, ENTRIES.map(indexed))).toEqual([]);
    expect(stack.savedObjects.renderNdjson()).toContain('"node-journal-dashboard"');
  });
});

describe('one declaration, two compilers', () => {
  const agents = () => {
    const chart = testChart();
    const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
    return { chart, fluentd: new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch }), fluentBit: new FluentBitDaemonSet(chart, 'FluentBit', { elasticsearch }) };
  };

  test('both agents read the same directory, with the same matches (any of them), a cursor on the node, from the oldest entry', () => {
    const { chart, fluentd, fluentBit } = agents();
    const journals = [new NodeJournal(chart, 'JournalFluentd', { agent: fluentd }), new NodeJournal(chart, 'JournalFluentBit', { agent: fluentBit })];
    const source = fluentd.config.all.find((s) => s.name === 'source' && s.type === 'systemd');
    const input = plugins(fluentBit.config).find((p) => p.name === 'systemd');
    if (!source || !input) throw new Error('no journal input');
    const pairs = (matches: Array<{ field: string; value: string }>) => matches.map((m) => `${m.field}=${m.value}`);
    expect(JSON.parse(source.params.matches).map((h: object) => Object.entries(h).map(([k, v]) => `${k}=${v}`)[0])).toEqual(pairs(NodeJournal.defaultMatches()));
    expect(input.properties.systemd_filter).toEqual(pairs(NodeJournal.defaultMatches()));
    expect(input.properties.systemd_filter_type).toBe('or');
    // Each reads the journal through a link in its state directory (to an empty directory on a node without the journal).
    expect([source.params.path, input.properties.path]).toEqual([`${fluentd.stateDir}/journal-link`, `${fluentBit.stateDir}/journal-link`]);
    expect(journals.map((j) => j.path)).toEqual(['/var/log/journal', '/var/log/journal']);
    expect([source.params.read_from_head, input.properties.read_from_tail]).toEqual([true, false]);
    expect(source.sections.find((s) => s.name === 'storage')?.params).toEqual({ '@type': 'local', 'persistent': true, 'path': `${fluentd.stateDir}/journal-cursor.json` });
    expect(input.properties.db).toBe(`${fluentBit.stateDir}/journal.db`);
    for (const agent of [fluentd, fluentBit]) expect(agent.writtenIndexFamilies()).toContain('seclog-journal');
    expect(journals.map((j) => j.indexName)).toEqual(['seclog-journal', 'seclog-journal']);
    // Each agent's output writes the family.
    expect(fluentd.config.render()).toMatch(/<match journal>\n\s+@type elasticsearch\n\s+@id out_es_journal\n[\s\S]*?index_name seclog-journal\n/);
    expect(plugins(fluentBit.config).find((p) => p.properties.alias === 'out_es_journal')?.properties).toMatchObject({ match: 'journal', index: 'seclog-journal' });
  });

  const daemonSetOf = (kind: 'fluentd' | 'fluentBit', journalPath?: string) => {
    const chart = testChart();
    const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
    const agent = kind === 'fluentd' ? new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch }) : new FluentBitDaemonSet(chart, 'FluentBit', { elasticsearch });
    new NodeJournal(chart, 'Journal', { agent, path: journalPath });
    new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
    const objects = Testing.synth(chart);
    // A chart of one's own: the setup puts the journal family's template, lifecycle and pipeline.
    expect(Object.keys(jobFiles(objects, 'elasticsearch-setup-')).filter((f) => f.includes('seclog-journal')).sort())
      .toEqual(['pipeline-seclog-journal-pipeline.json', 'policy-seclog-journal-policy.json', 'simulate-seclog-journal-pipeline.json', 'template-seclog-journal.json']);
    return { spec: objects.find((o) => o.kind === 'DaemonSet').spec.template.spec, stateDir: agent.stateDir };
  };

  test('the volatile journal is mounted read-only from the node (a tmpfs directory, made if missing)', () => {
    for (const kind of ['fluentd', 'fluentBit'] as const) {
      const { spec } = daemonSetOf(kind, '/run/log/journal');
      const volume = spec.volumes.find((v: any) => v.hostPath?.path === '/run/log/journal');
      expect(volume?.hostPath.type).toBe('DirectoryOrCreate');
      expect(spec.containers[0].volumeMounts).toContainEqual(expect.objectContaining({ name: volume.name, mountPath: '/run/log/journal', readOnly: true }));
      expect((spec.initContainers ?? []).map((c: any) => c.name)).not.toContain('journal-link');
    }
  });

  test.each([
    ['a node with a persistent journal', true],
    ['a node without one (volatile journal, or no journald): an empty directory, so Fluent Bit starts and Fluentd does not warn every second', false],
  ])('the persistent journal through the init container\'s link, run for real on %s', (_name, hasJournal) => {
    for (const kind of ['fluentd', 'fluentBit'] as const) {
      const { spec, stateDir } = daemonSetOf(kind);
      expect(spec.volumes.filter((v: any) => String(v.hostPath?.path).includes('journal'))).toEqual([]);
      const init = spec.initContainers.find((c: any) => c.name === 'journal-link');
      expect(init.securityContext).toMatchObject({ runAsUser: 0, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(init.volumeMounts.map((m: any) => [m.mountPath, m.readOnly ?? false])).toEqual([['/var/log', true], [stateDir, false]]);
      // The script, with the node's /var/log under a temporary root.
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'journal-link-'));
      if (hasJournal) fs.mkdirSync(path.join(root, 'var/log/journal/4f0c3b2d9e8a47c1b6d5e4f3a2b1c0d9'), { recursive: true });
      fs.mkdirSync(path.join(root, stateDir), { recursive: true });
      const script = (init.command[2] as string).split("'/var/log/").join(`'${root}/var/log/`);
      for (let run = 0; run < 2; run++) {
        const result = spawnSync('sh', ['-c', script], { encoding: 'utf-8' });
        expect(result.status).toBe(0);
      }
      const link = path.join(root, stateDir, 'journal-link');
      expect(fs.readlinkSync(link)).toBe(hasJournal ? `${root}/var/log/journal` : `${root}${stateDir}/journal-none`);
      expect(fs.statSync(link).isDirectory()).toBe(true);
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test.each([
    ['a path that is no journal directory', { path: '/var/log/journal/4f0c' }, /node journal path must be one of \/var\/log\/journal, \/run\/log\/journal .*got "\/var\/log\/journal\/4f0c"/],
    ['no matches', { matches: [] }, /node journal matches must be a non-empty list of \{ field, value \}, got \[\]/],
    ['a lowercase field', { matches: [{ field: 'syslog_identifier', value: 'sshd' }] }, /node journal matches\[0\]\.field must be a journal field name .*got "syslog_identifier"/],
    ['a value on two lines', { matches: [{ field: 'SYSLOG_IDENTIFIER', value: 'a\nb' }] }, /node journal matches\[0\]\.value must be a non-empty single-line string/],
    ['a number as value (a JavaScript caller)', { matches: [{ field: 'SYSLOG_FACILITY', value: 4 }] }, /node journal matches\[0\]\.value must be a non-empty single-line string .*got 4/],
  ])('%s is refused', (_name, props, message) => {
    const { chart, fluentd } = agents();
    expect(() => new NodeJournal(chart, 'Journal', { agent: fluentd, ...(props as object) })).toThrow(message);
  });

  test('an agent is required; a second journal source of one name is refused by either agent', () => {
    const { chart, fluentd, fluentBit } = agents();
    expect(() => new NodeJournal(chart, 'Journal', { agent: 'fluent-bit' } as any)).toThrow(/node journal agent is required/);
    // An object that is no agent (circular, as constructs are) is named, not a JSON error.
    const elasticsearch = new ElasticsearchCluster(chart, 'Other', { replicas: 1, name: 'other' });
    expect(() => new NodeJournal(chart, 'Wrong', { agent: elasticsearch } as any)).toThrow(/node journal agent is required: .*got a ElasticsearchCluster/);
    // The defaults are a copy: changing one changes no later default.
    NodeJournal.defaultMatches().push({ field: 'X', value: 'y' });
    expect(NodeJournal.defaultMatches()).toHaveLength(5);
    for (const [agent, name] of [[fluentd, 'fluentd'], [fluentBit, 'fluent bit']] as const) {
      new NodeJournal(chart, `Journal${name}`, { agent });
      expect(() => new NodeJournal(chart, `Again${name}`, { agent, indexName: 'seclog-auth' })).toThrow(new RegExp(`${name} journal source journal was added twice`));
    }
  });

  test('the chart reads the journal by default, and refuses journal options with the journal off', () => {
    expect(new SecurityLoggingChart(Testing.app(), 'stack', {}).nodeJournal?.indexName).toBe('seclog-journal');
    expect(new SecurityLoggingChart(Testing.app(), 'stack', { nodeJournal: false }).indexTemplates['seclog-journal']).toBeUndefined();
    expect(() => new SecurityLoggingChart(Testing.app(), 'stack', { nodeJournal: false, journal: {} })).toThrow(/chart journal is set but nodeJournal is false/);
    const fluentBit = new SecurityLoggingChart(Testing.app(), 'stack', { agent: LogAgent.FLUENT_BIT, journal: { path: '/run/log/journal' } }).fluentBit as FluentBitDaemonSet;
    expect(plugins(fluentBit.config).find((p) => p.name === 'systemd')?.properties.path).toBe('/run/log/journal');
  });
});
