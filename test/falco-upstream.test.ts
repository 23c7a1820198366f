import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { objectNamed, testChart } from './helpers/chart';
import { ElasticsearchCluster, ElasticsearchSetup, FalcoConfig, FalcoDaemonSet, FluentdDaemonSet } from '../src';

/**
 * Our falco.yaml replaces the image's, so every upstream setting we do not copy is
 * lost (the suggested output fields were: alerts had no pod). Compared key by key with
 * what Falco 0.44.1's image runs with (falco.yaml and its config.d, flattened; where a
 * key is missing, Falco's code default): the differences are exactly the documented
 * ones, each with its reason (FalcoConfig.UPSTREAM_DIFFERENCES).
 */
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'falco-0.44.1-upstream-settings.json'), 'utf-8'));

function flatten(value: any, prefix = '', out: { [key: string]: unknown } = {}): { [key: string]: unknown } {
  for (const [key, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) flatten(v, path, out);
    else out[path] = v;
  }
  return out;
}

/** The keys where the running settings differ from the image's own. */
function differences(ours: { [key: string]: unknown }): string[] {
  const upstream: { [key: string]: unknown } = fixture.upstream;
  const effective = (key: string) => (key in ours ? ours[key] : key in fixture.codeDefaults ? fixture.codeDefaults[key] : upstream[key]);
  const keys = [...new Set([...Object.keys(upstream), ...Object.keys(ours)])];
  return keys.filter((key) => JSON.stringify(effective(key)) !== JSON.stringify(upstream[key])).sort();
}

function renderedFalcoYaml(props = {}): { [key: string]: unknown } {
  const chart = testChart();
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
  new FalcoDaemonSet(chart, 'Falco', { agent: new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch }), ...props });
  new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
  return flatten(parse(objectNamed(chart, 'ConfigMap', 'falco-config').data['falco.yaml']));
}

describe('falco.yaml against Falco 0.44.1\'s own', () => {
  test('differs only where documented, each difference with its reason', () => {
    expect(differences(renderedFalcoYaml())).toEqual(Object.keys(FalcoConfig.UPSTREAM_DIFFERENCES).sort());
    for (const reason of Object.values(FalcoConfig.UPSTREAM_DIFFERENCES)) expect(reason.length).toBeGreaterThan(20);
  });

  test('keeps the upstream defaults the issue found dropped: the suggested output, every runtime engine', () => {
    const ours = renderedFalcoYaml();
    expect(ours.append_output).toEqual([{ suggested_output: true }]);
    expect(ours.plugins).toEqual(fixture.upstream.plugins);
    expect(ours.priority).toBe('debug');
  });

  test('the check finds a dropped default', () => {
    const ours = renderedFalcoYaml();
    delete ours.append_output;
    expect(differences(ours)).toContain('append_output');
  });

  test('the fixture is the image\'s effective configuration: the container plugin and ISO times from config.d', () => {
    expect(fixture.upstream.load_plugins).toEqual(['container']);
    expect(fixture.upstream.time_format_iso_8601).toBe(true);
    expect(fixture.upstream['engine.kind']).toBe('modern_ebpf');
  });
});
