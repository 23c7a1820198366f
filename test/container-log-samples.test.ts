import * as fs from 'fs';
import * as path from 'path';
import { ContainerLogFormat, ElasticsearchCluster, FluentdDaemonSet, FluentdSection, IndexFamilyKind } from '../src';
import { FAMILY_KINDS, SourceNormalization, familyPipeline } from '../src/elasticsearch/security-index-templates';
import { runPipeline } from './helpers/ingest-model';
import { testChart } from './helpers/chart';
import { allSections, parsesTime, strptimeRegexp } from './helpers/fluentd-model';

/**
 * Real CRI lines (shared/samples, fluent-bit's multiline test) run through a model of
 * the two plugins our CRI pipeline configures: fluent-plugin-parser-cri (split on the
 * first three spaces) and fluent-plugin-concat in partial_cri mode (buffer per
 * stream_identity_key value until an `F` logtag, join with `separator`). The settings
 * come from the rendered config, so changing them there changes what this checks.
 */
function renderedConcatSettings(): { [key: string]: string } {
  const chart = testChart();
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
  const conf = new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch }).config.render();
  const block = /@type concat\n([\s\S]*?)<\/filter>/.exec(conf)?.[1] ?? '';
  return Object.fromEntries(block.trim().split('\n').map((l) => {
    const [key, ...rest] = l.trim().split(' ');
    return [key, rest.join(' ').replace(/^'(.*)'$/, '$1')];
  }));
}

function parseCri(line: string) {
  const [time, stream, logtag, message] = [...line.split(' ', 3), line.split(' ').slice(3).join(' ')];
  return { time, stream, logtag, message };
}

function concat(records: ReturnType<typeof parseCri>[], settings: { [key: string]: string }) {
  const identityKey = settings.stream_identity_key as 'stream' | undefined;
  const buffers = new Map<string, string[]>();
  const out: { stream?: string; message: string }[] = [];
  for (const record of records) {
    const identity = identityKey ? record[identityKey] : 'default';
    const pieces = [...(buffers.get(identity) ?? []), record[settings.key as 'message']];
    if (record[settings.partial_cri_logtag_key as 'logtag'] === 'F') {
      // concat emits the joined record after deleting partial_cri_stream_key from it.
      const emitted = Object.fromEntries(Object.entries({ ...record, message: pieces.join(settings.separator) })
        .filter(([key]) => key !== settings.partial_cri_stream_key));
      out.push({ stream: emitted.stream, message: emitted.message });
      buffers.delete(identity);
    } else {
      buffers.set(identity, pieces);
    }
  }
  return out;
}

describe('CRI samples through the configured parse and join', () => {
  const lines = fs.readFileSync(path.join(__dirname, 'fixtures', 'container-logs-cri.log'), 'utf-8').split('\n').filter(Boolean);
  const settings = renderedConcatSettings();

  test('the rendered concat settings are the ones this model reads', () => {
    expect(settings).toMatchObject({ key: 'message', use_partial_cri_logtag: 'true', partial_cri_logtag_key: 'logtag', separator: '' });
    expect(settings.partial_cri_stream_key).toBeDefined();
  });

  // One container writes both streams into one file in time order: the sample's
  // stdout and stderr pieces interleave there.
  const interleaved = lines.slice(2, 18).map(parseCri).map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.time.localeCompare(b.r.time) || a.i - b.i).map(({ r }) => r);

  test('the sample interleaves when ordered by time', () => {
    expect(interleaved.slice(0, 2).map((r) => r.stream)).toEqual(['stdout', 'stderr']);
  });

  test('interleaved stdout/stderr partial lines reassemble as kubelet wrote them (fluent-bit cri_output[])', () => {
    const joined = concat(interleaved, settings);
    expect(joined.slice(0, 4)).toEqual([
      { stream: 'stdout', message: '1a. some multiline log' },
      { stream: 'stderr', message: '1b. some multiline log' },
      { stream: 'stdout', message: '2a. another multiline log' },
      { stream: 'stderr', message: '2b. another multiline log' },
    ]);
    expect(joined).toHaveLength(8);
  });

  test('with the plugin default partial_cri_stream_key (stream) every line would lose its stream', () => {
    const lost = concat(interleaved, { ...settings, partial_cri_stream_key: 'stream' });
    expect(lost.every((r) => r.stream === undefined)).toBe(true);
  });

  test('without stream_identity_key the same lines would be garbled', () => {
    const garbled = concat(interleaved, { ...settings, stream_identity_key: '' });
    expect(garbled[0].message).toBe('1a. some 1b. some multiline multiline log');
  });

  test('every sample line has the four CRI fields parser-cri splits on', () => {
    for (const line of lines) {
      const record = parseCri(line);
      expect(['stdout', 'stderr']).toContain(record.stream);
      expect(['P', 'F']).toContain(record.logtag);
      expect(Number.isNaN(Date.parse(record.time))).toBe(false);
    }
  });
});

describe('the CRI samples, joined as configured, come out of the containers pipeline in ECS for either agent', () => {
  const settings = renderedConcatSettings();
  const lines = fs.readFileSync(path.join(__dirname, 'fixtures', 'container-logs-cri.log'), 'utf-8').split('\n').filter((l) => l.trim() !== '');
  const joined = concat(lines.map(parseCri), settings);
  const pipeline = familyPipeline('seclog-containers', FAMILY_KINDS[IndexFamilyKind.CONTAINERS].normalization as SourceNormalization).toJson() as any;
  // The metadata each agent's filter adds for a file /var/log/containers/web-7d4b9_shop_app-4e6de1a83332.log
  // (fluent-plugin-kubernetes_metadata_filter; Fluent Bit's kubernetes filter names the container id and image hash otherwise).
  const metadata = {
    fluentd: { docker: { container_id: '4e6de1a83332' }, kubernetes: { pod_name: 'web-7d4b9', namespace_name: 'shop', container_name: 'app', host: 'worker-1', container_image: 'registry.example.com/shop/web:2.4.1' } },
    fluentBit: { kubernetes: { pod_name: 'web-7d4b9', namespace_name: 'shop', container_name: 'app', host: 'worker-1', docker_id: '4e6de1a83332', container_image: 'registry.example.com/shop/web:2.4.1' } },
  };

  test.each(Object.keys(metadata))('%s', (agent) => {
    expect(joined.length).toBeGreaterThan(8);
    for (const record of joined) {
      const doc = runPipeline(pipeline, { '@timestamp': '2026-07-29T15:10:00.000000000Z', ...record, ...(metadata as any)[agent], orchestrator_cluster_name: 'prod-eu-1', _index: 'seclog-containers' });
      expect({
        'message': doc.message, 'stream': doc.stream, 'kubernetes.pod.name': doc.kubernetes.pod.name, 'kubernetes.namespace': doc.kubernetes.namespace,
        'kubernetes.container.name': doc.kubernetes.container.name, 'kubernetes.node.name': doc.kubernetes.node.name, 'container.id': doc.container.id,
        'container.image.name': doc.container.image.name, 'orchestrator.resource.type': doc.orchestrator.resource.type, 'orchestrator.cluster.name': doc.orchestrator.cluster.name,
        'event.dataset': doc.event.dataset, 'host.name': doc.host.name,
      }).toEqual({
        'message': record.message, 'stream': record.stream, 'kubernetes.pod.name': 'web-7d4b9', 'kubernetes.namespace': 'shop', 'kubernetes.container.name': 'app',
        'kubernetes.node.name': 'worker-1', 'container.id': '4e6de1a83332', 'container.image.name': 'registry.example.com/shop/web:2.4.1', 'orchestrator.resource.type': 'pod',
        'orchestrator.cluster.name': 'prod-eu-1', 'event.dataset': 'kubernetes.container_logs', 'host.name': 'worker-1',
      });
      expect(doc.tags ?? []).not.toContain('pipeline_error');
    }
  });
});

describe('the time of every container log line parses, an exact second too', () => {
  // Go's RFC3339Nano (containerd, CRI-O, Docker's json-file) drops trailing zeros of the
  // fraction, and the fraction itself at an exact second: https://pkg.go.dev/time#pkg-constants
  const times = ['2024-05-01T10:00:09.123456789Z', '2024-05-01T10:00:09.1Z', '2024-05-01T10:00:09Z', '2016-10-06T00:17:09.669794202+00:00', '2016-10-06T00:17:09+02:00'];
  test.each([['CRI', ContainerLogFormat.CRI], ['Docker json-file', ContainerLogFormat.DOCKER_JSON]])('%s', (_name, containerLogFormat) => {
    const chart = testChart();
    const fluentd = new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch: new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 }), containerLogFormat });
    const parse = allSections(fluentd.config.all).find((s) => s.name === 'parse' && ['cri', 'json'].includes(s.type ?? '') && s.params.time_type) as FluentdSection;
    const utcOnly = containerLogFormat === ContainerLogFormat.DOCKER_JSON; // Docker writes UTC
    for (const time of times.filter((t) => !utcOnly || t.endsWith('Z'))) expect({ time, parses: parsesTime(parse, time) }).toEqual({ time, parses: true });
    // The first format alone (fast strptime) cannot read an exact second: the fallback can.
    expect(strptimeRegexp(parse.params.time_format).test('2024-05-01T10:00:09Z')).toBe(false);
    // The sample lines too.
    for (const line of lines(containerLogFormat)) expect({ line, parses: parsesTime(parse, line) }).toEqual({ line, parses: true });
  });

  function lines(format: ContainerLogFormat): string[] {
    const file = format === ContainerLogFormat.CRI ? 'container-logs-cri.log' : 'container-logs-docker.log';
    const text = fs.readFileSync(path.join(__dirname, 'fixtures', file), 'utf-8').split('\n').filter(Boolean);
    if (format === ContainerLogFormat.CRI) return text.map((l) => l.split(' ')[0]);
    return text.flatMap((l) => { try { return [JSON.parse(l).time]; } catch { return []; } });
  }
});
