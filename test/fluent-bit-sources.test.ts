import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { fluentBitYaml, testChart } from './helpers/chart';
import { esDocument, outputsFor, parseJson, route, runFilters } from './helpers/fluent-bit-model';
import { undocumented } from './helpers/fluent-bit-params';
import { unfilledPanelFields } from './helpers/panel-fill';
import { FALCO_ECS_EXPECTED, ecsDifferences, falcoPipeline } from './helpers/falco-ecs';
import { KUBEARMOR_ECS_EXPECTED } from './helpers/kubearmor-ecs';
import { AUDIT_ECS_EXPECTED } from './helpers/audit-ecs';
import { runPipeline } from './helpers/ingest-model';
import {
  BuiltInSavedObjects, ElasticsearchCluster, ElasticsearchSetup, FALCO_PRIORITY_NAMES, FalcoDaemonSet, FluentBitDaemonSet, FluentBitPluginKind, FluentdDaemonSet, KibanaDataView, KubeApiServerAudit, KubeArmorRelayCollector, KubernetesAuditLogs, LogAgent, SecurityIndexTemplates, SecurityLoggingChart,
} from '../src';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf-8').split('\n').filter(Boolean);

function stack() {
  const chart = testChart();
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
  const fluentBit = new FluentBitDaemonSet(chart, 'FluentBit', { elasticsearch });
  const falco = new FalcoDaemonSet(chart, 'Falco', { agent: fluentBit });
  const setup = new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
  return { chart, fluentBit, falco, setup };
}

describe('Falco alerts through the Fluent Bit route', () => {
  const { chart, fluentBit, falco, setup } = stack();
  const config = fluentBit.config;
  const output = config.pluginsOf(FluentBitPluginKind.OUTPUT).find((o) => o.properties.alias === 'out_es_falco');
  if (!output) throw new Error('no Falco output');
  // Falco 0.44 alerts (rules 5.x, the suggested fields appended), then the older layouts.
  const lines = [...fixture('falco-alerts-0.44.jsonl'), ...fixture('falco-events-legacy.jsonl')];
  /** A line as the tail input's cri multiline parser hands it on. */
  const run = (log: string, stream = 'stdout') => {
    const event = runFilters(config, 'falco.alerts', { time: '2024-01-01T00:00:00.000000000Z', record: { time: '2024-01-01T00:00:00.000000000Z', stream, _p: 'F', log } });
    return event && { time: event.time, doc: esDocument(output, event.record) };
  };

  test('its own tail input on Falco\'s files, which leave the generic container input', () => {
    const yml = fluentBitYaml(chart);
    const inputs = Object.fromEntries(yml.pipeline.inputs.map((i: any) => [i.alias, i]));
    expect(inputs.in_tail_falco).toMatchObject({ 'name': 'tail', 'tag': 'falco.alerts', 'path': falco.logGlob, 'multiline.parser': 'cri', 'storage.type': 'filesystem' });
    expect(inputs.in_tail_containers.exclude_path).toBe(`/var/log/containers/fluent-bit-*_logging_*.log,${falco.logGlob}`);
    expect(yml.parsers).toEqual([{ name: 'falco_event', format: 'json', time_key: 'time', time_format: '%Y-%m-%dT%H:%M:%S.%L%z', time_keep: 'on' }]);
    expect(output?.properties).toMatchObject({ index: 'seclog-falco', match: 'falco.alerts', replace_dots: true });
    expect(fluentBit.writtenIndexFamilies()).toEqual(['seclog-containers', 'seclog-falco']);
    expect(undocumented(config)).toEqual([]);
  });

  /** A line as Elasticsearch indexes it: shipped by Fluent Bit (its time as @timestamp), then through the family's pipeline. */
  const indexed = (log: string) => {
    const shipped = run(log);
    if (!shipped) throw new Error(`not shipped: ${log}`);
    return runPipeline(falcoPipeline(setup), { ...shipped.doc, '@timestamp': shipped.time });
  };

  test('every sample alert keeps Falco\'s time, and has the same ECS fields as through Fluentd', () => {
    expect(lines).toHaveLength(FALCO_ECS_EXPECTED.length);
    for (const [i, r] of lines.map((l) => run(l)).entries()) expect(r?.time).toBe(JSON.parse(lines[i]).time);
    expect(lines.map((l, i) => ecsDifferences(indexed(l), FALCO_ECS_EXPECTED[i]))).toEqual(FALCO_ECS_EXPECTED.map(() => []));
    // Each priority gets its severity, Emergency 7 to Debug 0 (Elastic's falco integration).
    expect(FALCO_PRIORITY_NAMES.map((p) => indexed(JSON.stringify({ time: '2024-01-01T00:00:00.1Z', priority: p, output_fields: {} })).event.severity))
      .toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
  });

  test('output_fields keep every value under de-dotted names', () => {
    for (const line of lines) {
      const source = JSON.parse(line);
      const doc = run(line)?.doc ?? {};
      expect(Object.keys(doc.output_fields).sort()).toEqual(Object.keys(source.output_fields).map((k) => k.replace(/\./g, '_')).sort());
      for (const key of Object.keys(source.output_fields)) expect(doc.output_fields[key.replace(/\./g, '_')]).toEqual(source.output_fields[key]);
      // Nothing of the CRI line is left: the document is the alert.
      expect(doc.log).toBeUndefined();
      expect(doc._p).toBeUndefined();
    }
  });

  test('every panel of the Falco dashboard shows something for the 0.44 alerts shipped by Fluent Bit', () => {
    const docs = lines.slice(0, 6).map(indexed);
    const dashboard = BuiltInSavedObjects.falcoDashboard(new KibanaDataView({
      id: 'falco', name: 'Falco', template: SecurityIndexTemplates.of([{ family: 'seclog-falco', fields: SecurityIndexTemplates.FALCO_ALERT_FIELDS, retentionDays: 90 }])[0],
    }));
    expect(unfilledPanelFields(dashboard, docs)).toEqual([]);
  });

  test('Falco\'s stderr and non-JSON lines are not indexed', () => {
    expect(run(lines[0], 'stderr')).toBeUndefined();
    expect(run('Thu Jan  1 00:00:00 2024: Falco initialized with configuration file /etc/falco/falco.yaml')).toBeUndefined();
  });

  test('one agent per Falco: fluentd and fluentBit together are refused', () => {
    const chart2 = testChart();
    const elasticsearch = new ElasticsearchCluster(chart2, 'Elasticsearch', { replicas: 1 });
    const fluentd = new FluentdDaemonSet(chart2, 'Fluentd', { elasticsearch });
    const fb = new FluentBitDaemonSet(chart2, 'FluentBit', { elasticsearch });
    expect(() => new FalcoDaemonSet(chart2, 'Falco', { fluentd, fluentBit: fb } as any)).toThrow(/falco fluentd was replaced by agent/);
  });
});

describe('KubeArmor events through the Fluent Bit route', () => {
  const chart = testChart();
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
  const fluentBit = new FluentBitDaemonSet(chart, 'FluentBit', { elasticsearch });
  const collector = new KubeArmorRelayCollector(chart, 'KubeArmor', { agent: fluentBit });
  const setup = new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
  const config = fluentBit.config;
  const CRI_TIME = 'cri-line-time';
  const run = (log: string, stream = 'stdout') => {
    const routed = route(config, 'kubearmor.relay', { time: CRI_TIME, record: { time: CRI_TIME, stream, _p: 'F', log } });
    if (!routed) return undefined;
    const outputs = outputsFor(config, routed.tag);
    expect(outputs).toHaveLength(1);
    return { index: outputs[0].properties.index, time: routed.event.time, doc: esDocument(outputs[0], routed.event.record) };
  };

  test('its own tail input on the relay\'s files; three families, registered for the agent\'s user', () => {
    const inputs = config.pluginsOf(FluentBitPluginKind.INPUT).map((i) => [i.properties.alias, i.properties.path]);
    expect(inputs).toContainEqual(['in_tail_kubearmor', collector.relayLogGlob]);
    expect(fluentBit.writtenIndexFamilies()).toEqual(['seclog-containers', 'seclog-kubearmor-alerts', 'seclog-kubearmor-messages', 'seclog-kubearmor-logs']);
    expect(undocumented(config)).toEqual([]);
  });

  test('every sample, shipped by Fluent Bit and run through its family\'s ingest pipeline, has the same ECS fields as through Fluentd', () => {
    const lines = [...fixture('kubearmor-alerts.jsonl'), ...fixture('kubearmor-logs.jsonl'), ...fixture('kubearmor-alerts-saas-variant.jsonl')];
    const docs = lines.map((line) => {
      const out = run(line);
      const pipeline = setup.templates.find((t) => t.name === out?.index)?.pipeline;
      if (!out || !pipeline) throw new Error(`not shipped: ${line}`);
      return runPipeline(pipeline.toJson() as any, { ...out.doc, '@timestamp': '2026-01-01T00:00:00.000000000Z' });
    });
    expect(docs.map((d, i) => ecsDifferences(d, KUBEARMOR_ECS_EXPECTED[i]))).toEqual(KUBEARMOR_ECS_EXPECTED.map(() => []));
  });

  test('every sample alert reaches the alerts family with UpdatedTime as its time', () => {
    const alerts = fixture('kubearmor-alerts.jsonl');
    for (const [i, line] of alerts.entries()) {
      const source = JSON.parse(line);
      const out = run(line);
      expect({ i, index: out?.index }).toEqual({ i, index: 'seclog-kubearmor-alerts' });
      // As through the Fluentd route: UpdatedTime, else (no Timestamp either in these samples) kubelet's time.
      expect({ i, time: out?.time }).toEqual({ i, time: source.UpdatedTime ?? CRI_TIME });
      expect(out?.doc.Severity).toBe(source.Severity);
    }
  });

  test('every sample log reaches the logs family; the SaaS variant\'s alerts the alerts family', () => {
    for (const [i, line] of fixture('kubearmor-logs.jsonl').entries()) expect({ i, index: run(line)?.index }).toEqual({ i, index: 'seclog-kubearmor-logs' });
    const saas = fixture('kubearmor-alerts-saas-variant.jsonl').map((l) => run(l));
    expect(saas.map((o) => [o?.index, o?.doc.Severity])).toEqual([['seclog-kubearmor-alerts', ''], ['seclog-kubearmor-alerts', '1']]);
  });

  test('messages (Level) reach the messages family; stderr and non-JSON lines are not indexed', () => {
    expect(run(JSON.stringify({ Timestamp: 1, UpdatedTime: '2024-01-01T00:00:00.000001Z', Level: 'INFO', Message: 'started' }))?.index).toBe('seclog-kubearmor-messages');
    expect(run(fixture('kubearmor-alerts.jsonl')[0], 'stderr')).toBeUndefined();
    expect(run('2024/01/01 relay started')).toBeUndefined();
  });
});

describe('Kubernetes audit events through the Fluent Bit route', () => {
  const chart = testChart();
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
  const fluentBit = new FluentBitDaemonSet(chart, 'FluentBit', { elasticsearch });
  const audit = new KubeApiServerAudit();
  new KubernetesAuditLogs(chart, 'AuditLogs', { agent: fluentBit, audit });
  const setup = new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
  const config = fluentBit.config;
  const input = config.pluginsOf(FluentBitPluginKind.INPUT).find((i) => i.properties.alias === 'in_tail_audit');
  const events = [...fixture('k8s-audit-events.jsonl'), ...fixture('k8s-audit-events-legacy-v1beta1.jsonl')];
  const READ_TIME = 'read-time';

  test('tails the file the API server flags write, parses each line with stageTimestamp as the time', () => {
    expect(input?.properties).toMatchObject({ path: audit.logPath, tag: 'audit', parser: 'audit_event', buffer_max_size: 4194304, skip_long_lines: true });
    expect(config.parserList.find((p) => p.name === 'audit_event')?.properties).toEqual({
      format: 'json', time_key: 'stageTimestamp', time_format: '%Y-%m-%dT%H:%M:%S.%L%z', time_keep: true,
    });
    expect(fluentBit.writtenIndexFamilies()).toEqual(['seclog-containers', 'seclog-audit']);
    expect(undocumented(config)).toEqual([]);
    expect(() => new KubernetesAuditLogs(chart, 'AuditLogs2', { agent: fluentBit, audit, indexName: 'seclog-audit2' })).toThrow(/fluent bit host file source audit was added twice/);
  });

  test('every sample event, v1 and v1beta1, to the family\'s stream with its stageTimestamp and its keys as they are', () => {
    expect(events).toHaveLength(10);
    for (const [i, line] of events.entries()) {
      const source = JSON.parse(line);
      const parsed = parseJson(config, String(input?.properties.parser), line, READ_TIME);
      const outputs = outputsFor(config, String(input?.properties.tag));
      expect(outputs.map((o) => o.properties.index)).toEqual(['seclog-audit']);
      // As through the Fluentd route: stageTimestamp when the event has one.
      expect({ i, time: parsed?.time }).toEqual({ i, time: source.stageTimestamp ?? READ_TIME });
      const doc = esDocument(outputs[0], parsed?.record ?? {});
      expect(doc.objectRef?.namespace).toEqual(source.objectRef?.namespace);
      // Dotted keys stay (user.extra's authentication.kubernetes.io/pod-name is queried so).
      expect(doc.annotations).toEqual(source.annotations);
    }
  });

  test('every sample, shipped by Fluent Bit and run through the family\'s ingest pipeline, has its ECS fields', () => {
    const pipeline = setup.templates.find((t) => t.name === 'seclog-audit')?.pipeline?.toJson() as any;
    const docs = events.map((line) => {
      const parsed = parseJson(config, String(input?.properties.parser), line, READ_TIME);
      const doc = esDocument(outputsFor(config, 'audit')[0], parsed?.record ?? {});
      return runPipeline(pipeline, { ...doc, '@timestamp': '2026-01-01T00:00:00.000000000Z' });
    });
    expect(docs.map((d, i) => ecsDifferences(d, AUDIT_ECS_EXPECTED[i]))).toEqual(AUDIT_ECS_EXPECTED.map(() => []));
  });
});

test('golden: the whole Fluent Bit configuration of the stack with every source and the syslog input', () => {
  const chart = new SecurityLoggingChart(Testing.app(), 'stack', { agent: LogAgent.FLUENT_BIT, nodeSyslog: {} });
  const config = (chart.fluentBit as FluentBitDaemonSet).config;
  expect(config.render()).toBe(fs.readFileSync(path.join(__dirname, 'fixtures', 'fluent-bit-stack.yaml'), 'utf-8'));
  expect(undocumented(config)).toEqual([]);
  // Every parser a plugin names is defined, or is one of the image's stock parsers.
  const defined = config.parserList.map((p) => p.name);
  const named = [...config.pluginsOf(FluentBitPluginKind.INPUT), ...config.pluginsOf(FluentBitPluginKind.FILTER)]
    .map((p) => p.properties.parser).filter((p): p is string => typeof p === 'string');
  expect(named.filter((p) => !defined.includes(p))).toEqual(['syslog-rfc3164']);
  expect(config.serviceProperties.parsers_file).toBe('/fluent-bit/etc/parsers.conf');
});
