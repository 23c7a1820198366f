import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { testChart } from './helpers/chart';
import {
  ContainerLogFormat, ElasticsearchCluster, ElasticsearchSetup, FalcoDaemonSet, FluentdConfig, FluentdDaemonSet, FluentdSection, KubeApiServerAudit, KubeArmorRelayCollector,
  S3Credentials,
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
function configOf(props: any): FluentdConfig {
  const chart = testChart();
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
  const fluentd = new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch, ...props });
  fluentd.addAuditLogs(new KubeApiServerAudit());
  new KubeArmorRelayCollector(chart, 'KubeArmor', { fluentd });
  new FalcoDaemonSet(chart, 'Falco', { fluentd });
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
    // Containers, audit, Falco and KubeArmor: each a copy with an s3 store.
    expect(conf.match(/@type copy/g)).toHaveLength(4);
    expect(conf.match(/<store>\n\s+@type s3/g)).toHaveLength(4);
    for (const source of ['containers', 'audit', 'falco', 'kubearmor']) {
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
