import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { fluentdOf, jobFiles, jobNamed, objectsOf, stackOf } from './helpers/chart';
import { runSetupScript } from './helpers/setup-script';
import { ElasticsearchSecurity, FalcoPriority } from '../src';


describe('the setup Jobs of the stack', () => {
  const chart = stackOf();
  const objects = Testing.synth(chart);
  const esJob = jobNamed(objects, 'elasticsearch-setup-');
  const esFiles = jobFiles(objects, 'elasticsearch-setup-');
  const kbJob = jobNamed(objects, 'kibana-saved-objects-');
  const kbFiles = jobFiles(objects, 'kibana-saved-objects-');

  test('Elasticsearch: waits for a yellow or green cluster, then puts every policy before the templates that name them', () => {
    const script: string = esFiles['run.sh'];
    expect(script).toContain("--config /tmp/es-curl.conf --silent --fail --max-time 10 --output /dev/null 'https://elasticsearch.security-logging.svc:9200/_cluster/health?wait_for_status=yellow&timeout=5s'");
    // `put PATH FILE`, `put_if_changed PATH FILE HASH`, and `put_template NAME FILE HASH PATTERN...` (which puts /_index_template/NAME).
    const puts = [...script.matchAll(/^(put|put_if_changed|put_template) '([^']+)' '([^']+)'/gm)].map((m) => [m[1] === 'put_template' ? `/_index_template/${m[2]}` : m[2], m[3]]);
    expect(puts.map(([p]) => p)).toEqual([
      // The chart's own template first (the detection alerts' data stream), then one per family
      // the writers registered, in the order they registered them.
      '/_ilm/policy/seclog-alerts-policy', '/_ilm/policy/seclog-containers-policy', '/_ilm/policy/seclog-audit-policy', '/_ilm/policy/seclog-falco-policy',
      '/_ilm/policy/seclog-kubearmor-alerts-policy', '/_ilm/policy/seclog-kubearmor-messages-policy', '/_ilm/policy/seclog-kubearmor-logs-policy',
      '/_ilm/policy/seclog-journal-policy', '/_ilm/policy/seclog-events-policy',
      // The pipelines, each checked on the cluster before a template names it.
      '/_ingest/pipeline/seclog-containers-pipeline', '/_ingest/pipeline/seclog-audit-pipeline', '/_ingest/pipeline/seclog-falco-pipeline',
      '/_ingest/pipeline/seclog-kubearmor-alerts-pipeline', '/_ingest/pipeline/seclog-kubearmor-messages-pipeline',
      '/_ingest/pipeline/seclog-kubearmor-logs-pipeline', '/_ingest/pipeline/seclog-journal-pipeline', '/_ingest/pipeline/seclog-events-pipeline',
      '/_index_template/seclog-alerts', '/_index_template/seclog-containers', '/_index_template/seclog-audit', '/_index_template/seclog-falco',
      '/_index_template/seclog-kubearmor-alerts', '/_index_template/seclog-kubearmor-messages', '/_index_template/seclog-kubearmor-logs',
      '/_index_template/seclog-journal', '/_index_template/seclog-events',
      // Then each writer's role, before the user that names it.
      '/_security/role/security-logging-agents-fluentd-writer',
      '/_security/role/security-logging-kubernetes-events-writer',
    ]);
    expect(script.indexOf("put '/_security/role/security-logging-agents-fluentd-writer'"))
      .toBeLessThan(script.indexOf("ensure_user 'security-logging-agents' 'fluentd-elasticsearch' 'security-logging-agents-fluentd' 'security-logging-agents-fluentd-writer'"));
    expect(script).toContain("ensure_kibana_credentials 'security-logging' 'kibana-elasticsearch'");
    for (const [, file] of puts) expect(esFiles[file]).toBeDefined();
    // Each pipeline is checked on the cluster before it is put, and put before a template names it.
    expect(script.indexOf("check_pipeline 'seclog-falco-pipeline' 'simulate-seclog-falco-pipeline.json'"))
      .toBeLessThan(script.indexOf("put_if_changed '/_ingest/pipeline/seclog-falco-pipeline'"));
    expect(script.indexOf("put_if_changed '/_ingest/pipeline/seclog-falco-pipeline'")).toBeLessThan(script.indexOf("put_template 'seclog-falco'"));
    expect(script).toMatch(/^put_template 'seclog-falco' 'template-seclog-falco.json' '[0-9a-f]+' 'seclog-falco' 'seclog-falco-\*'$/m);
    // A failed call fails the attempt (set -e and the status check), so the Job retries.
    expect(script).toMatch(/^set -euo pipefail$/m);
    expect(script).toContain('if [ "$code" -ge 300 ]');
  });

  test('each template is the chart\'s own, for a data stream the agent writes', () => {
    const template = JSON.parse(esFiles['template-seclog-falco.json']);
    expect(template).toMatchObject({ index_patterns: ['seclog-falco', 'seclog-falco-*'], data_stream: {}, allow_auto_create: true, priority: 200 });
    expect(template.template.settings['index.lifecycle.name']).toBe('seclog-falco-policy');
    expect(template.template.settings['index.default_pipeline']).toBe('seclog-falco-pipeline');
    expect(template.template.mappings.properties.falco.properties.priority).toEqual({ type: 'keyword', ignore_above: 1024 });
    expect(template.template.mappings.properties.event.properties.severity).toEqual({ type: 'long' });
    const conf = fluentdOf(chart).config.render();
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
    // Every family a writer registered, by name, then the data streams of the templates the chart gives the setup (the detection alerts Kibana writes).
    expect(setting).toBe([
      'seclog-audit', 'seclog-containers', 'seclog-events', 'seclog-falco', 'seclog-journal', 'seclog-kubearmor-alerts', 'seclog-kubearmor-logs', 'seclog-kubearmor-messages', 'seclog-alerts',
    ].flatMap((f) => [`-${f}`, `-${f}-*`]).join(',') + ',+*');
    for (const family of Object.keys(chart.indexTemplates)) {
      expect({ family, allowed: autoCreates(setting, family) || autoCreates(setting, `${family}-default`) }).toEqual({ family, allowed: false });
    }
    expect(autoCreates(setting, 'my-app-logs')).toBe(true);
  });

  test('families named outside the prefix are refused too', () => {
    const custom = stackOf({ falco: { indexName: 'runtime-alerts' }, kubeArmor: { indexNames: { alerts: 'ka-alerts', logs: 'ka-logs', messages: 'ka-messages' } } });
    const setting = settingOf(Testing.synth(custom));
    for (const family of Object.keys(custom.indexTemplates)) expect({ family, allowed: autoCreates(setting, family) }).toEqual({ family, allowed: false });
  });

  test('rollover: daily for container logs and the journal, weekly for Falco and KubeArmor, monthly for audit (its streams are per namespace)', () => {
    const age = (name: string) => JSON.parse(esFiles[`policy-${name}-policy.json`]).policy.phases.hot.actions.rollover.max_age;
    expect(age('seclog-journal')).toBe('24h');
    expect(['seclog-containers', 'seclog-falco', 'seclog-kubearmor-alerts', 'seclog-audit'].map(age)).toEqual(['24h', '168h', '168h', '720h']);
  });

  test('Kibana: waits for the status API, imports with overwrite and kbn-xsrf, fails on success false', () => {
    const script: string = kbFiles['run.sh'];
    expect(script).toContain("--config /tmp/kibana-curl.conf --silent --fail --max-time 10 --output /dev/null 'https://kibana.security-logging.svc:5601/api/status'");
    // As the elastic user, from its Secret's username and password, escaped for curl's config.
    expect(script).toContain(`printf 'cacert = "%s"\\n' '/kibana/ca.crt' > /tmp/kibana-curl.conf\n` +
      `printf 'user = "%s:%s"\\n' "$(cat /import-user/username | sed 's/[\\\\"]/\\\\&/g')" "$(cat /import-user/password | sed 's/[\\\\"]/\\\\&/g')" >> /tmp/kibana-curl.conf`);
    expect(kbJob.spec.template.spec.volumes.filter((v: any) => v.secret).map((v: any) => v.secret)).toEqual([
      { secretName: 'elasticsearch-elastic-credentials', items: [{ key: 'password', path: 'password' }, { key: 'username', path: 'username' }] },
      { secretName: 'kibana-certs', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    ]);
    expect(script).toContain("/api/saved_objects/_import?overwrite=true'");
    expect(script).toContain("-H 'kbn-xsrf: true' --form file=@/setup/saved-objects.ndjson");
    expect(script).toContain('*\'"success":true\'*) echo done');
    expect(kbFiles['saved-objects.ndjson']).toBe(chart.savedObjects.renderNdjson());
    expect(kbJob.spec.template.spec.containers[0].image).toBe('docker.elastic.co/kibana/kibana:9.5.7');
  });

  test('Jobs: restricted pods, retried, cleaned up a week after finishing, named by their content', () => {
    for (const job of [esJob, kbJob]) {
      const pod = job.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(job.spec).toMatchObject({ backoffLimit: 20, ttlSecondsAfterFinished: 604800 });
      expect(job.metadata.name).toMatch(/-[0-9a-f]{10}$/);
    }
    // Only the setup Job calls the API server (it stores the consumers' credentials).
    expect(esJob.spec.template.spec).toMatchObject({ serviceAccountName: 'elasticsearch-setup', automountServiceAccountToken: true });
    expect(kbJob.spec.template.spec.automountServiceAccountToken).toBe(false);
    // A change of content is a new Job (a Job's pod template cannot be changed).
    const other = Testing.synth(stackOf({ retention: { auditDays: 730 } }));
    expect(jobNamed(other, 'elasticsearch-setup-').metadata.name).not.toBe(esJob.metadata.name);
    expect(jobNamed(other, 'kibana-saved-objects-').metadata.name).toBe(kbJob.metadata.name);
  });

  test('every ConfigMap fits the 1 MiB limit', () => {
    for (const cm of objectsOf(chart, 'ConfigMap')) {
      expect(Buffer.byteLength(JSON.stringify(cm.data))).toBeLessThan(1024 * 1024);
    }
  });

  test('turned-off sources get no template and no dashboard', () => {
    const small = stackOf({ falcoAlerts: false, kubeArmorAlerts: false, auditLogs: false, kubernetesEvents: false, nodeJournal: false, detectionRules: false });
    const files = jobFiles(Testing.synth(small), 'elasticsearch-setup-');
    expect(Object.keys(files).filter((f) => f.startsWith('template-'))).toEqual(['template-seclog-containers.json']);
    expect(small.savedObjects.objects().filter((o) => o.type === 'dashboard')).toEqual([]);
  });

  test('the dashboards follow the family names', () => {
    const custom = stackOf({ falco: { indexName: 'runtime-alerts', priority: FalcoPriority.WARNING } });
    const view = custom.savedObjects.objects().find((o) => o.id === 'falco-alerts');
    expect(view?.attributes.title).toBe('runtime-alerts,runtime-alerts-*');
  });
});

/**
 * Runs a setup script with a stub `curl` that answers from a table, in a temporary
 * copy of its files, and returns the exit code and the calls it made.
 */

describe('the setup scripts with security disabled, run against a stub curl (secured runs: bootstrap-jobs.test.ts)', () => {
  const chart = stackOf({ elasticsearch: { security: ElasticsearchSecurity.disabledForDevelopmentOnly() } });
  const objects = Testing.synth(chart);
  const esFiles = jobFiles(objects, 'elasticsearch-setup-');
  const kbFiles = jobFiles(objects, 'kibana-saved-objects-');

  test('Elasticsearch: waits while the cluster is not ready, then makes every PUT', () => {
    const run = runSetupScript(esFiles, { '_cluster/health': '200 {}', '_ilm/policy': '200 {"acknowledged":true}', '_index_template': '200 {"acknowledged":true}' });
    expect(run.code).toBe(0);
    const puts = run.calls.filter((c) => c.includes('-X PUT'));
    expect(puts).toHaveLength(26);
    expect(puts[0]).toContain('/_ilm/policy/seclog-alerts-policy');
    expect(puts[0]).toMatch(/--data-binary @\S+policy-seclog-alerts-policy\.json/);
  });

  test('Elasticsearch: a policy or pipeline the cluster has with this content already is not put again (its version would flap)', () => {
    const policy = JSON.parse(esFiles['policy-seclog-falco-policy.json']);
    const hash = policy.policy._meta.content_hash;
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    const pipelineHash = JSON.parse(esFiles['pipeline-seclog-falco-pipeline.json'])._meta.content_hash;
    const run = runSetupScript(esFiles, {
      '_cluster/health': '200 {}',
      'GET http://elasticsearch.security-logging.svc:9200/_ilm/policy/seclog-falco-policy': `200 {"seclog-falco-policy":{"version":7,"policy":{"_meta":{"managed_by":"cdk8s-security-logging","content_hash":"${hash}"}}}}`,
      'GET http://elasticsearch.security-logging.svc:9200/_ingest/pipeline/seclog-falco-pipeline': `200 {"seclog-falco-pipeline":{"_meta":{"content_hash":"${pipelineHash}"}}}`,
      'GET http://elasticsearch.security-logging.svc:9200/_ilm/policy/seclog-audit-policy': '200 {"seclog-audit-policy":{"version":3,"policy":{"_meta":{"content_hash":"0000000000000000"}}}}',
    });
    expect(run.code).toBe(0);
    const puts = run.calls.filter((c) => c.includes('-X PUT'));
    expect(puts.some((c) => c.includes('/_ilm/policy/seclog-falco-policy'))).toBe(false);
    expect(puts.some((c) => c.includes('/_ingest/pipeline/seclog-falco-pipeline'))).toBe(false);
    // Another content (or none: a 404), put.
    expect(puts.some((c) => c.includes('/_ilm/policy/seclog-audit-policy'))).toBe(true);
    expect(puts.some((c) => c.includes('/_ilm/policy/seclog-containers-policy'))).toBe(true);
    expect(run.output).toContain('/_ilm/policy/seclog-falco-policy unchanged');
  });

  test('Elasticsearch: a refused PUT fails the attempt (the Job retries)', () => {
    const run = runSetupScript(esFiles, { '_cluster/health': '200 {}', '_index_template/seclog-falco': '400 {"error":"bad mapping"}' });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('PUT /_index_template/seclog-falco answered 400');
  });

  test('Elasticsearch: a pipeline whose checks fail on the cluster fails the attempt before any template names it', () => {
    const answer = '200 {"docs":[{"doc":{"_source":{"log":{"level":"error"}}}},{"error":{"root_cause":[{"type":"fail_processor_exception","reason":"seclog-falco-pipeline check 2 (...): a field differs"}],"type":"fail_processor_exception"}}]}';
    const run = runSetupScript(esFiles, { '_cluster/health': '200 {}', '_simulate': answer });
    expect(run.code).toBe(1);
    expect(run.output).toContain('pipeline seclog-containers-pipeline does not give its check documents the expected fields (answer 200)');
    expect(run.output).toContain('check 2');
    expect(run.calls.some((c) => c.includes('_index_template/') || c.includes('-X PUT') && c.includes('_ingest/pipeline/'))).toBe(false);
    // A document that merely holds the word "error" passes.
    const fine = runSetupScript(esFiles, { '_cluster/health': '200 {}', '_simulate': '200 {"docs":[{"doc":{"_source":{"log":{"level":"error"},"error":"x"}}}]}' });
    expect(fine.code).toBe(0);
    // A pipeline Elasticsearch refuses (an unknown processor) fails at its PUT.
    const refused = runSetupScript(esFiles, { '_cluster/health': '200 {}', '_ingest/pipeline/seclog-falco-pipeline': '400 {"error":"parse_exception"}' });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('PUT /_ingest/pipeline/seclog-falco-pipeline answered 400');
  });

  test('Elasticsearch: a failed lazy rollover fails the attempt and marks the template, so that the retry rolls over again', () => {
    const run = runSetupScript(esFiles, {
      '_cluster/health': '200 {}', '_data_stream/seclog-falco': '200 {"data_streams":[{"name":"seclog-falco","timestamp_field":{"name":"@timestamp"}}]}',
      '_rollover?lazy=true': '503 {"error":"unavailable"}',
    });
    expect(run.code).toBe(1);
    expect(run.output).toContain('POST /seclog-falco/_rollover?lazy=true answered 503');
    const puts = run.calls.filter((c) => c.includes('-X PUT') && c.includes('/_index_template/seclog-falco'));
    expect(puts).toHaveLength(2);
    expect(puts[1]).toContain('template-pending.json');
  });

  test('Elasticsearch: an unreachable cluster fails the attempt after the wait', () => {
    const run = runSetupScript(esFiles, { '_cluster/health': '503 {}' });
    expect(run.code).toBe(1);
    expect(run.calls.filter((c) => c.includes('_cluster/health'))).toHaveLength(120);
    expect(run.calls.some((c) => c.includes('-X PUT'))).toBe(false);
  });

  test('Kibana\'s detection engine: the built-in rules imported with overwrite once Kibana answers; a rule the API refuses fails the Job', () => {
    const files = jobFiles(objects, 'kibana-detection-rules-');
    expect(files['rules.ndjson']).toBe(chart.detectionRules?.renderNdjson());
    expect(files['rules.ndjson'].split('\n').filter((l) => l !== '')).toHaveLength(chart.detectionRules?.rules.length as number);
    const ok = runSetupScript(files, { '/api/status': '200 {}', 'rules/_import': '200 {"success":true,"success_count":18,"rules_count":18,"errors":[]}' });
    expect(ok.code).toBe(0);
    expect(ok.calls.some((c) => c.includes('/api/detection_engine/rules/_import?overwrite=true') && c.includes('kbn-xsrf: true') && /file=@\S*rules\.ndjson/.test(c))).toBe(true);
    // The API answers 200 with the rules it refused in errors.
    const refused = runSetupScript(files, { '/api/status': '200 {}', 'rules/_import': '200 {"success":false,"success_count":17,"rules_count":18,"errors":[{"rule_id":"seclog-k8s-new-api-client","error":{"status_code":400,"message":"invalid"}}]}' });
    expect([refused.code, refused.output]).toEqual([1, expect.stringContaining('import failed')]);
    expect(refused.output).toContain('seclog-k8s-new-api-client');
    expect(runSetupScript(files, { '/api/status': '200 {}', 'rules/_import': '500 {}' }).code).toBe(1);
  });

  test('Kibana: imports once available; success false fails the Job', () => {
    const ok = runSetupScript(kbFiles, { '/api/status': '200 {}', '_import': '200 {"success":true,"successCount":30}' });
    expect(ok.code).toBe(0);
    expect(ok.calls.some((c) => c.includes('_import?overwrite=true') && c.includes('kbn-xsrf: true'))).toBe(true);
    const partial = runSetupScript(kbFiles, { '/api/status': '200 {}', '_import': '200 {"success":false,"errors":[{"id":"x"}]}' });
    expect(partial.code).toBe(1);
    expect(partial.output).toContain('import failed');
    const refused = runSetupScript(kbFiles, { '/api/status': '200 {}', '_import': '415 {}' });
    expect(refused.code).toBe(1);
  });
});

describe('golden files', () => {
  const chart = stackOf();
  const objects = Testing.synth(chart);
  const esFiles = jobFiles(objects, 'elasticsearch-setup-');
  const dir = path.join(__dirname, 'fixtures', 'elasticsearch-setup');

  test('each source\'s lifecycle policy and index template', () => {
    const golden = fs.readdirSync(dir).sort();
    expect(Object.keys(esFiles).filter((f) => f.endsWith('.json')).sort()).toEqual(golden);
    for (const file of golden) expect({ file, body: esFiles[file] }).toEqual({ file, body: fs.readFileSync(path.join(dir, file), 'utf-8') });
  });

  test('the built-in saved objects NDJSON', () => {
    expect(chart.savedObjects.renderNdjson()).toBe(fs.readFileSync(path.join(__dirname, 'fixtures', 'kibana-builtin.ndjson'), 'utf-8'));
  });
});

test('index replicas: one with two or more hot-tier data nodes, none on a single node (which would stay yellow)', () => {
  const replicasOf = (props: any) => {
    const objects = Testing.synth(stackOf(props));
    const files = jobFiles(objects, 'elasticsearch-setup-');
    return JSON.parse(files['template-seclog-falco.json']).template.settings['index.number_of_replicas'];
  };
  expect(replicasOf({})).toBe(1);
  expect(replicasOf({ elasticsearch: { replicas: 1 } })).toBe(0);
  expect(replicasOf({ elasticsearch: { nodeGroups: [
    { name: 'master', replicas: 3, roles: ['master'] }, { name: 'data', replicas: 1, roles: ['data'] },
  ] } })).toBe(0);
  // New data-stream indices live on the hot tier; warm and frozen nodes cannot take their replicas.
  expect(replicasOf({ elasticsearch: { nodeGroups: [
    { name: 'hot', replicas: 1, roles: ['master', 'data_hot'] }, { name: 'warm', replicas: 1, roles: ['data_warm'] },
    { name: 'frozen', replicas: 2, roles: ['data_frozen'] },
  ] } })).toBe(0);
  expect(replicasOf({ elasticsearch: { nodeGroups: [
    { name: 'hot', replicas: 3, roles: ['master', 'data_hot'] }, { name: 'warm', replicas: 1, roles: ['data_warm'] },
  ] } })).toBe(1);
});
