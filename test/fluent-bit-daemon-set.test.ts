import { Chart, Duration, Testing } from 'cdk8s';
import { fluentBitYaml, jobFiles, objectNamed, objectsLabelled, testChart } from './helpers/chart';
import { undocumented } from './helpers/fluent-bit-params';
import {
  ContainerLogFormat, ElasticsearchCluster, ElasticsearchSecurity, ElasticsearchSetup, FluentBitConfig, FluentBitDaemonSet, FluentBitPluginKind,
  FluentBitParser, FluentBitPlugin, IlmPolicy, IndexFamilyKind, IndexFieldType, IndexTemplate, NodeSyslog, SyslogMode,
} from '../src';

/** A Fluent Bit agent in a chart with its setup; `sources` adds sources to it before the setup. */
function stack(props: any = {}, security?: ElasticsearchSecurity, sources: (chart: Chart, fluentBit: FluentBitDaemonSet) => void = () => undefined) {
  const chart = testChart();
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1, security });
  const fluentBit = new FluentBitDaemonSet(chart, 'FluentBit', { elasticsearch, ...props });
  sources(chart, fluentBit);
  if (elasticsearch.security.enabled) new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
  return { chart, elasticsearch, fluentBit };
}

describe('FluentBitDaemonSet', () => {
  test('defaults', () => {
    const { chart } = stack();
    expect(objectsLabelled(chart, 'fluent-bit')).toMatchSnapshot();
  });

  describe('defaults in detail', () => {
    const { chart, fluentBit } = stack();
    const ds = objectNamed(chart, 'DaemonSet', 'fluent-bit');
    const pod = ds.spec.template.spec;
    const container = pod.containers[0];
    const yml = fluentBitYaml(chart);
    const plugin = (list: string, alias: string) => yml.pipeline[list].find((p: any) => p.alias === alias);

    test('every rendered property is a documented property of its plugin (Fluent Bit 4.2)', () => {
      expect(undocumented(fluentBit.config)).toEqual([]);
      // The check can fail: an unknown key is reported.
      const doctored = new FluentBitConfig({ service: { flush: 1, fluhs: 1 }, pipeline: fluentBit.config.pluginsOf(FluentBitPluginKind.INPUT)
        .concat(fluentBit.config.pluginsOf(FluentBitPluginKind.OUTPUT)) });
      expect(undocumented(doctored)).toEqual(['service: fluhs']);
    });

    test('pinned distroless image, run with the YAML config the ConfigMap mounts', () => {
      expect(container.image).toBe('fluent/fluent-bit:4.2.3');
      expect(container.args).toEqual(['-c', '/fluent-bit/etc/cdk8s/fluent-bit.yaml']);
      expect(container.volumeMounts).toContainEqual({ name: 'config', mountPath: '/fluent-bit/etc/cdk8s', readOnly: true });
      expect(ds.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{16}$/);
    });

    test('container logs: CRI lines joined, its own files excluded, position in a database on the node', () => {
      expect(plugin('inputs', 'in_tail_containers')).toMatchObject({
        'name': 'tail', 'tag': 'kube.*', 'path': '/var/log/containers/*.log', 'multiline.parser': 'cri',
        'exclude_path': '/var/log/containers/fluent-bit-*_logging_*.log',
        'db': '/var/log/fluent-bit-logging-fluent-bit/containers.db', 'storage.type': 'filesystem',
        // Bytes: Fluent Bit's k is 1000.
        'buffer_max_size': 262144,
      });
    });

    test('metadata by file name, JSON lifted into payload, pods cannot exclude themselves', () => {
      expect(plugin('filters', 'kubernetes_metadata')).toMatchObject({
        'name': 'kubernetes', 'match': 'kube.*', 'kube_tag_prefix': 'kube.var.log.containers.', 'merge_log': 'on', 'merge_log_key': 'payload',
        'keep_log': 'on', 'k8s-logging.exclude': 'off', 'k8s-logging.parser': 'off', 'annotations': 'off',
        // Unlimited API answers: a big pod spec would otherwise leave its logs without metadata.
        'buffer_size': 0,
      });
      expect(plugin('filters', 'log_to_message')).toEqual({ name: 'modify', match: 'kube.*', alias: 'log_to_message', rename: 'log message' });
    });

    test('to the containers data stream as its own user over verified TLS; never gives up, bounded on disk', () => {
      expect(plugin('outputs', 'out_es_containers')).toEqual({
        'name': 'es', 'match': 'kube.*', 'alias': 'out_es_containers',
        'host': 'elasticsearch.logging.svc', 'port': 9200,
        'tls': 'on', 'tls.verify': 'on', 'tls.verify_hostname': 'on', 'tls.ca_file': '/fluent-bit/etc/elasticsearch/ca.crt',
        'http_user': '${FLUENT_ELASTICSEARCH_USER}', 'http_passwd': '${FLUENT_ELASTICSEARCH_PASSWORD}',
        // No generate_id: Fluent Bit 4.2 would retry a chunk of existing documents (409) forever.
        'index': 'seclog-containers', 'suppress_type_name': 'on', 'write_operation': 'create', 'replace_dots': 'on',
        'time_key_nanos': 'on', 'trace_error': 'on', 'retry_limit': 'no_limits', 'storage.total_limit_size': 2147483648,
      });
      const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.valueFrom]));
      expect(env).toEqual({
        FLUENT_ELASTICSEARCH_USER: { secretKeyRef: { name: 'fluent-bit-elasticsearch', key: 'username' } },
        FLUENT_ELASTICSEARCH_PASSWORD: { secretKeyRef: { name: 'fluent-bit-elasticsearch', key: 'password' } },
      });
      expect(fluentBit.writtenIndexFamilies()).toEqual(['seclog-containers']);
    });

    test('service: health and metrics on 2020, chunks on the node, flush within the pod\'s grace period', () => {
      expect(yml.service).toMatchObject({
        'http_server': 'on', 'http_port': 2020, 'health_check': 'on', 'storage.path': '/var/log/fluent-bit-logging-fluent-bit/storage',
        'storage.max_chunks_up': 128, 'grace': 30,
      });
      expect(yml.service.grace).toBeLessThan(pod.terminationGracePeriodSeconds);
      expect(container.readinessProbe.httpGet).toEqual({ path: '/api/v1/health', port: 2020, scheme: 'HTTP' });
      // An Elasticsearch outage makes it unready, never restarts it.
      expect(container.livenessProbe.httpGet).toEqual({ path: '/', port: 2020, scheme: 'HTTP' });
    });

    test('root without capabilities, read-only root filesystem, /var/log read-only but its own state directory', () => {
      expect(container.securityContext).toMatchObject({
        runAsUser: 0, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] },
      });
      expect(container.volumeMounts).toContainEqual({ name: 'varlog', mountPath: '/var/log', readOnly: true });
      expect(container.volumeMounts).toContainEqual({ name: 'state', mountPath: '/var/log/fluent-bit-logging-fluent-bit' });
      expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
      expect(objectNamed(chart, 'ClusterRole', 'logging-fluent-bit').rules).toEqual([
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'], resourceNames: [] },
        { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'], resourceNames: [] },
      ]);
    });

    test('resources sized for the lighter agent', () => {
      expect(container.resources).toEqual({ requests: { cpu: '50m', memory: '256Mi' }, limits: { memory: '256Mi' } });
    });
  });

  test('Docker json-file: the docker multiline parser and Docker\'s directory', () => {
    const { chart } = stack({ containerLogFormat: ContainerLogFormat.DOCKER_JSON });
    const yml = fluentBitYaml(chart);
    expect(yml.pipeline.inputs[0]['multiline.parser']).toBe('docker');
    expect(objectNamed(chart, 'DaemonSet', 'fluent-bit').spec.template.spec.containers[0].volumeMounts)
      .toContainEqual({ name: 'docker-containers', mountPath: '/var/lib/docker/containers', readOnly: true });
  });

  test('security disabled: plain HTTP, no credentials', () => {
    const { chart } = stack({}, ElasticsearchSecurity.disabledForDevelopmentOnly());
    const output = fluentBitYaml(chart).pipeline.outputs[0];
    expect(output.tls).toBe('off');
    expect(Object.keys(output).filter((k) => k.startsWith('http_') || k.startsWith('tls.'))).toEqual([]);
    expect(objectNamed(chart, 'DaemonSet', 'fluent-bit').spec.template.spec.containers[0].env).toBeUndefined();
  });

  describe('fails if', () => {
    test.each([
      ['no cluster', {}, /fluent bit elasticsearch is required/],
      ['an invalid name', { name: 'Fluent_Bit' }, /fluent bit name must be a lowercase RFC 1123 label/],
      ['an unknown log format', { containerLogFormat: 'syslog' }, /fluent bit containerLogFormat must be one of cri, docker-json/],
      ['an unpinned image', { image: 'fluent/fluent-bit:latest' }, /fluent bit image must be pinned/],
      ['memory below 64 MiB', { memoryLimit: { toKibibytes: () => 32 * 1024, asString: () => '32Mi' } }, /fluent bit memoryLimit must be at least 64 MiB/],
      ['zero chunks in memory', { storage: { maxChunksUp: 0 } }, /fluent bit storage.maxChunksUp must be an integer between 1 and 100000, got 0/],
    ])('%s', (_name, props, message) => {
      const chart = testChart();
      const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
      expect(() => new FluentBitDaemonSet(chart, 'FluentBit', _name === 'no cluster' ? props as any : { elasticsearch, ...props } as any)).toThrow(message);
    });
  });
});

describe('node syslog input', () => {
  const input = (props: any) => {
    let syslog: NodeSyslog | undefined;
    const { chart, fluentBit } = stack({}, undefined, (c, agent) => { syslog = new NodeSyslog(c, 'Syslog', { agent, ...props }); });
    const yml = fluentBitYaml(chart);
    return { chart, fluentBit, syslog: syslog as NodeSyslog, yml, input: yml.pipeline.inputs.find((i: any) => i.name === 'syslog') };
  };

  test('default: a Unix datagram socket in its state directory, only root may write; RFC 3164 by the stock parser', () => {
    const { fluentBit, syslog: source, yml, input: syslog } = input({});
    expect(syslog).toEqual({
      'name': 'syslog', 'alias': 'in_syslog', 'tag': 'syslog', 'mode': 'unix_udp', 'path': '/var/log/fluent-bit-logging-fluent-bit/syslog.sock',
      'unix_perm': '0600', 'parser': 'syslog-rfc3164', 'storage.type': 'filesystem',
    });
    expect(yml.service.parsers_file).toBe('/fluent-bit/etc/parsers.conf');
    expect(yml.pipeline.outputs.find((o: any) => o.alias === 'out_es_syslog')).toMatchObject({ match: 'syslog', index: 'seclog-syslog' });
    expect(source.address).toBe('/var/log/fluent-bit-logging-fluent-bit/syslog.sock');
    expect(source.indexName).toBe('seclog-syslog');
    expect(fluentBit.writtenIndexFamilies()).toContain('seclog-syslog');
    expect(undocumented(fluentBit.config)).toEqual([]);
  });

  test('TCP on a host port, RFC 5424', () => {
    const { chart, syslog: source, input: syslog } = input({ mode: SyslogMode.TCP, port: 6514, rfc3164: false });
    expect(syslog).toMatchObject({ mode: 'tcp', listen: '0.0.0.0', port: 6514, parser: 'syslog-rfc5424' });
    expect(syslog.path).toBeUndefined();
    expect(objectNamed(chart, 'DaemonSet', 'fluent-bit').spec.template.spec.containers[0].ports)
      .toContainEqual({ name: 'syslog', containerPort: 6514, hostPort: 6514, protocol: 'TCP' });
    expect(source.address).toBe('tcp:6514');
  });

  test('a socket mode for a syslog daemon that drops root (Ubuntu\'s rsyslog)', () => {
    expect(input({ socketMode: '0666' }).input.unix_perm).toBe('0666');
    expect(() => input({ socketMode: '666x' })).toThrow(/node syslog socketMode must be an octal mode such as "0600" or "0666", got "666x"/);
    expect(() => input({ mode: SyslogMode.TCP, socketMode: '0666' })).toThrow(/node syslog socketMode is for unix sockets/);
  });

  test('fails if a port is given for a Unix socket, or is out of range, or the mode is unknown; the old prop is refused by name', () => {
    expect(() => input({ port: 514 })).toThrow(/node syslog port is for udp and tcp, got port 514 with mode unix_udp/);
    expect(() => input({ mode: SyslogMode.UDP, port: 70000 })).toThrow(/node syslog port must be an integer between 1 and 65535, got 70000/);
    expect(() => input({ mode: 'journald' })).toThrow(/node syslog mode must be one of unix_udp, unix_tcp, udp, tcp, got "journald"/);
    expect(() => stack({ syslog: {} })).toThrow(/fluent bit syslog moved to a source of its own: new NodeSyslog/);
  });
});

test('escape hatch: plugins and parsers of your own, after the library\'s, with an output as the agent\'s user', () => {
  const chart = testChart();
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
  const fluentBit = new FluentBitDaemonSet(chart, 'FluentBit', { elasticsearch });
  // Its kind gives its template and lifecycle policy (container-log fields, 14 days).
  fluentBit.registerIndexFamily('my family', 'seclog-nginx', IndexFamilyKind.CONTAINERS);
  fluentBit.addPlugins([
    FluentBitPlugin.input('tail', { tag: 'nginx', path: '/var/log/nginx/access.log', parser: 'nginx_access' }),
    fluentBit.elasticsearchOutput('nginx', 'out_es_nginx', 'seclog-nginx'),
  ], [new FluentBitParser('nginx_access', { format: 'regex', regex: '^(?<remote>[^ ]*) (?<rest>.*)$' })]);
  // Created last, so the agent's role covers the new family (an earlier one fails synthesis).
  new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
  const yml = fluentBitYaml(chart);
  expect(yml.pipeline.inputs.map((i: any) => i.tag)).toEqual(['kube.*', 'nginx']);
  expect(yml.pipeline.outputs.map((o: any) => o.alias)).toEqual(['out_es_containers', 'out_es_nginx']);
  expect(yml.parsers.map((p: any) => p.name)).toEqual(['nginx_access']);
  expect(fluentBit.writtenIndexFamilies()).toEqual(['seclog-containers', 'seclog-nginx']);
  expect(jobFiles(Testing.synth(chart), 'elasticsearch-setup-')['template-seclog-nginx.json']).toContain('"seclog-nginx-*"');
  expect(() => fluentBit.addPlugins([FluentBitPlugin.input('dummy')])).toThrow(/must be added before synthesis/);
  const late = stack();
  late.fluentBit.registerIndexFamily('my family', 'seclog-late');
  expect(() => Testing.synth(late.chart)).toThrow(/writer logging-fluent-bit gained index family seclog-late after the ElasticsearchSetup was created/);
});

test('a family of no kind needs a template of its own, or synthesis fails naming it', () => {
  const build = (templates: IndexTemplate[]) => {
    const chart = testChart();
    const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
    new FluentBitDaemonSet(chart, 'FluentBit', { elasticsearch }).registerIndexFamily('my family', 'app-audit');
    return new ElasticsearchSetup(chart, 'Setup', { elasticsearch, templates });
  };
  expect(() => build([])).toThrow(/test\/FluentBit writes index family "app-audit", which has no index template: Elasticsearch would create it as a plain index/);
  const own = new IndexTemplate({
    name: 'app-audit', indexPatterns: ['app-audit*'], fields: { '@timestamp': IndexFieldType.DATE },
    lifecycle: new IlmPolicy({ name: 'app-audit', retention: Duration.days(400) }),
  });
  expect(build([own]).templates.map((t) => t.name)).toEqual(['app-audit', 'seclog-containers']);
});
