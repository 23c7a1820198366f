import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { FLUENT_BIT_RULES, brokenFluentBitRules } from './helpers/fluent-bit-params';
import { ruleBookProblems } from './helpers/plugin-rules';
import {
  FluentBitConfig, FluentBitDaemonSet, FluentBitEnvValue, FluentBitParser, FluentBitPlugin, FluentBitPluginKind, KubernetesEventsCollector,
  LogAgent, S3Credentials, SecurityLoggingChart, SyslogMode,
} from '../src';

describe('FluentBitConfig (YAML format)', () => {
  const config = new FluentBitConfig({
    service: { 'flush': 1, 'log_level': 'info', 'http_server': true, 'storage.path': '/var/log/fb/storage' },
    parsers: [new FluentBitParser('falco', { format: 'json', time_key: 'time', time_format: '%Y-%m-%dT%H:%M:%S.%L%z', time_keep: true })],
    pipeline: [
      FluentBitPlugin.output('es', 'kube.*', { host: 'es.ns.svc', port: 9200, http_passwd: FluentBitEnvValue.of('ES_PASSWORD'), tls: true }),
      FluentBitPlugin.input('tail', { 'tag': 'kube.*', 'path': '/var/log/containers/*.log', 'multiline.parser': 'cri', 'db': undefined }),
      FluentBitPlugin.filter('kubernetes', 'kube.*', { merge_log: true, kube_tag_prefix: 'kube.var.log.containers.' }),
    ],
  });

  // Booleans are written on/off, quoted by the YAML writer: the same string to Fluent Bit's parser.
  test('golden: service, parsers, then the pipeline lists in input, filter, output order', () => {
    expect(config.render()).toBe([
      'service:',
      '  flush: 1',
      '  log_level: info',
      '  http_server: "on"',
      '  storage.path: /var/log/fb/storage',
      'parsers:',
      '  - name: falco',
      '    format: json',
      '    time_key: time',
      '    time_format: "%Y-%m-%dT%H:%M:%S.%L%z"',
      '    time_keep: "on"',
      'pipeline:',
      '  inputs:',
      '    - name: tail',
      '      tag: kube.*',
      '      path: /var/log/containers/*.log',
      '      multiline.parser: cri',
      '  filters:',
      '    - name: kubernetes',
      '      match: kube.*',
      '      merge_log: "on"',
      '      kube_tag_prefix: kube.var.log.containers.',
      '  outputs:',
      '    - name: es',
      '      match: kube.*',
      '      host: es.ns.svc',
      '      port: 9200',
      '      http_passwd: ${ES_PASSWORD}',
      '      tls: "on"',
      '',
    ].join('\n'));
  });

  test('the YAML reads back as written (what Fluent Bit parses)', () => {
    const doc = parse(config.render());
    expect(doc.pipeline.outputs[0]).toEqual({ name: 'es', match: 'kube.*', host: 'es.ns.svc', port: 9200, http_passwd: '${ES_PASSWORD}', tls: 'on' });
    expect(doc.parsers[0].time_format).toBe('%Y-%m-%dT%H:%M:%S.%L%z');
    expect(config.pluginsOf(FluentBitPluginKind.INPUT).map((p) => p.name)).toEqual(['tail']);
  });

  test('a list sets a property once per item (a YAML sequence)', () => {
    const rendered = new FluentBitConfig({
      service: {}, pipeline: [FluentBitPlugin.input('systemd', { systemd_filter: ['SYSLOG_FACILITY=4', '_SYSTEMD_UNIT=kubelet.service'] }), FluentBitPlugin.output('null', '*')],
    }).render();
    expect(parse(rendered).pipeline.inputs[0].systemd_filter).toEqual(['SYSLOG_FACILITY=4', '_SYSTEMD_UNIT=kubelet.service']);
  });

  test('a regex with backslashes and quotes survives', () => {
    const regex = String.raw`^(?<time>[^ ]+) (?<stream>stdout|stderr) "(?<x>\d+)'$`;
    const rendered = new FluentBitConfig({
      service: {}, parsers: [new FluentBitParser('r', { format: 'regex', regex })],
      pipeline: [FluentBitPlugin.input('dummy'), FluentBitPlugin.output('null', '*')],
    }).render();
    expect(parse(rendered).parsers[0].regex).toBe(regex);
  });

  describe('fails if', () => {
    test.each([
      ['a property name with upper case', () => FluentBitPlugin.input('tail', { Path: '/x' }), /property name "Path" must be lowercase/],
      ['a multi-line value', () => FluentBitPlugin.input('tail', { path: 'a\nb' }), /path must be a single line/],
      ['a literal ${', () => FluentBitPlugin.output('es', '*', { http_passwd: '${X}' }), /must not contain '\$\{' .* use FluentBitEnvValue/],
      ['an object value', () => FluentBitPlugin.input('tail', { path: { a: 1 } }), /path must be a string, finite number, boolean, FluentBitEnvValue or non-empty list of strings/],
      ['an empty list', () => FluentBitPlugin.input('systemd', { systemd_filter: [] }), /systemd_filter must be a string, finite number, boolean, FluentBitEnvValue or non-empty list of strings, got \[\]/],
      ['a list item on two lines', () => FluentBitPlugin.input('systemd', { systemd_filter: ['A=1', 'B=2\nC=3'] }), /systemd_filter must be a single line/],
      ['an infinite number', () => FluentBitPlugin.input('tail', { refresh_interval: Infinity }), /refresh_interval must be a finite number/],
      ['a plugin name with a dash', () => FluentBitPlugin.input('my-tail'), /fluent bit input name must be lowercase letters, digits or '_', got "my-tail"/],
      ['name as a property', () => FluentBitPlugin.input('tail', { name: 'x' }), /name is the plugin's own/],
      ['a parser without a format', () => new FluentBitParser('p', {}), /fluent bit parser p needs a format/],
      ['an env variable with a dash', () => FluentBitEnvValue.of('ES-PASSWORD'), /environment variable name must be letters, digits or '_', got "ES-PASSWORD"/],
      ['two parsers of one name', () => new FluentBitConfig({
        service: {}, parsers: [new FluentBitParser('p', { format: 'json' }), new FluentBitParser('p', { format: 'json' })],
        pipeline: [FluentBitPlugin.input('dummy'), FluentBitPlugin.output('null', '*')],
      }), /fluent bit parser "p" is defined twice/],
      ['two plugins of one alias', () => new FluentBitConfig({
        service: {}, pipeline: [FluentBitPlugin.input('dummy', { alias: 'a' }), FluentBitPlugin.output('null', '*', { alias: 'a' })],
      }), /alias "a" is used twice/],
      ['no output', () => new FluentBitConfig({ service: {}, pipeline: [FluentBitPlugin.input('dummy')] }), /needs at least one output/],
    ])('%s', (_name, build, message) => {
      expect(build).toThrow(message);
    });
  });
});

describe('properties the Fluent Bit plugins check together (cb_init)', () => {
  const agentConfigs = (props: any, nodeSyslog?: object) => {
    const stack = new SecurityLoggingChart(Testing.app(), 'stack', { agent: LogAgent.FLUENT_BIT, fluentBit: props, nodeSyslog });
    return [(stack.fluentBit as FluentBitDaemonSet).config, (stack.kubernetesEventsCollector as KubernetesEventsCollector).config];
  };

  test('the rule book: every rule names the file and line at v4.2.3', () => {
    expect(Object.keys(FLUENT_BIT_RULES).filter((k) => !k.startsWith('_')).length).toBeGreaterThan(10);
    expect(ruleBookProblems(FLUENT_BIT_RULES)).toEqual([]);
  });

  test.each([
    ['every source, the S3 archive, syslog on a Unix socket', {
      s3Archive: { bucket: 'acme-logs', region: 'eu-west-1', credentials: S3Credentials.serviceAccountRole('arn:aws:iam::123456789012:role/r') },
    }, {}],
    ['syslog over TCP, an S3-compatible endpoint', {
      s3Archive: { bucket: 'acme-logs', region: 'eu-west-1', endpoint: 'https://minio.example.com:9000', credentials: S3Credentials.serviceAccountRole('arn:aws:iam::123456789012:role/r') },
    }, { mode: SyslogMode.TCP }],
  ])('%s: no plugin breaks a rule', (_name, props, nodeSyslog) => {
    for (const config of agentConfigs(props, nodeSyslog)) expect(brokenFluentBitRules(config)).toEqual([]);
  });

  test('the check finds a broken pair and a silently changed value', () => {
    const config = (es: { [key: string]: unknown }) => new FluentBitConfig({
      service: { flush: 1 }, pipeline: [FluentBitPlugin.input('dummy', {}), FluentBitPlugin.output('es', '*', { host: 'es', index: 'i', ...es })],
    });
    expect(brokenFluentBitRules(config({ write_operation: 'upsert' })).join()).toMatch(/es-update-needs-id/);
    // Verified TLS without the host name checked: Fluent Bit's tls.verify checks the chain only.
    expect(brokenFluentBitRules(config({ 'tls': true, 'tls.verify': true })).join()).toMatch(/verify_hostname/);
  });
});
