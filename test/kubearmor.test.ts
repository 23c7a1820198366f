import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { testChart } from './helpers/chart';
import { allSections, fluentdRegexp, rewriteTag, strptimeRegexp } from './helpers/fluentd-model';
import { ecsDifferences } from './helpers/falco-ecs';
import { runPipeline, simulate } from './helpers/ingest-model';
import { KUBEARMOR_ECS_EXPECTED } from './helpers/kubearmor-ecs';
import { ecsTable, markedBlock } from './helpers/ecs-table';
import { unfilledPanelFields } from './helpers/panel-fill';
import { BuiltInSavedObjects, ElasticsearchCluster, ElasticsearchSetup, FluentBitDaemonSet, FluentdDaemonSet, FluentdSection, KibanaDataView, KubeArmorRelayCollector } from '../src';
import { dedotKeys } from './helpers/dedot';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf-8').split('\n').filter(Boolean);

function stack(props: any = {}) {
  const chart = testChart();
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
  const fluentd = new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch });
  const collector = new KubeArmorRelayCollector(chart, 'KubeArmor', { agent: fluentd, ...props });
  const setup = new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
  return { chart, fluentd, collector, setup };
}

/**
 * The KubeArmor route as rendered, run on a relay stdout line: grep, JSON parse
 * (with its `types`), the time choice and the rewrite rules all come from the
 * rendered sections.
 */
function route(sections: FluentdSection[], line: { stream: string; message: string }) {
  const byId = (id: string) => {
    const found = sections.find((s) => s.params['@id'] === id);
    if (!found) throw new Error(`no section ${id}`);
    return found;
  };
  for (const rule of byId('kubearmor_stdout_json_only').sections) {
    if (!fluentdRegexp(rule.params.pattern).test((line as any)[rule.params.key])) return { dropped: 'grep' };
  }
  // filter_parser: the parsed record replaces the line (reserve_data false); the time is
  // the parsed one unless reserve_time, or when the parser found none (then the line's).
  let time = CRI_TIME;
  const parser = byId('kubearmor_parse_event');
  const parse = parser.sections[0].params;
  expect(parser.params.reserve_data).toBe(false);
  const record = JSON.parse(line.message);
  if (record[parse.time_key] !== undefined && !parser.params.reserve_time) {
    expect(parse.time_type).toBe('unixtime');
    time = `unix:${record[parse.time_key]}`;
  } else if (record[parse.time_key] === undefined) {
    expect(parse.estimate_current_event).toBe(false); // otherwise "now", not the line's time
  }
  const updated = byId('kubearmor_updated_time');
  const expression = fluentdRegexp(updated.sections[0].params.expression);
  const value = record[updated.params.key_name];
  const found = value === undefined ? null : expression.exec(value);
  if (found?.groups && !updated.params.reserve_time) {
    const raw = found.groups[updated.sections[0].params.time_key];
    expect(strptimeRegexp(updated.sections[0].params.time_format).test(raw)).toBe(true);
    time = raw;
  }
  const tag = rewriteTag(byId('route_kubearmor_events'), record);
  return { record, time, tag };
}

const cri = (json: string) => ({ stream: 'stdout', message: json });
/** The time kubelet recorded for the line, distinct from any event time. */
const CRI_TIME = 'cri-line-time';

describe('KubeArmorRelayCollector', () => {
  const { chart, fluentd, collector, setup } = stack();
  const sections = allSections(fluentd.config.all);
  const conf = fluentd.config.render();
  const pipelineOf = (family: string) => {
    const pipeline = setup.templates.find((t) => t.name === family)?.pipeline;
    if (!pipeline) throw new Error(`no pipeline for ${family}`);
    return pipeline.toJson() as any;
  };
  /** A relay line as Fluentd ships it (the route's record, de-dotted, with the tag); @timestamp is the pipeline's to set. */
  const shippedDoc = (line: string) => {
    const out = route(sections, cri(line));
    if (!('record' in out)) throw new Error(`dropped: ${line}`);
    return { ...dedotKeys(out.record), '@timestamp': '2026-01-01T00:00:00.000000000Z', 'tag': out.tag as string };
  };
  /** A relay line as Elasticsearch indexes it: shipped, then through its family's pipeline. */
  const indexed = (line: string) => {
    const doc = shippedDoc(line);
    return runPipeline(pipelineOf(doc.tag.replace(/^kubearmor\./, '')), doc);
  };

  test('tails the relay container\'s files, and only those leave the generic container route', () => {
    expect(collector.relayLogGlob).toBe('/var/log/containers/kubearmor-relay-*_kubearmor_kubearmor-relay-server-*.log');
    expect(conf).toContain(`path ${collector.relayLogGlob}\n`);
    const containers = sections.find((s) => s.params['@id'] === 'in_tail_containers');
    expect(containers?.params.exclude_path).toContain(collector.relayLogGlob);
  });

  test('every sample alert reaches the alerts family, with UpdatedTime (or Timestamp) as its time', () => {
    const alerts = fixture('kubearmor-alerts.jsonl');
    expect(alerts).toHaveLength(13);
    for (const [i, line] of alerts.entries()) {
      const out = route(sections, cri(line));
      const source = JSON.parse(line);
      expect({ i, tag: out.tag }).toEqual({ i, tag: 'kubearmor.seclog-kubearmor-alerts' });
      if (source.UpdatedTime) expect(out.time).toBe(source.UpdatedTime);
      else if (source.Timestamp) expect(out.time).toBe(`unix:${source.Timestamp}`);
      else expect(out.time).toBe(CRI_TIME); // docs samples 4, 5 carry neither: kubelet's time stays
      expect(out.record.Severity).toBe(source.Severity);
    }
  });

  test('every sample log reaches the logs family', () => {
    const logs = fixture('kubearmor-logs.jsonl');
    expect(logs).toHaveLength(9);
    for (const [i, line] of logs.entries()) expect({ i, tag: route(sections, cri(line)).tag }).toEqual({ i, tag: 'kubearmor.seclog-kubearmor-logs' });
  });

  test('the SaaS export variant (alphabetical keys, nulls, empty strings) is routed by its PolicyName and Action', () => {
    const out = fixture('kubearmor-alerts-saas-variant.jsonl').map((line) => route(sections, cri(line)));
    expect(out.map((o) => o.tag)).toEqual(['kubearmor.seclog-kubearmor-alerts', 'kubearmor.seclog-kubearmor-alerts']);
    expect(out.some((o) => o.record.Severity === '')).toBe(true);
  });

  test('every Type and Operation value is accepted', () => {
    const base = JSON.parse(fixture('kubearmor-alerts.jsonl')[0]);
    for (const type of ['MatchedPolicy', 'MatchedHostPolicy', 'MatchedNetworkPolicy', 'DefaultPosture', 'MatchedNativePolicy']) {
      for (const operation of ['Process', 'File', 'Network', 'Capabilities', 'Syscall']) {
        expect(route(sections, cri(JSON.stringify({ ...base, Type: type, Operation: operation }))).tag).toBe('kubearmor.seclog-kubearmor-alerts');
      }
    }
    // DefaultPosture alerts carry no Severity (the relay omits the empty string): no number either.
    const posture = { ...base, PolicyName: 'DefaultPosture', Type: 'MatchedPolicy' };
    delete posture.Severity;
    expect(indexed(JSON.stringify(posture)).event.severity).toBeUndefined();
    expect(indexed(JSON.stringify({ ...base, Severity: '' })).event.severity).toBeUndefined();
  });

  test('every sample, shipped by Fluentd and run through the family\'s ingest pipeline, has its ECS fields', () => {
    const lines = [...fixture('kubearmor-alerts.jsonl'), ...fixture('kubearmor-logs.jsonl'), ...fixture('kubearmor-alerts-saas-variant.jsonl')];
    expect(lines).toHaveLength(KUBEARMOR_ECS_EXPECTED.length);
    const docs = lines.map(indexed);
    expect(docs.map((d, i) => ecsDifferences(d, KUBEARMOR_ECS_EXPECTED[i]))).toEqual(KUBEARMOR_ECS_EXPECTED.map(() => []));
    for (const d of docs) expect(d.tags ?? []).not.toContain('pipeline_error');
    // KubeArmor's own fields are kept under kubearmor.*.
    expect(docs[0].kubearmor).toMatchObject({ Type: 'MatchedPolicy', Operation: 'Process', Severity: '1', Enforcer: 'BPFLSM' });
    expect(docs[0].PolicyName).toBeUndefined();
  });

  test('every panel of the KubeArmor dashboard shows something for the indexed samples', () => {
    const template = setup.templates.find((t) => t.name === 'seclog-kubearmor-alerts');
    if (!template) throw new Error('no KubeArmor template');
    const dashboard = BuiltInSavedObjects.kubeArmorDashboard(new KibanaDataView({ id: 'k', name: 'KubeArmor', template }));
    const alerts = [...fixture('kubearmor-alerts.jsonl'), ...fixture('kubearmor-alerts-saas-variant.jsonl')].map(indexed);
    expect(unfilledPanelFields(dashboard, alerts)).toEqual([]);
  });

  test('the pipeline\'s checks are real events as Fluentd ships them, and pass', () => {
    const pipeline = setup.templates.find((t) => t.name === 'seclog-kubearmor-alerts')?.pipeline;
    if (!pipeline) throw new Error('no KubeArmor pipeline');
    const shipped = shippedDoc(fixture('kubearmor-alerts.jsonl')[0]);
    for (const [key, value] of Object.entries(pipeline.checks[0].document)) {
      // The pipeline sets @timestamp from UpdatedTime, whatever the agent sent.
      if (key !== '@timestamp') expect([key, (shipped as any)[key]]).toEqual([key, value]);
    }
    expect(simulate(pipeline.simulateJson() as any, {}).map((r) => r.error)).toEqual([undefined, undefined]);
  });

  test('the README\'s table of KubeArmor\'s ECS fields is the pipeline\'s, with the template\'s types', () => {
    const template = setup.templates.find((t) => t.name === 'seclog-kubearmor-alerts');
    if (!template) throw new Error('no KubeArmor template');
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');
    expect(markedBlock(readme, 'kubearmor-ecs')).toBe(ecsTable(pipelineOf('seclog-kubearmor-alerts'), template, 'kubearmor.'));
    expect(markedBlock(readme, 'kubearmor-ecs')).not.toContain('UNMAPPED');
  });

  test('KubeArmor\'s own messages (Level) reach the messages family', () => {
    const message = { Timestamp: 1672910974, UpdatedTime: '2023-01-05T09:29:34.451346Z', ClusterName: 'default', HostName: 'node-1', HostIP: '10.0.0.1', Type: 'Message', Level: 'INFO', Message: 'Started to monitor system events' };
    expect(route(sections, cri(JSON.stringify(message))).tag).toBe('kubearmor.seclog-kubearmor-messages');
  });

  test('stderr diagnostics and non-JSON stdout are not indexed', () => {
    expect(route(sections, { stream: 'stderr', message: '{"level":"info","msg":"relay started"}' })).toEqual({ dropped: 'grep' });
    expect(route(sections, { stream: 'stdout', message: 'Starting relay server' })).toEqual({ dropped: 'grep' });
  });

  test('dotted keys inside Labels or Owner are de-dotted before the output, which writes the family from the tag', () => {
    const dedot = conf.indexOf('@id kubearmor_dedot');
    expect(dedot).toBeGreaterThan(conf.indexOf('@id route_kubearmor_events'));
    expect(conf).toMatch(/@id out_es_kubearmor\n[\s\S]*?index_name '\$\{tag\[1\]\}'/);
  });

  test('patches that turn the relay\'s stdout on, with the commands', () => {
    const files = collector.enableStdoutFiles();
    expect(parse(files['kubearmorconfig-stdout-patch.yaml'])).toEqual({ spec: { enableStdOutAlerts: true, enableStdOutLogs: true, enableStdOutMsgs: true } });
    expect(parse(files['relay-deployment-stdout-patch.yaml']).spec.template.spec.containers).toEqual([{
      name: 'kubearmor-relay-server',
      env: [
        { name: 'ENABLE_STDOUT_ALERTS', value: 'true' },
        { name: 'ENABLE_STDOUT_LOGS', value: 'true' },
        { name: 'ENABLE_STDOUT_MSGS', value: 'true' },
      ],
    }]);
    expect(files['README.md']).toContain('kubectl -n kubearmor patch kubearmorconfig kubearmorconfig-default --type merge --patch-file kubearmorconfig-stdout-patch.yaml');
    expect(files['README.md']).toContain('kubectl -n kubearmor patch deployment kubearmor-relay --patch-file relay-deployment-stdout-patch.yaml');
  });

  test('it adds no Kubernetes object of its own', () => {
    const kinds = Testing.synth(chart).map((o) => o.kind);
    expect(kinds).toEqual(Testing.synth(testChartWithoutCollector()).map((o) => o.kind));
  });
});

function testChartWithoutCollector() {
  const chart = testChart();
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
  new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch });
  new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
  return chart;
}

test('custom names and no messages', () => {
  const { fluentd, collector } = stack({
    relayNamespace: 'security', relayDeploymentName: 'relay', relayContainerName: 'relay', kubeArmorConfigName: 'ka',
    indexNames: { alerts: 'ka-alerts', logs: 'ka-logs', messages: 'ka-msgs' }, messages: false,
  });
  expect(collector.relayLogGlob).toBe('/var/log/containers/relay-*_security_relay-*.log');
  expect(collector.stdoutVariables()).toEqual({ ENABLE_STDOUT_ALERTS: 'true', ENABLE_STDOUT_LOGS: 'true', ENABLE_STDOUT_MSGS: 'false' });
  expect(collector.enableStdoutFiles()['README.md']).toContain('kubectl -n security patch kubearmorconfig ka ');
  expect(fluentd.config.render()).toContain('tag kubearmor.ka-alerts\n');
});

describe('KubeArmorRelayCollector fails if', () => {
  test('both agents', () => {
    const chart = testChart();
    const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
    const fluentd = new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch });
    const fluentBit = new FluentBitDaemonSet(chart, 'FluentBit', { elasticsearch });
    expect(() => new KubeArmorRelayCollector(chart, 'KubeArmor', { fluentd, fluentBit } as any)).toThrow(/kubearmor fluentd was replaced by agent/);
  });
  test('no agent', () => {
    expect(() => new KubeArmorRelayCollector(testChart(), 'KubeArmor', {} as any)).toThrow(/kubearmor agent is required/);
  });
  test.each([
    ['an invalid namespace', { relayNamespace: 'Kube_Armor' }, /kubearmor relayNamespace must be a lowercase RFC 1123 label/],
    ['an index name for a data stream', { indexNames: { alerts: 'logs-kubearmor' } }, /kubearmor indexNames.alerts must not be "logs-kubearmor"/],
    ['two kinds in one family', { indexNames: { alerts: 'ka', logs: 'ka' } }, /kubearmor indexNames.logs "ka" overlaps kubearmor indexNames.alerts "ka"/],
    ['a family that is a prefix of another source\'s', { indexNames: { alerts: 'seclog' } }, /kubearmor indexNames.alerts "seclog" overlaps fluentd indexNames.containers "seclog-containers"/],
  ])('%s', (_name, props, message) => {
    expect(() => stack(props)).toThrow(message);
  });
  test('two collectors on one agent', () => {
    const { chart, fluentd } = stack();
    expect(() => new KubeArmorRelayCollector(chart, 'KubeArmor2', { agent: fluentd })).toThrow(/overlaps kubearmor indexNames.alerts/);
    expect(() => new KubeArmorRelayCollector(chart, 'KubeArmor3', {
      agent: fluentd, indexNames: { alerts: 'b-alerts', logs: 'b-logs', messages: 'b-messages' },
    })).toThrow(/@id "in_tail_kubearmor" is used twice/);
  });
});
