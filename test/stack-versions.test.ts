import { Testing } from 'cdk8s';
import { fluentdOf, jobFiles, stackObjects, stackOf } from './helpers/chart';
import { runSetupScript } from './helpers/setup-script';
import {
  ELASTIC_STACK_8_VERSION, ELASTIC_STACK_VERSION, ElasticsearchCluster, LogAgent, ElasticsearchSecurity, FLUENTD_ELASTICSEARCH8_IMAGE, FLUENTD_IMAGE, FluentdDaemonSet,
} from '../src';
import { testChart } from './helpers/chart';

/**
 * The stack on Elasticsearch 9.x (the default) and on 8.19 (still supported): what
 * differs is exactly the version of the images, the Fluentd image variant and its
 * plugin's version settings; everything else, byte for byte, is the same.
 */
describe('Elasticsearch 9.x and 8.19', () => {
  const nine = stackObjects(stackOf());
  const eight = stackObjects(stackOf({ elasticsearch: { version: ELASTIC_STACK_8_VERSION } }));

  test('the default is 9.5.7; 8.19.25 is the 8.x release that upgrades to it', () => {
    expect([ELASTIC_STACK_VERSION, ELASTIC_STACK_8_VERSION]).toEqual(['9.5.7', '8.19.25']);
    const images = (objects: any[]) => [...new Set(objects.flatMap((o) => [...o.spec?.template?.spec?.containers ?? [], ...o.spec?.template?.spec?.initContainers ?? []])
      .map((c: any) => c.image).filter((i: string) => /elasticsearch|kibana|fluentd/.test(i)))].sort();
    expect(images(nine)).toEqual([
      'docker.elastic.co/elasticsearch/elasticsearch:9.5.7', 'docker.elastic.co/kibana/kibana:9.5.7', 'fluent/fluentd-kubernetes-daemonset:v1.19.3-debian-elasticsearch9-1.1',
    ]);
    expect(images(eight)).toEqual([
      'docker.elastic.co/elasticsearch/elasticsearch:8.19.25', 'docker.elastic.co/kibana/kibana:8.19.25', 'fluent/fluentd-kubernetes-daemonset:v1.19.3-debian-elasticsearch8-1.1',
    ]);
  });

  test('the Fluentd output: 9 without suppress_type_name (the plugin then sends compatible-with=9), 8 with it', () => {
    const output = (version?: string) => fluentdOf(stackOf(version ? { elasticsearch: { version } } : {})).config.render()
      .split('\n').filter((l) => /suppress_type_name|default_elasticsearch_version|verify_es_version_at_startup/.test(l)).map((l) => l.trim());
    expect([...new Set(output())]).toEqual(['verify_es_version_at_startup false', 'default_elasticsearch_version 9']);
    expect([...new Set(output(ELASTIC_STACK_8_VERSION))]).toEqual(['suppress_type_name true', 'verify_es_version_at_startup false', 'default_elasticsearch_version 8']);
  });

  test('nothing else differs: 8.19\'s objects, with the version, the image variant and the two plugin settings turned into 9\'s, are 9\'s (content hashes aside)', () => {
    const hashes = (text: string) => text.replace(/\b[0-9a-f]{10,16}\b/g, '<hash>');
    const asNine = (text: string) => text.replace(/8\.19\.25/g, '9.5.7').replace(/debian-elasticsearch8/g, 'debian-elasticsearch9')
      .replace(/ *suppress_type_name true\\n/g, '').replace(/default_elasticsearch_version 8/g, 'default_elasticsearch_version 9');
    expect(eight.map((o) => hashes(asNine(JSON.stringify(o))))).toEqual(nine.map((o) => hashes(JSON.stringify(o))));
  });

  test('with Fluent Bit, only the images differ (its es output sends application/x-ndjson and no compatibility headers, Suppress_Type_Name On for both)', () => {
    const fb = (version?: string) => stackObjects(stackOf({ agent: LogAgent.FLUENT_BIT, ...version ? { elasticsearch: { version } } : {} }));
    const hashes = (text: string) => text.replace(/\b[0-9a-f]{10,16}\b/g, '<hash>');
    expect(fb(ELASTIC_STACK_8_VERSION).map((o) => hashes(JSON.stringify(o).replace(/8\.19\.25/g, '9.5.7')))).toEqual(fb().map((o) => hashes(JSON.stringify(o))));
    expect(JSON.stringify(fb())).toContain(String.raw`suppress_type_name: \"on\"`);
  });

  test('every family is a standard index on both (9.x would make new logs-*-* streams logsdb)', () => {
    for (const objects of [nine, eight]) {
      const files = jobFiles(objects, 'elasticsearch-setup-');
      const templates = Object.entries(files).filter(([f]) => f.startsWith('template-')).map(([, body]) => JSON.parse(body as string));
      expect(templates.length).toBeGreaterThan(5);
      expect(new Set(templates.map((t) => t.template.settings['index.mode']))).toEqual(new Set(['standard']));
    }
  });

  test('a Fluentd image of the other major is refused, naming the variant to use', () => {
    const chart = testChart();
    const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { version: ELASTIC_STACK_8_VERSION });
    expect(() => new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch, image: FLUENTD_IMAGE })).toThrow(
      `fluentd image "${FLUENTD_IMAGE}" is fluentd-kubernetes-daemonset's Elasticsearch 9 variant, but the cluster runs Elasticsearch 8.19.25: its client would not talk to it; use the -elasticsearch8- variant (${FLUENTD_ELASTICSEARCH8_IMAGE})`,
    );
    expect(new FluentdDaemonSet(chart, 'Mine', { elasticsearch, image: 'registry.example.com/fluentd-mine:1.0' }).node.id).toBe('Mine');
  });
});

describe('the upgrade check (8.19 to 9.x)', () => {
  const chart = stackOf({ upgradeCheck: true, elasticsearch: { version: ELASTIC_STACK_8_VERSION, security: ElasticsearchSecurity.disabledForDevelopmentOnly() } });
  const files = jobFiles(Testing.synth(chart), 'elasticsearch-setup-');
  const nodes = (...versions: string[]) => `200 {"nodes":{${versions.map((v, i) => `"node${i}":{"version":"${v}"}`).join(',')}}}`;
  const deprecations = (level: string) => `200 {"cluster_settings":[{"level":"${level}","message":"Setting [xpack.monitoring.enabled] is removed","url":"https://ela.st/es-deprecation-9","details":"remove it","resolve_during_rolling_upgrade":false}],"node_settings":[],"index_settings":{},"data_streams":{},"ml_settings":[]}`;

  test('a critical deprecation fails the Job before anything is put, printing it', () => {
    const run = runSetupScript(files, { '_cluster/health': '200 {}', '_migration/deprecations': deprecations('critical'), '_nodes': nodes('8.19.25', '8.19.25', '8.19.25') });
    expect(run.code).toBe(1);
    expect(run.output).toContain('fix these critical deprecations before the upgrade to 9.x');
    expect(run.output).toContain('Setting [xpack.monitoring.enabled] is removed');
    expect(run.calls.some((c) => c.includes('-X PUT'))).toBe(false);
  });

  test('warnings only: the Job goes on and puts everything', () => {
    const run = runSetupScript(files, { '_cluster/health': '200 {}', '_migration/deprecations': deprecations('warning'), '_nodes': nodes('8.19.25', '8.19.25', '8.19.25') });
    expect(run.code).toBe(0);
    expect(run.output).toContain('no critical deprecation; also clear Kibana\'s Upgrade Assistant');
    expect(run.calls.filter((c) => c.includes('-X PUT')).length).toBeGreaterThan(20);
  });

  test('a node not on 8.19, or on an 8.19 newer than 8.19.25, is refused: Elastic upgrades to 9.x from 8.19, to a 9.x released after it', () => {
    const run = runSetupScript(files, { '_cluster/health': '200 {}', '_migration/deprecations': deprecations('warning'), '_nodes': nodes('8.19.25', '8.18.4', '8.19.25') });
    expect(run.code).toBe(1);
    expect(run.output).toContain('a node runs 8.18.4, not 8.19: upgrade every node to 8.19.25 first');
    // An 8.19 released after the 9.x this release deploys could not upgrade to it.
    const newer = runSetupScript(files, { '_cluster/health': '200 {}', '_migration/deprecations': deprecations('warning'), '_nodes': nodes('8.19.26', '8.19.26', '8.19.26') });
    expect(newer.code).toBe(1);
    expect(newer.output).toContain('a node runs 8.19.26, released after the 9.x this release deploys');
  });

  test('off by default, and refused on a 9.x cluster', () => {
    expect(jobFiles(Testing.synth(stackOf()), 'elasticsearch-setup-')['run.sh']).not.toContain('_migration/deprecations');
    expect(() => stackOf({ upgradeCheck: true })).toThrow(/upgradeCheck is for the upgrade from 8.19 to 9.x, and the cluster is on 9.5.7 already: turn it off/);
  });
});
