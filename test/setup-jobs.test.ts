import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { objectsOf } from './helpers/chart';
import { FalcoPriority, SecurityLoggingChart } from '../src';

const chartOf = (props: any = {}) => new SecurityLoggingChart(Testing.app(), 'stack', props);
const jobNamed = (objects: any[], prefix: string) => objects.find((o) => o.kind === 'Job' && o.metadata.name.startsWith(prefix));
const filesOf = (objects: any[], job: any) => objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === job.spec.template.spec.volumes[0].configMap.name).data;

describe('the setup Jobs of the stack', () => {
  const chart = chartOf();
  const objects = Testing.synth(chart);
  const esJob = jobNamed(objects, 'elasticsearch-setup-');
  const esFiles = filesOf(objects, esJob);
  const kbJob = jobNamed(objects, 'kibana-saved-objects-');
  const kbFiles = filesOf(objects, kbJob);

  test('Elasticsearch: waits for a yellow or green cluster, then puts every policy before the templates that name them', () => {
    const script: string = esFiles['run.sh'];
    expect(script).toContain("'http://elasticsearch.security-logging.svc:9200/_cluster/health?wait_for_status=yellow&timeout=5s'");
    const puts = [...script.matchAll(/^put '([^']+)' '([^']+)'$/gm)].map((m) => [m[1], m[2]]);
    expect(puts.map(([p]) => p)).toEqual([
      '/_ilm/policy/seclog-containers-policy', '/_ilm/policy/seclog-falco-policy', '/_ilm/policy/seclog-kubearmor-alerts-policy',
      '/_ilm/policy/seclog-kubearmor-logs-policy', '/_ilm/policy/seclog-kubearmor-messages-policy', '/_ilm/policy/seclog-audit-policy',
      '/_index_template/seclog-containers', '/_index_template/seclog-falco', '/_index_template/seclog-kubearmor-alerts',
      '/_index_template/seclog-kubearmor-logs', '/_index_template/seclog-kubearmor-messages', '/_index_template/seclog-audit',
    ]);
    for (const [, file] of puts) expect(esFiles[file]).toBeDefined();
    // A failed call fails the attempt (set -e and the status check), so the Job retries.
    expect(script).toMatch(/^set -euo pipefail$/m);
    expect(script).toContain('if [ "$code" -ge 300 ]');
  });

  test('each template is the chart\'s own, for a data stream the agent writes', () => {
    const template = JSON.parse(esFiles['template-seclog-falco.json']);
    expect(template).toMatchObject({ index_patterns: ['seclog-falco', 'seclog-falco-*'], data_stream: {}, allow_auto_create: true, priority: 200 });
    expect(template.template.settings['index.lifecycle.name']).toBe('seclog-falco-policy');
    expect(template.template.mappings.properties.priority).toEqual({ type: 'keyword', ignore_above: 1024 });
    const conf = chart.fluentd.config.render();
    for (const stream of ['seclog-containers', 'seclog-falco']) expect(conf).toContain(`index_name ${stream}\n`);
    expect(conf).toContain("index_name 'seclog-audit-${tag[1]}'");
  });

  test('retention per source: containers 14 days, Falco and KubeArmor 90, audit 365', () => {
    const days = (name: string) => JSON.parse(esFiles[`policy-${name}-policy.json`]).policy.phases.delete.min_age;
    expect(['seclog-containers', 'seclog-falco', 'seclog-kubearmor-alerts', 'seclog-audit'].map(days)).toEqual(['14d', '90d', '90d', '365d']);
  });

  /** Elasticsearch's reading of action.auto_create_index: the first matching pattern decides. */
  const autoCreates = (setting: string, index: string) => {
    for (const pattern of setting.split(',')) {
      const re = new RegExp('^' + pattern.slice(1).replace(/[.]/g, '\\.').replace(/\*/g, '.*') + '$');
      if (re.test(index)) return pattern.startsWith('+');
    }
    return false;
  };
  const settingOf = (objs: any[]) => parse(objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'elasticsearch-config').data['elasticsearch.yml'])['action.auto_create_index'];

  test('no stream of the families is created before its template: auto-creation is refused for every one', () => {
    const setting = settingOf(objects);
    expect(setting).toBe('-seclog-*,+*');
    for (const family of Object.keys(chart.indexTemplates)) {
      expect({ family, allowed: autoCreates(setting, family) || autoCreates(setting, `${family}-default`) }).toEqual({ family, allowed: false });
    }
    expect(autoCreates(setting, 'my-app-logs')).toBe(true);
  });

  test('families named outside the prefix are refused too', () => {
    const custom = chartOf({ falco: { indexName: 'runtime-alerts' }, kubeArmor: { indexNames: { alerts: 'ka-alerts', logs: 'ka-logs', messages: 'ka-messages' } } });
    const setting = settingOf(Testing.synth(custom));
    for (const family of Object.keys(custom.indexTemplates)) expect({ family, allowed: autoCreates(setting, family) }).toEqual({ family, allowed: false });
  });

  test('rollover: daily for container logs, weekly for Falco and KubeArmor, monthly for audit (its streams are per namespace)', () => {
    const age = (name: string) => JSON.parse(esFiles[`policy-${name}-policy.json`]).policy.phases.hot.actions.rollover.max_age;
    expect(['seclog-containers', 'seclog-falco', 'seclog-kubearmor-alerts', 'seclog-audit'].map(age)).toEqual(['24h', '168h', '168h', '720h']);
  });

  test('Kibana: waits for the status API, imports with overwrite and kbn-xsrf, fails on success false', () => {
    const script: string = kbFiles['run.sh'];
    expect(script).toContain("'http://kibana.security-logging.svc:5601/api/status'");
    expect(script).toContain("/api/saved_objects/_import?overwrite=true'");
    expect(script).toContain("-H 'kbn-xsrf: true' --form file=@/setup/saved-objects.ndjson");
    expect(script).toContain('*\'"success":true\'*) echo done');
    expect(kbFiles['saved-objects.ndjson']).toBe(chart.savedObjects.renderNdjson());
    expect(kbJob.spec.template.spec.containers[0].image).toBe('docker.elastic.co/kibana/kibana:8.19.22');
  });

  test('Jobs: restricted pods, retried, cleaned up a week after finishing, named by their content', () => {
    for (const job of [esJob, kbJob]) {
      const pod = job.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(job.spec).toMatchObject({ backoffLimit: 20, ttlSecondsAfterFinished: 604800 });
      expect(job.metadata.name).toMatch(/-[0-9a-f]{10}$/);
    }
    // A change of content is a new Job (a Job's pod template cannot be changed).
    const other = Testing.synth(chartOf({ retention: { auditDays: 730 } }));
    expect(jobNamed(other, 'elasticsearch-setup-').metadata.name).not.toBe(esJob.metadata.name);
    expect(jobNamed(other, 'kibana-saved-objects-').metadata.name).toBe(kbJob.metadata.name);
  });

  test('every ConfigMap fits the 1 MiB limit', () => {
    for (const cm of objectsOf(chart, 'ConfigMap')) {
      expect(Buffer.byteLength(JSON.stringify(cm.data))).toBeLessThan(1024 * 1024);
    }
  });

  test('turned-off sources get no template and no dashboard', () => {
    const small = chartOf({ falcoAlerts: false, kubeArmorAlerts: false, auditLogs: false });
    const files = filesOf(Testing.synth(small), jobNamed(Testing.synth(small), 'elasticsearch-setup-'));
    expect(Object.keys(files).filter((f) => f.startsWith('template-'))).toEqual(['template-seclog-containers.json']);
    expect(small.savedObjects.objects().filter((o) => o.type === 'dashboard')).toEqual([]);
  });

  test('the dashboards follow the family names', () => {
    const custom = chartOf({ falco: { indexName: 'runtime-alerts', priority: FalcoPriority.WARNING } });
    const view = custom.savedObjects.objects().find((o) => o.id === 'falco-alerts');
    expect(view?.attributes.title).toBe('runtime-alerts,runtime-alerts-*');
  });
});
