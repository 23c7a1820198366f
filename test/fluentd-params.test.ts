import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { testChart } from './helpers/chart';
import { RuleSubject, brokenRules, loadRuleBook, ruleBookProblems } from './helpers/plugin-rules';
import { ELASTIC_STACK_8_VERSION,
  ContainerLogFormat, ElasticsearchCluster, ElasticsearchSetup, FalcoDaemonSet, FluentdConfig, FluentdDaemonSet, FluentdEnvValue, FluentdSection, KubeApiServerAudit,
  KubeArmorRelayCollector, KubernetesAuditLogs, NodeJournal, NodeSyslog, S3Credentials, SyslogMode,
} from '../src';

/**
 * fluentd warns about an unknown parameter and runs on without it, so a misspelled
 * setting silently does nothing. Every parameter we render is checked here against
 * the plugin's documented parameters (test/fixtures/fluentd-plugin-params.json).
 */
const catalogue = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'fluentd-plugin-params.json'), 'utf-8'));

function allowed(key: string): string[] | '*' {
  const entry = catalogue[key];
  if (!entry) throw new Error(`no documented parameter list for ${key}: add it to fluentd-plugin-params.json with its source`);
  if (entry.params === '*') return '*';
  const base = entry.extends ? (catalogue[entry.extends].params as string[]) : [];
  return [...catalogue._common.params, ...entry.params, ...base];
}

/** Every (plugin, parameter) pair that is not documented. */
function undocumented(sections: FluentdSection[]): string[] {
  const problems: string[] = [];
  const walk = (section: FluentdSection) => {
    if (section.name === 'label') {
      section.sections.forEach(walk);
      return;
    }
    if (section.name === '@include' || section.name === '#raw') return;
    // A copy output's <store> is written like a <match>.
    const kind = section.name === 'store' ? 'match' : section.name;
    const key = section.type ? `${kind}:${section.type}` : `${['system'].includes(section.name) ? '' : 'section:'}${section.name}`;
    const list = allowed(key);
    for (const param of Object.keys(section.params)) {
      if (list !== '*' && !list.includes(param)) problems.push(`${key} ${param}`);
    }
    section.sections.forEach(walk);
  };
  sections.forEach(walk);
  return problems;
}

/** The agent's config with every source the library can add. */
function configOf(props: any, version?: string): FluentdConfig {
  const chart = testChart();
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1, version });
  const fluentd = new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch, ...props });
  new KubernetesAuditLogs(chart, 'AuditLogs', { agent: fluentd, audit: new KubeApiServerAudit() });
  new KubeArmorRelayCollector(chart, 'KubeArmor', { agent: fluentd });
  new FalcoDaemonSet(chart, 'Falco', { agent: fluentd });
  new NodeJournal(chart, 'Journal', { agent: fluentd });
  new NodeSyslog(chart, 'Syslog', { agent: fluentd, mode: SyslogMode.UDP });
  new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
  Testing.synth(chart);
  return fluentd.config;
}

describe('every rendered fluentd parameter is a documented parameter of its plugin', () => {
  test.each([
    ['CRI', ContainerLogFormat.CRI],
    ['Docker json-file', ContainerLogFormat.DOCKER_JSON],
  ])('%s pipeline', (_name, containerLogFormat) => {
    const config = configOf({ containerLogFormat });
    expect(config.all.length).toBeGreaterThan(5);
    expect(undocumented(config.all)).toEqual([]);
  });

  test('the check fails on a misspelled parameter', () => {
    const bad = FluentdSection.source('tail', { params: { path: '/x', read_from_heads: true } });
    expect(undocumented([bad])).toEqual(['source:tail read_from_heads']);
  });

  test('the check fails on a plugin without a documented list', () => {
    expect(() => undocumented([FluentdSection.match('**', 'kafka2')])).toThrow(/no documented parameter list for match:kafka2/);
  });

  test('with an S3 archive (an image with fluent-plugin-s3): every route copies to Elasticsearch and S3, all parameters documented', () => {
    const config = configOf({
      image: 'registry.example.com/fluentd-es-s3:v1.19.3-1',
      s3Archive: { bucket: 'acme-security-logs', region: 'eu-west-1', credentials: S3Credentials.serviceAccountRole('arn:aws:iam::123456789012:role/archive') },
    });
    expect(undocumented(config.all)).toEqual([]);
    const conf = config.render();
    // Containers, audit, Falco, KubeArmor, the journal and syslog: each a copy with an s3 store.
    expect(conf.match(/@type copy/g)).toHaveLength(6);
    expect(conf.match(/<store>\n\s+@type s3/g)).toHaveLength(6);
    for (const source of ['containers', 'audit', 'falco', 'kubearmor', 'journal', 'syslog']) {
      expect(conf).toContain(`path security-logging/${source}/year=%Y/month=%m/day=%d/hour=%H/\n`);
    }
  });

  test('every plugin used is one the pinned image ships (its Gemfile.lock and fluentd core)', () => {
    const shipped = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'fluentd-image-plugins.json'), 'utf-8'));
    const missing: string[] = [];
    const walk = (s: FluentdSection) => {
      if (s.type && !(shipped[s.name] ?? []).includes(s.type)) missing.push(`${s.name}:${s.type}`);
      s.sections.forEach(walk);
    };
    for (const format of [ContainerLogFormat.CRI, ContainerLogFormat.DOCKER_JSON]) configOf({ containerLogFormat: format }).all.forEach(walk);
    expect(missing).toEqual([]);
  });

  test('every @label and timeout_label target is a label the config defines', () => {
    for (const format of [ContainerLogFormat.CRI, ContainerLogFormat.DOCKER_JSON]) {
      const config = configOf({ containerLogFormat: format });
      const defined = new Set<string>(['@ERROR']);
      const targets: string[] = [];
      const walk = (s: FluentdSection) => {
        if (s.name === 'label' && s.argument) defined.add(s.argument);
        for (const key of ['@label', 'timeout_label']) if (s.params[key]) targets.push(s.params[key]);
        s.sections.forEach(walk);
      };
      config.all.forEach(walk);
      expect(targets.length).toBeGreaterThan(0);
      expect(targets.filter((t) => !defined.has(t))).toEqual([]);
    }
  });
});

/**
 * Parameters the plugins check together (fluent-plugin-elasticsearch refuses
 * ssl_min_version without ssl_max_version, and fluentd would not start), from each
 * plugin's configure code (test/fixtures/fluentd-plugin-rules.json).
 */
const RULES = loadRuleBook('fluentd-plugin-rules.json');

/** A rendered value as fluentd reads it (an `"#{ENV[...]}"` value is a non-empty string once the variable is set). */
const readValue = (value: unknown) => (value instanceof FluentdEnvValue ? `$${value.name}` : value);

/** Every section of a config as the rule book names it, with the rules it breaks. */
function brokenFluentdRules(sections: FluentdSection[]): string[] {
  const broken: string[] = [];
  const check = (subject: RuleSubject) => broken.push(...brokenRules(RULES, subject, readValue));
  const walk = (section: FluentdSection, context: string, parent: FluentdSection | undefined, where: string) => {
    const here = `${where}/${section.name}${section.type ? `(${section.type})` : ''}`;
    const subject = (keys: string[]): RuleSubject => ({
      keys, argument: section.argument, params: section.params, parentParams: parent?.params, sections: section.sections.map((s) => s.name), where: here,
      sectionValues: Object.fromEntries(section.sections.map((s) => [s.name, section.sections.filter((t) => t.name === s.name)
        .flatMap((t) => [...(t.argument !== undefined ? [t.argument] : []), ...Object.values(t.params).map(String)])])),
    });
    let key = context;
    switch (section.name) {
      case 'source': case 'filter': case 'match': case 'store':
        key = `${section.name === 'store' ? 'match' : section.name}:${section.type}`;
        check(subject([...(section.name === 'store' ? ['section:store'] : []), key]));
        // An output without a <buffer> has the plugin's default one.
        if (['match', 'store'].includes(section.name) && !section.sections.some((s) => s.name === 'buffer') && RULES[`${key}>buffer`]) {
          check({ keys: [`${key}>buffer`], params: {}, parentParams: section.params, sections: [], where: `${here}/(default buffer)` });
        }
        break;
      case 'buffer': check(subject(['section:buffer', `buffer:${section.type ?? 'memory'}`, `${context}>buffer`])); break;
      case 'parse': check(subject(['parse:_base', `parse:${section.type}`])); break;
      case 'format': check(subject([`format:${section.type}`])); break;
      case 'storage': check(subject([`storage:${section.type ?? 'local'}`])); break;
      case 'system': check(subject(['system'])); break;
      case 'inject': case 'regexp': case 'rule': check(subject([`section:${section.name}`])); break;
      case 'and': case 'or': check(subject([`${context}>${section.name}`])); break;
      default: break;
    }
    for (const child of section.sections) walk(child, key, section, section.name === 'label' ? `${here} ${section.argument}` : here);
  };
  sections.forEach((s) => walk(s, '', undefined, ''));
  return broken;
}

describe('parameters the plugins check together', () => {
  test('the rule book: every rule names its plugin version, file and line', () => {
    expect(Object.keys(RULES).filter((k) => !k.startsWith('_')).length).toBeGreaterThan(25);
    expect(ruleBookProblems(RULES)).toEqual([]);
  });

  test.each([
    ['CRI', { containerLogFormat: ContainerLogFormat.CRI }],
    ['Docker json-file', { containerLogFormat: ContainerLogFormat.DOCKER_JSON }],
    ['with an S3 archive', {
      image: 'registry.example.com/fluentd-es-s3:v1.19.3-1',
      s3Archive: { bucket: 'acme-security-logs', region: 'eu-west-1', credentials: S3Credentials.serviceAccountRole('arn:aws:iam::123456789012:role/archive') },
    }],
  ])('%s: no section breaks a rule of its plugin', (_name, props) => {
    expect(brokenFluentdRules(configOf(props).all)).toEqual([]);
  });

  test('on Elasticsearch 8.19 (the -elasticsearch8- image) too', () => {
    expect(brokenFluentdRules(configOf({}, ELASTIC_STACK_8_VERSION).all)).toEqual([]);
  });

  test('the check finds what made the agent crash-loop, and other rules of each kind', () => {
    const es = (params: object, buffer = 'tag') => FluentdSection.match('**', 'elasticsearch', {
      params: { host: 'es', ...params }, sections: [FluentdSection.buffer('file', buffer, { params: { path: '/b' } })],
    });
    // A pair validated together.
    expect(brokenFluentdRules([es({ ssl_min_version: 'TLSv1_2' })])).toEqual([expect.stringMatching(/^match:elasticsearch es-ssl-min-needs-max .*must set 'ssl_max_version' together/)]);
    expect(brokenFluentdRules([es({ ssl_min_version: 'TLSv1_2', ssl_max_version: 'TLSv1_3' })])).toEqual([]);
    // Elasticsearch 9: the plugin's compatible-with=9 media types only without suppress_type_name.
    const es9 = { default_elasticsearch_version: 9, verify_es_version_at_startup: false };
    expect(brokenFluentdRules([es({ ...es9, suppress_type_name: true })]).join()).toMatch(/es9-media-types-need-type-name-unsuppressed/);
    expect(brokenFluentdRules([es(es9)])).toEqual([]);
    expect(brokenFluentdRules([es({ default_elasticsearch_version: 8, verify_es_version_at_startup: false, suppress_type_name: true })])).toEqual([]);
    // A chunk key the output needs.
    expect(brokenFluentdRules([es({}, 'time')]).join()).toMatch(/es-chunk-keys-tag-or-index/);
    // Options that exclude each other.
    const concat = FluentdSection.filter('**', 'concat', { params: { key: 'message', use_partial_cri_logtag: true, n_lines: 2, partial_cri_logtag_key: 'logtag' } });
    expect(brokenFluentdRules([concat]).join()).toMatch(/concat-cri-vs-n-lines/);
    // A default the check applies (concat needs a mode).
    expect(brokenFluentdRules([FluentdSection.filter('**', 'concat', { params: { key: 'message' } })]).join()).toMatch(/concat-mode-required/);
    // Ruby in a record value needs enable_ruby; a plain string or placeholder does not.
    const record = (value: string, params = {}) => FluentdSection.filter('**', 'record_transformer', { params, sections: [FluentdSection.section('record', { params: { f: value } })] });
    expect(brokenFluentdRules([record('${record["a"].to_s.downcase}')]).join()).toMatch(/rt-ruby-expressions-need-enable-ruby/);
    expect(brokenFluentdRules([record('${record["a"].to_s.downcase}', { enable_ruby: true })])).toEqual([]);
    expect(brokenFluentdRules([record('default'), record('${record["a"]}'), record('${tag_parts[1]}')])).toEqual([]);
  });

  test('what the rule book cannot say: plugin ids, pos files and buffer paths unique; @ERROR only from the top level', () => {
    for (const props of [{ containerLogFormat: ContainerLogFormat.CRI }, { containerLogFormat: ContainerLogFormat.DOCKER_JSON }]) {
      const all = allOf(configOf(props).all);
      const repeated = (values: string[]) => values.filter((v, i) => values.indexOf(v) !== i);
      expect(repeated(all.filter((s) => s.type === 'tail').map((s) => s.params.pos_file))).toEqual([]);
      expect(repeated(all.filter((s) => s.name === 'buffer').map((s) => s.params.path))).toEqual([]);
      // fluentd configures labels before the error label: `@label @ERROR` inside a <label> fails ("@ERROR label not found").
      const inLabels = configOf(props).all.filter((s) => s.name === 'label').flatMap((l) => allOf(l.sections));
      expect(inLabels.filter((s) => s.params['@label'] === '@ERROR')).toEqual([]);
    }
  });
});

function allOf(sections: FluentdSection[]): FluentdSection[] {
  return sections.flatMap((s) => [s, ...allOf(s.sections)]);
}
