import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { testChart } from './helpers/chart';
import { allSections, rewriteTag, strptimeRegexp } from './helpers/fluentd-model';
import { BUILTIN_API_RESOURCES } from '../src/audit/kubernetes-resources';
import { AUDIT_ECS_EXPECTED } from './helpers/audit-ecs';
import { ecsDifferences } from './helpers/falco-ecs';
import { runPipeline, simulate } from './helpers/ingest-model';
import { ecsTable, markedBlock } from './helpers/ecs-table';
import {
  AuditLevel, AuditPolicy, AuditStage, BuiltInSavedObjects, ElasticsearchCluster, ElasticsearchSetup, FluentdDaemonSet, KibanaDataView, KubeApiServerAudit, KubeadmApiVersion, KubernetesAuditLogs,
} from '../src';
import { unfilledPanelFields } from './helpers/panel-fill';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf-8');

describe('AuditPolicy presets match their sources rule by rule', () => {
  test.each([
    ['upstream example', AuditPolicy.upstreamExample(), 'audit-policy-upstream-example.yaml'],
    ['production (GCE style)', AuditPolicy.production(), 'audit-policy-gce.yaml'],
  ])('%s', (_name, policy, file) => {
    const source = parse(fixture(file));
    const ours = parse(policy.render());
    expect(ours.apiVersion).toBe('audit.k8s.io/v1');
    expect(ours.kind).toBe('Policy');
    expect(ours.omitStages).toEqual(source.omitStages);
    expect(ours.rules).toHaveLength(source.rules.length);
    source.rules.forEach((rule: any, i: number) => expect({ i, rule: ours.rules[i] }).toEqual({ i, rule }));
    expect(policy.warnings).toEqual([]);
  });
});

describe('AuditPolicy', () => {
  test('golden rendering; empty fields left out; rules as added', () => {
    const policy = new AuditPolicy({ omitManagedFields: true });
    policy.addRule({ level: AuditLevel.METADATA, resources: [{ group: '', resources: ['secrets'] }], verbs: ['get'] });
    policy.addRule({ level: AuditLevel.NONE, nonResourceURLs: ['/healthz*'] });
    policy.addRule({ level: AuditLevel.REQUEST, namespaces: ['prod'], resources: [{ group: 'apps' }], omitStages: [AuditStage.PANIC], omitManagedFields: false });
    policy.addRule({ level: AuditLevel.METADATA });
    expect(policy.render()).toBe([
      'apiVersion: audit.k8s.io/v1',
      'kind: Policy',
      'omitStages:',
      '  - RequestReceived',
      'omitManagedFields: true',
      'rules:',
      '  - level: Metadata',
      '    verbs:',
      '      - get',
      '    resources:',
      '      - group: ""',
      '        resources:',
      '          - secrets',
      '  - level: None',
      '    nonResourceURLs:',
      '      - /healthz*',
      '  - level: Request',
      '    resources:',
      '      - group: apps',
      '    namespaces:',
      '      - prod',
      '    omitStages:',
      '      - Panic',
      '    omitManagedFields: false',
      '  - level: Metadata',
      '',
    ].join('\n'));
  });

  test('rules is a copy', () => {
    const policy = AuditPolicy.upstreamExample();
    policy.rules.pop();
    expect(policy.rules).toHaveLength(9);
  });

  test('a body level is fine for secrets an earlier rule already takes (first match wins)', () => {
    const policy = new AuditPolicy();
    policy.addRule({ level: AuditLevel.METADATA, resources: [{ group: '', resources: ['secrets', 'configmaps'] }, { group: 'authentication.k8s.io', resources: ['tokenreviews'] }] });
    expect(() => policy.addRule({ level: AuditLevel.REQUEST_RESPONSE, resources: [{ group: '' }] }))
      .toThrow(/would record the bodies of serviceaccounts\/token/);
    policy.addRule({ level: AuditLevel.REQUEST, resources: [{ group: '' }, { group: 'authentication.k8s.io' }] });
    expect(policy.rules).toHaveLength(2);
  });

  test('an earlier rule limited to some users does not cover secrets for everyone', () => {
    const policy = new AuditPolicy();
    policy.addRule({ level: AuditLevel.METADATA, users: ['admin'], resources: [{ group: '', resources: ['secrets'] }] });
    expect(() => policy.addRule({ level: AuditLevel.REQUEST, resources: [{ group: '', resources: ['secrets'] }] }))
      .toThrow(/rule 1: level Request would record the bodies of secrets/);
  });

  test('allowSensitiveBodies is the explicit way to record them', () => {
    const policy = new AuditPolicy();
    policy.addRule({ level: AuditLevel.REQUEST, resources: [{ group: '', resources: ['configmaps'] }], allowSensitiveBodies: true });
    expect(policy.toJson().rules[0]).toEqual({ level: 'Request', resources: [{ group: '', resources: ['configmaps'] }] });
  });

  test('warnings: no catch-all last, RequestReceived recorded', () => {
    const policy = new AuditPolicy({ omitStages: [] });
    policy.addRule({ level: AuditLevel.METADATA, verbs: ['delete'] });
    expect(policy.warnings.map((w: { message: string }) => w.message)).toEqual([
      expect.stringMatching(/no catch-all rule last/),
      expect.stringMatching(/rule 0 records the RequestReceived stage/),
    ]);
  });

  describe('fails if', () => {
    test.each([
      ['resourceNames without resources', { level: AuditLevel.NONE, resources: [{ group: '', resourceNames: ['x'] }] },
        /rule 0 resources\[0\]: resourceNames needs resources/],
      ['a rule mixes resources and nonResourceURLs', { level: AuditLevel.NONE, resources: [{ group: '' }], nonResourceURLs: ['/api'] },
        /cannot match both resources and nonResourceURLs; split it/],
      ['* in a nonResourceURL before its end', { level: AuditLevel.NONE, nonResourceURLs: ['/api/*/status'] },
        /'\*' only as the last character, got "\/api\/\*\/status"/],
      ['a nonResourceURL without a leading /', { level: AuditLevel.NONE, nonResourceURLs: ['healthz'] }, /must start with '\/'/],
      ['secrets above Metadata', { level: AuditLevel.REQUEST_RESPONSE, resources: [{ group: '', resources: ['secrets'] }] },
        /level RequestResponse would record the bodies of secrets, which hold credentials.*allowSensitiveBodies/],
      ['configmaps above Metadata', { level: AuditLevel.REQUEST, resources: [{ group: '', resources: ['*'] }] }, /bodies of secrets/],
      ['tokenreviews above Metadata', { level: AuditLevel.REQUEST, resources: [{ group: 'authentication.k8s.io' }] },
        /bodies of authentication.k8s.io\/tokenreviews/],
      ['a catch-all above Metadata with nothing before it', { level: AuditLevel.REQUEST }, /bodies of secrets/],
      ['namespaces with nonResourceURLs (the API server refuses it)', { level: AuditLevel.NONE, namespaces: ['x'], nonResourceURLs: ['/healthz'] },
        /nonResourceURLs have no namespace; the API server refuses a rule with both/],
      ['an empty resources list (the API server reads it as every resource)', { level: AuditLevel.REQUEST, resources: [] },
        /resources must be a non-empty list or left out/],
      ['an empty resources list in a group', { level: AuditLevel.REQUEST, resources: [{ group: '', resources: [] }] },
        /resources\[0\].resources must be a non-empty list or left out/],
      ['a subresource wildcard reaching TokenRequest responses', { level: AuditLevel.REQUEST_RESPONSE, resources: [{ group: '', resources: ['serviceaccounts/*'] }] },
        /bodies of serviceaccounts\/token/],
      ['a */token wildcard', { level: AuditLevel.REQUEST_RESPONSE, resources: [{ group: '', resources: ['*/token'] }] }, /bodies of serviceaccounts\/token/],
      ['an unknown level', { level: 'Everything' }, /level must be one of None, Metadata, Request, RequestResponse, got "Everything"/],
      ['an unknown stage', { level: AuditLevel.NONE, omitStages: ['Done'] }, /unknown stage "Done"/],
      ['an empty list', { level: AuditLevel.NONE, users: [] }, /users must be a non-empty list or left out/],
      ['a group with a version', { level: AuditLevel.NONE, resources: [{ group: 'apps/v1' }] }, /group must be a group name without a version/],
    ])('%s', (_name, rule, message) => {
      expect(() => new AuditPolicy({ rules: [rule as any] })).toThrow(message);
    });
  });
});

describe('KubeApiServerAudit', () => {
  test('flags default to the CIS values and JSON', () => {
    expect(new KubeApiServerAudit().flags()).toEqual([
      '--audit-policy-file=/etc/kubernetes/audit/policy.yaml',
      '--audit-log-path=/var/log/kubernetes/audit/audit.log',
      '--audit-log-format=json',
      '--audit-log-maxage=30',
      '--audit-log-maxbackup=10',
      '--audit-log-maxsize=100',
    ]);
  });

  test('kubeadm patches: v1beta4 list form, v1beta3 map form, policy read-only, log dir writable', () => {
    const audit = new KubeApiServerAudit({ maxAgeDays: 90, logPath: '/var/log/apiserver/audit.json' });
    const v4 = parse(audit.kubeadmClusterConfiguration(KubeadmApiVersion.V1BETA4));
    expect(v4.apiVersion).toBe('kubeadm.k8s.io/v1beta4');
    expect(v4.apiServer.extraArgs).toContainEqual({ name: 'audit-log-maxage', value: '90' });
    const v3 = parse(audit.kubeadmClusterConfiguration(KubeadmApiVersion.V1BETA3));
    expect(v3.apiServer.extraArgs['audit-log-path']).toBe('/var/log/apiserver/audit.json');
    expect(v3.apiServer.extraVolumes).toEqual([
      { name: 'audit-policy', hostPath: '/etc/kubernetes/audit/policy.yaml', mountPath: '/etc/kubernetes/audit/policy.yaml', readOnly: true, pathType: 'File' },
      { name: 'audit-log', hostPath: '/var/log/apiserver', mountPath: '/var/log/apiserver', readOnly: false, pathType: 'DirectoryOrCreate' },
    ]);
  });

  test('files for the control plane', () => {
    const files = new KubeApiServerAudit({ policy: AuditPolicy.upstreamExample() }).files();
    expect(Object.keys(files).sort()).toEqual([
      'README.md', 'audit-policy.yaml', 'kube-apiserver-flags.txt',
      'kubeadm-v1beta3-cluster-configuration.yaml', 'kubeadm-v1beta4-cluster-configuration.yaml',
    ]);
    expect(parse(files['audit-policy.yaml'])).toEqual(parse(fixture('audit-policy-upstream-example.yaml')));
    expect(files['README.md']).toContain('not for `kubectl apply`');
  });

  describe('fails if', () => {
    test.each([
      ['the log is not under /var/log', { logPath: '/opt/audit.log' }, /audit logPath must be under \/var\/log\/ \(the log agent mounts \/var\/log\)/],
      ['a relative path', { policyPath: 'policy.yaml' }, /audit policyPath must be an absolute file path/],
      ['policy and log share a directory', { policyPath: '/var/log/audit/policy.yaml', logPath: '/var/log/audit/audit.log' },
        /must be in different directories/],
      ['retention is not a whole number of days', { maxAgeDays: 7.5 }, /audit maxAgeDays must be an integer >= 1, got 7.5/],
      ['zero backups', { maxBackups: 0 }, /audit maxBackups must be an integer >= 1, got 0/],
    ])('%s', (_name, props, message) => {
      expect(() => new KubeApiServerAudit(props as any)).toThrow(message);
    });
  });
});

describe('audit events through the rendered collection route', () => {
  const chart = testChart();
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
  const fluentd = new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch });
  const audit = new KubeApiServerAudit();
  new KubernetesAuditLogs(chart, 'AuditLogs', { agent: fluentd, audit });
  const setup = new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
  const sections = allSections(fluentd.config.all);
  const source = sections.find((s) => s.params['@id'] === 'in_tail_audit');
  const router = sections.find((s) => s.params['@id'] === 'route_audit_by_namespace');
  const output = sections.find((s) => s.params['@id'] === 'out_es_audit');
  const events = [...fixture('k8s-audit-events.jsonl').split('\n'), ...fixture('k8s-audit-events-legacy-v1beta1.jsonl').split('\n')]
    .filter(Boolean).map((l) => JSON.parse(l));

  test('tails the path the API server flags write', () => {
    expect(source?.params.path).toBe(audit.logPath);
    expect(audit.flags()).toContain(`--audit-log-path=${source?.params.path}`);
  });

  test('every sample stageTimestamp is in the rendered time_format', () => {
    const [parser] = source?.sections ?? [];
    expect(parser.params.time_key).toBe('stageTimestamp');
    const format = strptimeRegexp(parser.params.time_format);
    expect(events).toHaveLength(10);
    // Lines 5-8 of the v1 file are 2017 events relabelled to v1, without stageTimestamp:
    // they are indexed at the time fluentd reads them.
    const stamped = events.filter((e) => e.stageTimestamp !== undefined);
    expect(stamped).toHaveLength(6);
    for (const event of stamped) expect({ ts: event.stageTimestamp, ok: format.test(event.stageTimestamp) }).toEqual({ ts: event.stageTimestamp, ok: true });
  });

  test('each sample is routed to its namespace, or to none, and none is dropped', () => {
    const tags = events.map((e) => rewriteTag(router as any, e));
    // objectRef.namespace of each sample; the /api request (line 8) and the namespace
    // creation (v1beta1 line 2) have none.
    expect(tags).toEqual([
      'audit.default', 'audit.kube-system', 'audit.test2', 'audit.default',
      'audit.default', 'audit.default', 'audit.default', 'audit.none',
      'audit.default', 'audit.none',
    ]);
  });

  test('field names keep their dots (the audit pipeline and template expect them)', () => {
    expect(sections.some((s) => s.params['@type'] === 'dedot' && s.argument?.startsWith('audit'))).toBe(false);
  });

  /** An event as Elasticsearch indexes it: as Fluentd ships it (the parsed line), through the family's pipeline. */
  const indexed = (event: any) => runPipeline(pipeline, { ...event, '@timestamp': '2026-01-01T00:00:00.000000000+00:00', 'tag': rewriteTag(router as any, event) });
  const pipeline = setup.templates.find((t) => t.name === 'seclog-audit')?.pipeline?.toJson() as any;

  test('every sample, shipped by Fluentd and run through the family\'s ingest pipeline, has its ECS fields, as Elastic\'s integration names them', () => {
    const docs = events.map(indexed);
    expect(docs.map((d, i) => ecsDifferences(d, AUDIT_ECS_EXPECTED[i]))).toEqual(AUDIT_ECS_EXPECTED.map(() => []));
    for (const d of docs) expect(d.tags ?? []).not.toContain('pipeline_error');
    // The event itself is under kubernetes.audit.*, as Elastic's audit_logs data stream keeps it.
    expect(Object.keys(docs[0]).sort()).toEqual(['@timestamp', 'client', 'data_stream', 'event', 'kubernetes', 'orchestrator', 'source', 'tag', 'user', 'user_agent']);
    expect(docs[0].kubernetes.audit).toMatchObject({ verb: 'create', objectRef: { resource: 'secrets' }, annotations: { 'authorization_k8s_io/decision': 'allow' } });
  });

  test('every field Elastic\'s prebuilt Kubernetes rules query is mapped in the audit template with the type Elastic\'s integration gives it', () => {
    const rules = JSON.parse(fixture('elastic-detection-rules-k8s-fields.json'));
    expect(rules).toMatchObject({ repository: 'elastic/detection-rules', commit: '14cf530f0d2177023092449cd9d9348b4a8884c2', rules: 45 });
    const template = setup.templates.find((t) => t.name === 'seclog-audit');
    if (!template) throw new Error('no audit template');
    // Types that answer the rules' queries alike: date_nanos is a date with more digits; a
    // key of a flattened field matches as the keyword leaf of Elastic's dynamic object does.
    const same = (ours: string | undefined, theirs: string) => ours === theirs
      || (theirs === 'date' && ours === 'date_nanos') || (theirs === 'object:keyword' && ours === 'flattened')
      || (theirs.startsWith('nested (under ') && ours === 'nested') || (theirs.startsWith('flattened (under ') && ours === 'flattened');
    const differences = Object.entries(rules.fields as { [f: string]: { elasticType: string | null } })
      .filter(([field, { elasticType }]) => !(elasticType === null ? template.typeOf(field) === 'keyword' : same(template.typeOf(field), elasticType)))
      .map(([field, { elasticType }]) => `${field}: ours ${template.typeOf(field)}, Elastic's ${elasticType}`);
    expect(differences).toEqual([]);
    expect(Object.keys(rules.fields)).toHaveLength(41);
    // Every rule's time (timestamp_override) is set by the pipeline.
    expect(Object.keys(rules.timestamp_override)).toEqual(['event.ingested']);
    expect(template.typeOf('event.ingested')).toBe('date');
  });

  test('the README\'s table of the audit ECS fields is the pipeline\'s, with the template\'s types', () => {
    const template = setup.templates.find((t) => t.name === 'seclog-audit');
    if (!template) throw new Error('no audit template');
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');
    expect(markedBlock(readme, 'audit-ecs')).toBe(ecsTable(pipeline, template, 'kubernetes.audit.'));
    expect(markedBlock(readme, 'audit-ecs')).not.toContain('UNMAPPED');
  });

  test('the data stream fields: dataset and type constant, the namespace from the stream\'s name', () => {
    const doc = (index: string) => runPipeline(pipeline, { ...events[0], _index: index }).data_stream;
    // ECS: a namespace holds no "-".
    expect(doc('seclog-audit-kube-system')).toEqual({ type: 'logs', dataset: 'kubernetes.audit_logs', namespace: 'kube_system' });
    expect(doc('seclog-audit')).toEqual({ type: 'logs', dataset: 'kubernetes.audit_logs', namespace: 'default' });
  });

  test('every panel of the audit dashboard shows something for the indexed samples', () => {
    const template = setup.templates.find((t) => t.name === 'seclog-audit');
    if (!template) throw new Error('no audit template');
    const dashboard = BuiltInSavedObjects.auditDashboard(new KibanaDataView({ id: 'a', name: 'Audit', template }));
    expect(unfilledPanelFields(dashboard, events.map(indexed))).toEqual([]);
  });

  test('an event without annotations (a 401) and a JSON patch (its body a list) are normalized, not failed', () => {
    const unauthenticated = Object.fromEntries(Object.entries(events[0]).filter(([key]) => key !== 'annotations'));
    const doc = indexed({ ...unauthenticated, responseStatus: { code: 401 } });
    expect([doc.event.kind, doc.event.outcome, doc.tags]).toEqual(['event', 'failure', undefined]);
    const patch = indexed({ ...events[0], verb: 'patch', requestObject: [{ op: 'replace', path: '/spec/replicas', value: 3 }] });
    expect([patch.event.kind, patch.event.type, patch.kubernetes.audit.requestObject]).toEqual(['event', ['change'], [{ op: 'replace', path: '/spec/replicas', value: 3 }]]);
  });

  test('a custom resource whose spec.type is an object keeps the event (the keyword mapping would refuse it)', () => {
    const doc = indexed({ ...events[0], requestObject: { spec: { type: { name: 'x' } } } });
    expect(doc.kubernetes.audit.requestObject.spec).toEqual({ type_value: { name: 'x' } });
    expect(indexed({ ...events[0], requestObject: { spec: { type: 'NodePort' } } }).kubernetes.audit.requestObject.spec).toEqual({ type: 'NodePort' });
  });

  test('the pipeline\'s check is a real event as Fluentd ships it, and passes', () => {
    const p = setup.templates.find((t) => t.name === 'seclog-audit')?.pipeline;
    if (!p) throw new Error('no audit pipeline');
    for (const [key, value] of Object.entries(p.checks[0].document)) if (key !== '@timestamp') expect([key, (events[0] as any)[key]]).toEqual([key, value]);
    expect(simulate(p.simulateJson() as any, {}).map((r) => r.error)).toEqual([undefined]);
  });

  test('the namespace becomes part of the data stream name', () => {
    expect(output?.params.index_name).toBe('seclog-audit-${tag[1]}');
    expect(output?.sections[0].argument).toBe('tag');
  });

  test('a second audit source on one agent is an error', () => {
    expect(() => new KubernetesAuditLogs(chart, 'AuditLogs2', { agent: fluentd, audit, indexName: 'seclog-audit2' })).toThrow(/fluentd host file source audit was added twice/);
  });
});

test('the control-plane README lists the policy\'s lint warnings', () => {
  const policy = new AuditPolicy({ rules: [{ level: AuditLevel.METADATA, verbs: ['delete'] }] });
  const readme = new KubeApiServerAudit({ policy }).files()['README.md'];
  expect(readme).toContain('Lint warnings about the policy:');
  expect(readme).toContain('- the policy has no catch-all rule last');
  expect(new KubeApiServerAudit().files()['README.md']).toContain('The policy passed the lint without warnings.');
});

describe('the built-in API resources the audit lint knows', () => {
  test('are every kind of the Kubernetes 1.27 and 1.34 definitions, by group, as lowercase plurals', () => {
    // The API's plurals: -ss and -us take -es, a consonant and -y take -ies, Endpoints stays.
    const plural = (kind: string) => {
      const l = kind.toLowerCase();
      if (/(ss|us)$/.test(l)) return `${l}es`;
      if (/[^aeiou]y$/.test(l)) return `${l.slice(0, -1)}ies`;
      return l.endsWith('s') ? l : `${l}s`;
    };
    const groups: { [group: string]: Set<string> } = {};
    for (const version of ['1.27.0', '1.34.0']) {
      const definitions = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', `k8s-v${version}-definitions.json`), 'utf-8'));
      for (const [name, definition] of Object.entries<any>(definitions.definitions ?? definitions)) {
        if (name.startsWith('io.k8s.apimachinery')) continue;
        for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
          if (!gvk.kind.endsWith('List')) (groups[gvk.group] ??= new Set()).add(plural(gvk.kind));
        }
      }
    }
    const derived = Object.fromEntries(Object.entries(groups).map(([g, r]) => [g, [...r].sort()]));
    expect(BUILTIN_API_RESOURCES).toEqual(derived);
    // The plural rule matches the API where it is irregular.
    expect(BUILTIN_API_RESOURCES['']).toEqual(expect.arrayContaining(['endpoints', 'componentstatuses', 'pods']));
    expect(BUILTIN_API_RESOURCES['networking.k8s.io']).toEqual(expect.arrayContaining(['ingresses', 'networkpolicies', 'ipaddresses']));
  });

  test('the presets pass the lint, and a custom group is not checked', () => {
    expect(() => AuditPolicy.production()).not.toThrow();
    expect(() => AuditPolicy.upstreamExample()).not.toThrow();
    expect(() => new AuditPolicy({ rules: [{ level: AuditLevel.METADATA, resources: [{ group: 'cert-manager.io', resources: ['certificates', 'Anything'] }] }] })).not.toThrow();
  });
});
