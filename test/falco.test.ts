import * as fs from 'fs';
import * as path from 'path';
import { Chart, Size, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { objectNamed, objectsLabelled, objectsOf, testChart } from './helpers/chart';
import { allSections, fluentdRegexp, strptimeRegexp } from './helpers/fluentd-model';
import { kqlMatches, unfilledPanelFields } from './helpers/panel-fill';
import { FALCO_ECS_EXPECTED, ecsDifferences, falcoPipeline } from './helpers/falco-ecs';
import { runPipeline, simulate } from './helpers/ingest-model';
import { ecsTable, markedBlock } from './helpers/ecs-table';
import {
  ElasticsearchCluster, ElasticsearchSetup, FALCO_ALERT_FIELDS, FalcoDaemonSet, FalcoDriver, FalcoPriority, FalcoRules, FluentdDaemonSet, FluentdSection,
  BuiltInSavedObjects, IngestPipeline, KibanaDataView, SecurityIndexTemplates,
} from '../src';
import { dedotKeys } from './helpers/dedot';

const falcoTemplate = () => SecurityIndexTemplates.of([{ family: 'seclog-falco', fields: FALCO_ALERT_FIELDS, retentionDays: 90 }])[0];

const fixturePath = (name: string) => path.join(__dirname, 'fixtures', name);

function stack(props: any = {}, withAgent = true) {
  const chart = testChart();
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
  const fluentd = new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch });
  const falco = new FalcoDaemonSet(chart, 'Falco', { ...(withAgent ? { agent: fluentd } : {}), ...props });
  const setup = new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
  return { chart, fluentd, falco, setup };
}


const podOf = (chart: Chart) => objectNamed(chart, 'DaemonSet', 'falco').spec.template.spec;
const mountsOf = (container: any) => Object.fromEntries(container.volumeMounts.map((m: any) => [m.mountPath, m]));

describe('FalcoDaemonSet', () => {
  test('defaults', () => {
    expect(objectsLabelled(stack().chart, 'falco')).toMatchSnapshot();
  });

  test('custom', () => {
    const { chart, falco } = stack({
      name: 'runtime-security', version: '0.43.0', driver: FalcoDriver.KMOD, dockerSocket: true,
      priority: FalcoPriority.WARNING, defaultRules: false, memoryLimit: Size.gibibytes(2), priorityClassName: 'system-node-critical',
      indexName: 'runtime-alerts',
    });
    falco.addList({ name: 'shell_binaries_custom', items: ['bash', 'sh', 'zsh'] });
    falco.addMacro({ name: 'in_prod', condition: 'k8s.ns.name = "prod"' });
    falco.addRule({
      name: 'Shell in prod container', desc: 'A shell was spawned in a production container',
      condition: 'evt.type in (execve, execveat) and evt.dir = < and container.id != host and in_prod and proc.name in (shell_binaries_custom)',
      output: 'Shell in prod (user=%user.name pod=%k8s.pod.name cmd=%proc.cmdline)', priority: FalcoPriority.CRITICAL,
      tags: ['container', 'shell', 'mitre_execution'],
      exceptions: [{ name: 'debug_images', fields: ['container.image.repository'], values: [['registry.example.com/debug']] }],
    });
    expect(objectsLabelled(chart, 'falco')).toMatchSnapshot();
  });

  describe('defaults in detail', () => {
    const { chart, fluentd } = stack();
    const pod = podOf(chart);
    const [container] = pod.containers;
    const mounts = mountsOf(container);
    const falcoYaml = parse(objectNamed(chart, 'ConfigMap', 'falco-config').data['falco.yaml']);

    test('JSON alerts with the output and tags properties, ISO 8601 times, on stdout only', () => {
      expect(falcoYaml).toMatchObject({
        json_output: true, json_include_output_property: true, json_include_tags_property: true, time_format_iso_8601: true,
        stdout_output: { enabled: true }, syslog_output: { enabled: false }, log_stderr: true, log_syslog: false, priority: 'debug',
      });
    });

    test('modern eBPF, the bundled container plugin with its own engine defaults, the suggested fields on every alert, default rules then custom rules', () => {
      expect(falcoYaml.engine.kind).toBe('modern_ebpf');
      expect(falcoYaml.load_plugins).toEqual(['container']);
      // As upstream's falco.yaml: no engines key, so every engine with its default sockets.
      expect(falcoYaml.plugins).toEqual([{ name: 'container', library_path: 'libcontainer.so', init_config: { label_max_len: 100, with_size: false } }]);
      // Upstream's default, which puts k8s.pod.name, k8s.ns.name and container.* into every alert.
      expect(falcoYaml.append_output).toEqual([{ suggested_output: true }]);
      expect(falcoYaml.rules_files).toEqual(['/etc/falco/falco_rules.yaml', '/etc/falco/rules.d']);
      // The image's config.d would declare the container plugin a second time.
      expect(falcoYaml.config_files).toEqual([]);
      expect(mounts['/etc/falco/config.d']).toMatchObject({ readOnly: true });
    });

    test('every falco.yaml key is one Falco 0.44\'s schema accepts', () => {
      const schema = JSON.parse(fs.readFileSync(fixturePath('falco-config-schema-keys.json'), 'utf-8'));
      const unknown = (keys: string[], allowed: string[], where: string) => keys.filter((k) => !allowed.includes(k)).map((k) => `${where}${k}`);
      const problems = [
        ...unknown(Object.keys(falcoYaml), schema.top, ''),
        ...unknown(Object.keys(falcoYaml.engine), schema.engine, 'engine.'),
        ...unknown(Object.keys(falcoYaml.engine.modern_ebpf), schema['engine.modern_ebpf'], 'engine.modern_ebpf.'),
        ...unknown(Object.keys(falcoYaml.webserver), schema.webserver, 'webserver.'),
        ...unknown(Object.keys(falcoYaml.syscall_event_drops), schema.syscall_event_drops, 'syscall_event_drops.'),
        ...unknown(Object.keys(falcoYaml.stdout_output), schema.stdout_output, 'stdout_output.'),
        ...falcoYaml.plugins.flatMap((p: any) => unknown(Object.keys(p), schema['plugins[]'], 'plugins[].')),
      ];
      expect(problems).toEqual([]);
      expect(schema['engine.kind values']).toContain(falcoYaml.engine.kind);
      expect(schema['priority values']).toContain(falcoYaml.priority);
    });

    test('FALCO_HOSTNAME from spec.nodeName, HOST_ROOT /host', () => {
      expect(container.env).toContainEqual({ name: 'FALCO_HOSTNAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
      expect(container.env).toContainEqual({ name: 'HOST_ROOT', value: '/host' });
    });

    test('probes on the web server /healthz', () => {
      for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
        expect(probe.httpGet).toEqual({ path: '/healthz', port: 8765, scheme: 'HTTP' });
      }
      expect(falcoYaml.webserver).toMatchObject({ enabled: true, listen_port: 8765, k8s_healthz_endpoint: '/healthz' });
    });

    test('the host mounts modern eBPF needs, and no more', () => {
      expect(mounts['/host/proc']).toEqual({ name: 'proc', mountPath: '/host/proc', readOnly: true });
      expect(mounts['/host/etc']).toMatchObject({ readOnly: true });
      expect(mounts['/sys/kernel']).toMatchObject({ readOnly: true });
      // Every runtime's socket directory the container plugin reads (containerd, CRI-O, k3s, Bottlerocket), read-only.
      for (const dir of ['/run/containerd', '/run/crio', '/run/k3s/containerd', '/run/host-containerd']) {
        expect(mounts[`/host${dir}`]).toMatchObject({ readOnly: true });
        expect(pod.volumes).toContainEqual({ name: mounts[`/host${dir}`].name, hostPath: { path: dir, type: 'DirectoryOrCreate' } });
      }
      expect(mounts['/host/var/run/docker.sock']).toBeUndefined();
      for (const absent of ['/host/dev', '/host/boot', '/host/lib/modules', '/host/usr', '/sys/module']) expect(mounts[absent]).toBeUndefined();
      expect(pod.initContainers).toBeUndefined();
    });

    test('on every node, no API access', () => {
      expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(objectsOf(chart, 'ClusterRole').map((r) => r.metadata.name)).toEqual(['logging-fluentd']);
      // Only the Jobs that create the cluster's Secrets have Roles; none is Falco's.
      expect(objectsOf(chart, 'Role').filter((r) => r.metadata.labels['app.kubernetes.io/name'] === 'falco')).toEqual([]);
      expect(objectsOf(chart, 'RoleBinding').flatMap((b) => b.subjects).filter((s) => s.name.startsWith('falco'))).toEqual([]);
    });

    test('its files leave the container route for a route of their own', () => {
      const containers = allSections(fluentd.config.all).find((s) => s.params['@id'] === 'in_tail_containers');
      expect(containers?.params.exclude_path).toContain('/var/log/containers/falco-*_logging_falco-*.log');
      expect(fluentd.config.render()).toContain('path /var/log/containers/falco-*_logging_falco-*.log\n');
    });
  });

  test('least privileged modern eBPF: four capabilities, not privileged', () => {
    const { chart } = stack({ leastPrivileged: true });
    const pod = podOf(chart);
    expect(pod.containers[0].securityContext).toMatchObject({
      privileged: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['BPF', 'SYS_RESOURCE', 'PERFMON', 'SYS_PTRACE'] },
    });
    expect(objectNamed(chart, 'DaemonSet', 'falco').spec.template.metadata.annotations['container.apparmor.security.beta.kubernetes.io/falco']).toBe('unconfined');
  });

  test('kmod: the privileged driver loader with the host paths it builds from', () => {
    const { chart } = stack({ driver: FalcoDriver.KMOD });
    const pod = podOf(chart);
    const [loader] = pod.initContainers;
    expect(loader.image).toBe('falcosecurity/falco-driver-loader:0.44.1');
    expect(loader.args).toEqual(['kmod']);
    expect(loader.securityContext).toMatchObject({ privileged: true });
    expect(loader.env).toContainEqual({ name: 'FALCOCTL_DRIVER_CONFIG_UPDATE_FALCO', value: 'false' });
    expect(Object.keys(mountsOf(loader)).sort()).toEqual(['/etc/falco/config.d', '/host/boot', '/host/etc', '/host/lib/modules', '/host/proc', '/host/usr', '/root/.falco']);
    const falcoMounts = mountsOf(pod.containers[0]);
    expect(falcoMounts['/host/dev']).toMatchObject({ readOnly: true });
    expect(falcoMounts['/sys/module']).toBeDefined();
    expect(falcoMounts['/sys/kernel']).toBeUndefined();
    expect(parse(objectNamed(chart, 'ConfigMap', 'falco-config').data['falco.yaml']).engine).toEqual({
      kind: 'kmod', kmod: { buf_size_preset: 4, drop_failed_exit: false },
    });
  });

  test('auto: the loader chooses and writes its choice to config.d, which Falco reads', () => {
    const { chart } = stack({ driver: FalcoDriver.AUTO });
    const pod = podOf(chart);
    expect(pod.initContainers[0].args).toEqual(['auto']);
    expect(pod.initContainers[0].env.map((e: any) => e.name)).not.toContain('FALCOCTL_DRIVER_CONFIG_UPDATE_FALCO');
    expect(mountsOf(pod.containers[0])['/etc/falco/config.d'].readOnly).toBeFalsy();
    expect(parse(objectNamed(chart, 'ConfigMap', 'falco-config').data['falco.yaml']).config_files).toEqual(['/etc/falco/config.d']);
  });

  test('docker nodes: the socket itself, read-only, beside the CRI sockets', () => {
    const { chart } = stack({ dockerSocket: true });
    const pod = podOf(chart);
    expect(pod.volumes).toContainEqual({ name: 'docker-socket', hostPath: { path: '/var/run/docker.sock', type: 'Socket' } });
    expect(mountsOf(pod.containers[0])['/host/var/run/docker.sock']).toMatchObject({ readOnly: true });
  });

  test('custom rules rendered lists, macros, then rules; a change rolls the pods', () => {
    const checksum = (add: boolean) => {
      const { chart, falco } = stack();
      if (add) falco.addMacro({ name: 'm', condition: 'evt.type = open' });
      return objectNamed(chart, 'DaemonSet', 'falco').spec.template.metadata.annotations['checksum/config'];
    };
    expect(checksum(true)).not.toBe(checksum(false));
    const rules = new FalcoRules();
    rules.addRule({ name: 'r', desc: 'd', condition: 'c', output: 'o %proc.name', priority: FalcoPriority.ERROR });
    rules.addMacro({ name: 'm', condition: 'c' });
    rules.addList({ name: 'l', items: ['a'] });
    expect(rules.render()).toBe([
      '- list: l', '  items:', '    - a',
      '- macro: m', '  condition: c',
      '- rule: r', '  desc: d', '  condition: c', '  output: o %proc.name', '  priority: ERROR', '',
    ].join('\n'));
    expect(new FalcoRules().render()).toBe('[]\n');
  });

  test('without an agent, no route and no index', () => {
    const { fluentd, falco } = stack({}, false);
    expect(fluentd.config.render()).not.toContain('falco');
    expect(falco.indexName).toBeUndefined();
  });

  describe('fails if', () => {
    test.each([
      ['least privileged with the kernel module', { leastPrivileged: true, driver: FalcoDriver.KMOD }, /leastPrivileged needs driver MODERN_EBPF/],
      ['a version that is not one', { version: 'latest' }, /falco version must be MAJOR.MINOR.PATCH/],
      ['a version without the bundled container plugin', { version: '0.40.0' }, /falco version must be 0.41.0 or later/],
      ['the family of another source', { indexName: 'seclog-containers' }, /falco indexName "seclog-containers" overlaps fluentd indexNames.containers/],
      ['an unknown driver', { driver: 'ebpf' }, /falco driver must be one of modern_ebpf, kmod, auto, got "ebpf"/],
      ['the removed containerRuntime', { containerRuntime: 'crio' }, /falco containerRuntime was removed, got "crio": the sockets of containerd, CRI-O and k3s are always mounted/],
      ['dockerSocket that is not a boolean', { dockerSocket: 'yes' }, /falco dockerSocket must be true or false, got "yes"/],
      ['an unknown priority', { priority: 'LOUD' }, /falco priority must be one of/],
      ['too little memory', { memoryLimit: Size.mebibytes(128) }, /falco memoryLimit must be at least 256 MiB/],
      ['an index name for a data stream', { indexName: 'logs-falco' }, /falco indexName must not be "logs-falco"/],
    ])('%s', (_name, props, message) => {
      expect(() => stack(props)).toThrow(message);
    });
    test('an index name without an agent', () => {
      expect(() => stack({ indexName: 'x' }, false)).toThrow(/falco indexName is set but no agent ships the alerts: pass agent/);
    });
    test('its chart has no namespace', () => {
      expect(() => new FalcoDaemonSet(new Chart(Testing.app(), 'x'), 'Falco')).toThrow(/falco needs its chart to have a namespace/);
    });
    test.each([
      ['a duplicate rule', (r: FalcoRules) => { r.addRule(rule); r.addRule(rule); }, /falco rule "Shell" is added twice/],
      ['an empty condition', (r: FalcoRules) => r.addRule({ ...rule, condition: ' ' }), /falco rule "Shell" condition must be non-empty/],
      ['a bad priority', (r: FalcoRules) => r.addRule({ ...rule, priority: 'HIGH' as any }), /priority must be one of EMERGENCY/],
      ['an exception tuple of the wrong size', (r: FalcoRules) => r.addRule({ ...rule, exceptions: [{ name: 'e', fields: ['a', 'b'], values: [['x']] }] }),
        /each values tuple must have one value per field/],
      ['a macro without a name', (r: FalcoRules) => r.addMacro({ name: '', condition: 'c' }), /falco macro name must be a non-empty name/],
    ])('%s', (_name, act, message) => {
      expect(() => act(new FalcoRules())).toThrow(message);
    });
  });
});

const rule = { name: 'Shell', desc: 'd', condition: 'c', output: 'o', priority: FalcoPriority.NOTICE };

describe('Falco alerts through the rendered route', () => {
  const { fluentd, setup } = stack();
  const sections = allSections(fluentd.config.all);
  const byId = (id: string): FluentdSection => {
    const found = sections.find((s) => s.params['@id'] === id);
    if (!found) throw new Error(`no section ${id}`);
    return found;
  };
  const read = (file: string) => fs.readFileSync(fixturePath(file), 'utf-8').split('\n').filter(Boolean);
  // Falco 0.44.1 with rules 5.1.0 and upstream's append_output (the suggested fields).
  const lines = read('falco-alerts-0.44.jsonl');
  // Older layouts (before 0.39, and 0.39+ without the suggested fields), from falco-website.
  const legacy = read('falco-events-legacy.jsonl');

  function route(line: { stream: string; message: string }) {
    for (const r of byId('falco_stdout_json_only').sections) {
      if (!fluentdRegexp(r.params.pattern).test((line as any)[r.params.key])) return undefined;
    }
    const parser = byId('falco_parse_event');
    const parse = parser.sections[0].params;
    expect(parser.params.reserve_data).toBe(false);
    const record = JSON.parse(line.message);
    expect(strptimeRegexp(parse.time_format).test(record[parse.time_key])).toBe(true);
    // filter_parser: the event time is the parsed one unless reserve_time keeps the line's.
    const time = parser.params.reserve_time ? 'cri-line-time' : record[parse.time_key];
    record['@event_time'] = time;
    // The output's include_timestamp writes the event time as @timestamp.
    record['@timestamp'] = time;
    // dedot (nested): dots in keys become the separator.
    const separator = byId('falco_dedot').params.de_dot_separator;
    return dedotKeys(record, separator);
  }

  test('every 0.44 sample alert (rules, Falco\'s own) is shipped with its time, rule and priority', () => {
    expect(lines).toHaveLength(6);
    const out = lines.map((l) => route({ stream: 'stdout', message: l }));
    expect(out.map((r) => [r.rule, r.priority])).toEqual([
      ['Terminal shell in container', 'Notice'], ['Contact K8S API Server From Container', 'Notice'],
      ['Drop and execute new binary in container', 'Critical'], ['Read sensitive file untrusted', 'Warning'],
      ['Falco internal: syscall event drop', 'Debug'], ['Falco internal: metrics snapshot', 'Informational'],
    ]);
    for (const [i, r] of out.entries()) expect(r['@event_time']).toBe(JSON.parse(lines[i]).time);
  });

  test('the older layouts still are', () => {
    expect(legacy).toHaveLength(8);
    const out = legacy.map((l) => route({ stream: 'stdout', message: l }));
    expect(out.map((r) => r.priority)).toEqual(['Critical', 'Notice', 'Notice', 'Informational', 'Notice', 'Warning', 'Notice', 'Informational']);
  });

  test('every sample, shipped by Fluentd and run through the family\'s ingest pipeline, has its ECS fields', () => {
    const docs = [...lines, ...legacy].map((l) => runPipeline(falcoPipeline(setup), route({ stream: 'stdout', message: l })));
    expect(docs).toHaveLength(FALCO_ECS_EXPECTED.length);
    expect(docs.map((d, i) => ecsDifferences(d, FALCO_ECS_EXPECTED[i]))).toEqual(FALCO_ECS_EXPECTED.map(() => []));
    // Nothing failed in the pipeline, and Falco's own fields are kept.
    for (const d of docs) expect([d.event.kind, d.tags]).not.toContainEqual(['pipeline_error']);
    expect(docs[0]).toMatchObject({ falco: { priority: 'Notice', rule: 'Terminal shell in container', output_fields: { k8s_pod_name: 'nginx-775678cbbd-q7ddt' } } });
    for (const d of docs) expect([d.rule?.constructor, d.priority, d.output_fields, d.source]).toEqual([Object, undefined, undefined, undefined]);
  });

  test('the pipeline\'s own checks (run by the setup Job on the cluster) are real alerts as Fluentd ships them, and pass', () => {
    const pipeline = setup.templates.find((t) => t.name === 'seclog-falco')?.pipeline;
    if (!pipeline) throw new Error('no Falco pipeline');
    const shipped = [route({ stream: 'stdout', message: lines[0] }), route({ stream: 'stdout', message: lines[4] })];
    for (const [i, check] of pipeline.checks.entries()) {
      // Every field of a check document is what Fluentd ships for that sample.
      for (const [key, value] of Object.entries(check.document)) {
        expect([key, key === 'output_fields' ? Object.fromEntries(Object.keys(value as object).map((k) => [k, shipped[i].output_fields[k]])) : shipped[i][key]]).toEqual([key, value]);
      }
    }
    expect(simulate(pipeline.simulateJson() as any, {})).toEqual(pipeline.checks.map(() => expect.objectContaining({ doc: expect.anything() })));
    // A check that expects another severity fails the simulation.
    const wrong = new IngestPipeline({ name: pipeline.name, description: 'd', processors: pipeline.processors, checks: [{ ...pipeline.checks[0], expected: { 'event.severity': 5 } }] });
    expect(simulate(wrong.simulateJson() as any, {})).toEqual([{ error: expect.stringMatching(/seclog-falco-pipeline check 1 .*a field differs/) }]);
  });

  test('the README\'s table of Falco\'s ECS fields is the pipeline\'s, with the template\'s types', () => {
    const template = setup.templates.find((t) => t.name === 'seclog-falco');
    if (!template) throw new Error('no Falco template');
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');
    expect(markedBlock(readme, 'falco-ecs')).toBe(ecsTable(falcoPipeline(setup), template, 'falco.', ['falco.output_fields.']));
    expect(markedBlock(readme, 'falco-ecs')).not.toContain('UNMAPPED');
  });

  test('output_fields keep every value under de-dotted names (k8s.pod.name becomes k8s_pod_name)', () => {
    for (const line of [...lines, ...legacy]) {
      const source = JSON.parse(line);
      const out = route({ stream: 'stdout', message: line });
      const keys = Object.keys(source.output_fields);
      expect(Object.keys(out.output_fields)).toHaveLength(keys.length);
      for (const key of keys) expect(out.output_fields[key.replace(/\./g, '_')]).toEqual(source.output_fields[key]);
    }
  });

  test('every panel of the Falco dashboard shows something for the 0.44 alerts; without the suggested fields the pod panel stays empty', () => {
    const dashboard = BuiltInSavedObjects.falcoDashboard(new KibanaDataView({ id: 'falco', name: 'Falco', template: falcoTemplate() }));
    const indexed = (line: string) => runPipeline(falcoPipeline(setup), route({ stream: 'stdout', message: line }));
    expect(unfilledPanelFields(dashboard, lines.map(indexed))).toEqual([]);
    // The alerts as they were before: rules 5.x name no pod, and nothing appended it.
    const suggested = ['container.id', 'container.name', 'container.image.repository', 'container.image.tag', 'k8s.pod.name', 'k8s.ns.name'];
    const withoutSuggested = lines.map((l) => {
      const alert = JSON.parse(l);
      alert.output_fields = Object.fromEntries(Object.entries(alert.output_fields).filter(([field]) => !suggested.includes(field)));
      return indexed(JSON.stringify(alert));
    });
    expect(unfilledPanelFields(dashboard, withoutSuggested)).toEqual(['falco-alerts-by-pod: kubernetes.pod.name', 'falco-alerts: kubernetes.pod.name']);
  });

  test('Falco\'s own alerts (dropped system calls) reach the health panels, not the alert panels', () => {
    const indexed = lines.map((l) => runPipeline(falcoPipeline(setup), route({ stream: 'stdout', message: l })));
    const internal = indexed.filter((r) => kqlMatches('falco.source : "internal"', r)).map((r) => r.rule.name);
    expect(internal).toEqual(['Falco internal: syscall event drop', 'Falco internal: metrics snapshot']);
    const falcoYaml = parse(objectNamed(stack().chart, 'ConfigMap', 'falco-config').data['falco.yaml']);
    expect(falcoYaml.syscall_event_drops.actions).toContain('alert');
  });

  test('the container plugin\'s own log lines on stdout are not indexed', () => {
    expect(route({ stream: 'stdout', message: 'Thu Jul 29 15:13:30 2026: [container-engine] [warn]: cannot connect to socket' })).toBeUndefined();
  });

  test('Falco\'s stderr lifecycle lines are not indexed', () => {
    expect(route({ stream: 'stderr', message: 'Falco version: 0.44.1 (x86_64)' })).toBeUndefined();
    expect(route({ stream: 'stdout', message: 'Thu May 25 13:44:00 2023: Falco initialized' })).toBeUndefined();
  });

  test('alerts go to their own family', () => {
    expect(byId('out_es_falco').params.index_name).toBe('seclog-falco');
  });
});
