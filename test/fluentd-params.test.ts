import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { testChart } from './helpers/chart';
import { ContainerLogFormat, ElasticsearchCluster, FluentdConfig, FluentdDaemonSet, FluentdSection } from '../src';

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
    const key = section.type ? `${section.name}:${section.type}` : `${['system'].includes(section.name) ? '' : 'section:'}${section.name}`;
    const list = allowed(key);
    for (const param of Object.keys(section.params)) {
      if (list !== '*' && !list.includes(param)) problems.push(`${key} ${param}`);
    }
    section.sections.forEach(walk);
  };
  sections.forEach(walk);
  return problems;
}

function configOf(props: any): FluentdConfig {
  const chart = testChart();
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
  const fluentd = new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch, ...props });
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
    expect(() => undocumented([FluentdSection.match('**', 's3')])).toThrow(/no documented parameter list for match:s3/);
  });

  test('the plugins used are the ones the pinned image ships', () => {
    const types = new Set<string>();
    const walk = (s: FluentdSection) => { if (s.type) types.add(s.type); s.sections.forEach(walk); };
    configOf({ containerLogFormat: ContainerLogFormat.CRI }).all.forEach(walk);
    configOf({ containerLogFormat: ContainerLogFormat.DOCKER_JSON }).all.forEach(walk);
    // fluentd core, plus fluent-plugin-{prometheus,parser-cri,concat,kubernetes_metadata_filter,elasticsearch}.
    expect([...types].sort()).toEqual([
      'concat', 'cri', 'elasticsearch', 'file', 'json', 'kubernetes_metadata', 'null', 'parser', 'prometheus',
      'prometheus_monitor', 'prometheus_output_monitor', 'record_transformer', 'relabel', 'tail',
    ]);
  });
});
