import * as fs from 'fs';
import * as path from 'path';
import { Duration, Size } from 'cdk8s';
import {
  AUDIT_EVENT_FIELDS, CONTAINER_LOG_FIELDS, FALCO_ALERT_FIELDS, IlmPolicy, IndexFamilyKind, IndexFieldType, IndexTemplate, KUBEARMOR_EVENT_FIELDS,
  SecurityIndexTemplates,
} from '../src';
import { runPipeline } from './helpers/ingest-model';
import { FAMILY_KINDS, SourceNormalization, familyPipeline } from '../src/elasticsearch/security-index-templates';
import { dedotKeys } from './helpers/dedot';

const samples = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf-8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

/** Every leaf path of a document (arrays of scalars are one field; arrays of objects are walked). */
function leafPaths(doc: any, prefix = ''): string[] {
  if (Array.isArray(doc)) return doc.some((d) => d !== null && typeof d === 'object') ? doc.flatMap((d) => leafPaths(d, prefix)) : [prefix];
  if (doc === null || typeof doc !== 'object') return [prefix];
  return Object.entries(doc).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

function unmapped(template: IndexTemplate, docs: any[]): string[] {
  return [...new Set(docs.flatMap((d) => leafPaths(d)))].filter((p) => template.typeOf(p) === undefined).sort();
}


describe('IlmPolicy', () => {
  test('rollover by age and primary shard size, delete after the retention', () => {
    expect(new IlmPolicy({ name: 'audit-policy', retention: Duration.days(365), rolloverMaxAge: Duration.hours(12), rolloverMaxPrimaryShardSize: Size.gibibytes(30) }).toJson())
      .toEqual({
        policy: {
          phases: {
            hot: { min_age: '0ms', actions: { rollover: { max_age: '12h', max_primary_shard_size: '30gb' } } },
            delete: { min_age: '365d', actions: { delete: {} } },
          },
          _meta: { managed_by: 'cdk8s-security-logging' },
        },
      });
  });

  test.each([
    ['a retention of part of a day', { name: 'p', retention: Duration.hours(36) }, /ilm policy retention must be a whole number of days/],
    ['a retention of more than ten years', { name: 'p', retention: Duration.days(4000) }, /retention \(days\) must be an integer between 1 and 3650/],
    ['an invalid name', { name: 'Audit Policy', retention: Duration.days(1) }, /ilm policy name must be lowercase/],
    ['a rollover size that is not whole GiB', { name: 'p', retention: Duration.days(1), rolloverMaxPrimaryShardSize: Size.mebibytes(1500) }, /whole number of GiB/],
  ])('fails if %s', (_name, props, message) => {
    expect(() => new IlmPolicy(props)).toThrow(message);
  });
});

describe('IndexTemplate', () => {
  const lifecycle = new IlmPolicy({ name: 'x-policy', retention: Duration.days(7) });

  test('golden: a data stream template, nested properties, no dynamic mapping, priority above the built-ins', () => {
    const template = new IndexTemplate({
      name: 'x', indexPatterns: ['x', 'x-*'], lifecycle,
      fields: { '@timestamp': IndexFieldType.DATE_NANOS, 'a.b': IndexFieldType.KEYWORD, 'a.c': IndexFieldType.FLATTENED, 'm': IndexFieldType.TEXT },
    });
    expect(template.toJson()).toEqual({
      index_patterns: ['x', 'x-*'],
      data_stream: {},
      allow_auto_create: true,
      priority: 200,
      template: {
        settings: { 'index.lifecycle.name': 'x-policy', 'index.number_of_shards': 1, 'index.number_of_replicas': 1, 'index.mapping.ignore_malformed': true, 'index.mode': 'standard' },
        mappings: {
          dynamic: false,
          properties: {
            '@timestamp': { type: 'date_nanos' },
            'a': { properties: { b: { type: 'keyword', ignore_above: 1024 }, c: { type: 'flattened', ignore_above: 1024, depth_limit: 100 } } },
            'm': { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } },
          },
        },
      },
      _meta: { managed_by: 'cdk8s-security-logging' },
    });
    expect(template.typeOf('a.c.anything.below')).toBe(IndexFieldType.FLATTENED);
    expect(template.typeOf('a.d')).toBeUndefined();
  });

  test.each([
    ['a field inside another mapped field', { 'a': IndexFieldType.FLATTENED, 'a.b': IndexFieldType.KEYWORD, '@timestamp': IndexFieldType.DATE }, /field "a.b" sits inside "a"/],
    ['a data stream without @timestamp', { a: IndexFieldType.KEYWORD }, /a data stream needs @timestamp/],
    ['a field path with spaces', { 'a b': IndexFieldType.KEYWORD, '@timestamp': IndexFieldType.DATE }, /field path "a b" must be dot-separated names/],
  ])('fails if %s', (_name, fields, message) => {
    expect(() => new IndexTemplate({ name: 'x', indexPatterns: ['x'], lifecycle, fields })).toThrow(message);
  });

  test('fails if a pattern has capitals or the priority would lose to the built-in templates', () => {
    expect(() => new IndexTemplate({ name: 'x', indexPatterns: ['X-*'], lifecycle, fields: { '@timestamp': IndexFieldType.DATE } })).toThrow(/index pattern "X-\*"/);
    expect(() => new IndexTemplate({ name: 'x', indexPatterns: ['x'], lifecycle, priority: 100, fields: { '@timestamp': IndexFieldType.DATE } }))
      .toThrow(/priority must be an integer between 101 and 100000, got 100/);
  });
});

describe('the source mappings cover what the routes index', () => {
  const [containers, falco, kubearmor, audit] = SecurityIndexTemplates.of([
    { family: 'seclog-containers', fields: CONTAINER_LOG_FIELDS, retentionDays: 14 },
    { family: 'seclog-falco', fields: FALCO_ALERT_FIELDS, retentionDays: 90 },
    { family: 'seclog-kubearmor-alerts', fields: KUBEARMOR_EVENT_FIELDS, retentionDays: 90 },
    { family: 'seclog-audit', fields: AUDIT_EVENT_FIELDS, retentionDays: 365 },
  ]);
  const shipped = (doc: any) => ({ '@timestamp': '2026-01-01T00:00:00.000000000Z', 'tag': 't', ...doc });

  test('every Falco sample field, output_fields de-dotted, is mapped once through the family\'s pipeline', () => {
    const pipeline = familyPipeline('seclog-falco', FAMILY_KINDS[IndexFamilyKind.FALCO].normalization as SourceNormalization).toJson() as any;
    const docs = [...samples('falco-alerts-0.44.jsonl'), ...samples('falco-events-legacy.jsonl')].map((e) => runPipeline(pipeline, shipped(dedotKeys(e))));
    expect(unmapped(falco, docs)).toEqual([]);
    expect(falco.typeOf('falco.output_fields.k8s_pod_name')).toBe(IndexFieldType.FLATTENED);
    expect(falco.typeOf('falco.priority')).toBe(IndexFieldType.KEYWORD);
    expect(falco.typeOf('event.severity')).toBe(IndexFieldType.LONG);
  });

  test('every KubeArmor sample field is mapped', () => {
    // The relay's own output (the SaaS export variant carries a vendor's extra keys, which stay in _source).
    const pipeline = familyPipeline('seclog-kubearmor-alerts', FAMILY_KINDS[IndexFamilyKind.KUBEARMOR].normalization as SourceNormalization).toJson() as any;
    const docs = [...samples('kubearmor-alerts.jsonl'), ...samples('kubearmor-logs.jsonl')].map((e) => runPipeline(pipeline, shipped(e)));
    expect(unmapped(kubearmor, docs)).toEqual([]);
    expect(kubearmor.typeOf('kubearmor.PolicyName')).toBe(IndexFieldType.KEYWORD);
  });

  test('every audit sample field is mapped once through the family\'s pipeline, but the bodies\' and v1beta1 metadata (kept in _source, as Elastic\'s integration does)', () => {
    const pipeline = familyPipeline('seclog-audit', FAMILY_KINDS[IndexFamilyKind.AUDIT].normalization as SourceNormalization).toJson() as any;
    const docs = [...samples('k8s-audit-events.jsonl'), ...samples('k8s-audit-events-legacy-v1beta1.jsonl')].map((e) => runPipeline(pipeline, shipped(e)));
    const left = unmapped(audit, docs);
    // Elastic maps no more of the bodies, of v1beta1 metadata or of a Status response's details.
    expect(left.filter((p) => !/^kubernetes\.audit\.(requestObject|responseObject|metadata|responseStatus\.details)\./.test(p))).toEqual([]);
    // What the rules read in a pod creation is mapped, typed.
    expect(left).not.toContain('kubernetes.audit.requestObject.spec.containers.image');
    expect(audit.typeOf('kubernetes.audit.requestObject.spec.hostPID')).toBe(IndexFieldType.BOOLEAN);
  });

  test('a container log event as either agent ships it is mapped once through the family\'s pipeline, with Elastic\'s Kubernetes field names', () => {
    const pipeline = familyPipeline('seclog-containers', FAMILY_KINDS[IndexFamilyKind.CONTAINERS].normalization as SourceNormalization).toJson() as any;
    const doc = shipped({
      stream: 'stdout', message: '{"level":"info"}', payload: { level: 'info', nested: { a: 1 } },
      docker: { container_id: 'abc' },
      kubernetes: {
        container_name: 'app', namespace_name: 'default', pod_name: 'app-1', pod_id: 'uid', pod_ip: '10.0.0.1', host: 'node-1',
        container_image: 'app:1', container_image_id: 'sha', namespace_id: 'uid', labels: { app_kubernetes_io_name: 'app' },
        namespace_labels: { kubernetes_io_metadata_name: 'default' },
      },
    });
    // Fluent Bit's kubernetes filter names the container and image by these.
    const fluentBit = shipped({ stream: 'stderr', message: 'x', kubernetes: { pod_name: 'p', namespace_name: 'n', container_name: 'c', docker_id: 'abc', container_hash: 'sha', host: 'node-2' } });
    const indexed = [doc, fluentBit].map((d) => runPipeline(pipeline, d));
    expect(unmapped(containers, indexed)).toEqual([]);
    expect(indexed.map((d) => [d.kubernetes.pod.name, d.kubernetes.container.name, d.container.id, d.kubernetes.node.name, d.log?.level]))
      .toEqual([['app-1', 'app', 'abc', 'node-1', 'info'], ['p', 'c', 'abc', 'node-2', undefined]]);
  });
});
