import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { markedBlock } from './helpers/ecs-table';
import { kqlMatch, valuesAt } from './helpers/kql';
import { rulesTable } from './helpers/rules-table';
import { runPipeline } from './helpers/ingest-model';
import { BuiltInDetectionRules, DetectionRule, DetectionRuleType, IndexTemplate, SecurityLoggingChart } from '../src';
import { dedotKeys } from './helpers/dedot';

/**
 * Each built-in rule against positive and negative samples: the sources' real samples and
 * samples written in their real formats (test/fixtures/README.md), shipped as the agents
 * ship them (Falco's and KubeArmor's keys de-dotted, as the route models of falco.test.ts
 * and kubearmor.test.ts show), indexed through the family's own pipeline, and matched by
 * the query text the rule ships (test/helpers/kql.ts). Threshold rules count the matches
 * per group, new-terms rules look for a value the history lacks.
 */
const stack = new SecurityLoggingChart(Testing.app(), 'stack', {});
const templates = stack.indexTemplates;
const rules = BuiltInDetectionRules.of({
  falco: templates['seclog-falco'], kubeArmorAlerts: templates['seclog-kubearmor-alerts'], kubeArmorLogs: templates['seclog-kubearmor-logs'],
  audit: templates['seclog-audit'], kubernetesEvents: templates['seclog-events'], journal: templates['seclog-journal'],
}).rules;
const rule = (id: string) => {
  const found = rules.find((r) => r.ruleId === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};

const lines = (file: string) => fs.readFileSync(path.join(__dirname, 'fixtures', file), 'utf-8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
/** A record as Elasticsearch indexes it: through its family's pipeline. */
const indexed = (template: IndexTemplate, record: any) => {
  if (!template.pipeline) throw new Error(`no pipeline for ${template.name}`);
  return runPipeline(template.pipeline.toJson() as any, { '@timestamp': '2026-07-29T15:00:00.000000000Z', orchestrator_cluster_name: 'prod', ...record, _index: template.name });
};
const matches = (r: DetectionRule, doc: any) => kqlMatch(r.toJson().query, doc);
/** The groups a threshold rule alerts on in one run of `docs`. */
const thresholdAlerts = (r: DetectionRule, docs: any[]) => {
  const { field, value } = r.toJson().threshold;
  const counts = new Map<string, number>();
  for (const d of docs.filter((x) => matches(r, x))) {
    const key = JSON.stringify((field as string[]).map((f) => valuesAt(d, f)[0]));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n >= value).map(([k]) => JSON.parse(k));
};
const times = <X>(n: number, x: X) => Array.from({ length: n }, () => x);

const falco = lines('falco-alerts-0.44.jsonl').map((a) => indexed(templates['seclog-falco'], dedotKeys(a)));
const kubeArmorAlerts = lines('kubearmor-alerts.jsonl').map((a) => indexed(templates['seclog-kubearmor-alerts'], dedotKeys(a)));
const kubeArmorLogs = lines('kubearmor-logs.jsonl').map((a) => indexed(templates['seclog-kubearmor-logs'], dedotKeys(a)));
const audit = [...lines('k8s-audit-events.jsonl'), ...lines('k8s-audit-events-legacy-v1beta1.jsonl'), ...lines('k8s-audit-events-constructed.jsonl')]
  .map((e) => indexed(templates['seclog-audit'], e));
const REAL_AUDIT = lines('k8s-audit-events.jsonl').length;
const LEGACY = REAL_AUDIT + lines('k8s-audit-events-legacy-v1beta1.jsonl').length;
/** The constructed audit event `i` of k8s-audit-events-constructed.jsonl. */
const made = (i: number) => LEGACY + i;
const journal = lines('journal-entries.jsonl').map((e) => indexed(templates['seclog-journal'],
  Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith('__')))));
/** A core/v1 Event as the events collector ships it, seen `count` times. */
const kubeEvent = (reason: string, pod: string, count = 1) => indexed(templates['seclog-events'], {
  kind: 'Event', apiVersion: 'v1', metadata: { name: `${pod}.18a2b3c4d5e6f708`, namespace: 'shop' }, reason, type: reason === 'Pulled' ? 'Normal' : 'Warning',
  message: reason === 'BackOff' ? 'Back-off restarting failed container app in pod' : 'MountVolume.SetUp failed', count,
  involvedObject: { kind: 'Pod', namespace: 'shop', name: pod, apiVersion: 'v1', fieldPath: 'spec.containers{app}' },
  source: { component: 'kubelet', host: 'worker-1' }, firstTimestamp: '2026-07-29T15:00:00Z', lastTimestamp: '2026-07-29T15:00:00Z',
});

/** Per query rule: the sample documents and which of them it must match (by index). */
const QUERY_CASES: Array<[string, any[], number[]]> = [
  ['seclog-falco-critical-alert', falco, [2]],
  ['seclog-kubearmor-block', kubeArmorAlerts, [0, 2, 3, 5, 6, 7, 9, 10, 11]],
  ['seclog-container-shell-or-package-manager', kubeArmorLogs, [0, 3]],
  // The session's start, not its end again (made(17)).
  ['seclog-k8s-exec-or-attach', audit, [made(0), made(1)]],
  // A person's and a workload's service account's reads; not the controller manager's, not a forbidden list.
  ['seclog-k8s-secret-read-by-user', audit, [made(3), made(18)]],
  ['seclog-k8s-cluster-admin-binding', audit, [made(6)]],
  // Not the real v1beta1 sample's privileged nginx pod, which its ReplicaSet's controller created, nor one PodSecurity refused (made(19)).
  // A privileged init container and a privileged debug container too; not an unprivileged one (made(24)).
  ['seclog-k8s-privileged-or-host-pod', audit, [made(8), made(9), made(10), made(22), made(23)]],
  // The real v1beta1 sample (system:anonymous allowed to create a namespace) and /metrics; not /readyz.
  ['seclog-k8s-anonymous-request-allowed', audit, [REAL_AUDIT + 1, made(21)]],
  ['seclog-k8s-token-request-by-user', audit, [made(13)]],
  // A user's, and cert-manager's cainjector (a workload's account: a documented false positive).
  ['seclog-k8s-admission-webhook-changed', audit, [made(15), made(16)]],
  ['seclog-k8s-repeated-backoff-or-failed-mount', [kubeEvent('BackOff', 'web-1', 12), kubeEvent('FailedMount', 'web-2', 10), kubeEvent('BackOff', 'web-3', 9), kubeEvent('Pulled', 'web-4', 30)], [0, 1]],
  ['seclog-node-sudo-failure', journal, [4]],
];

describe('every built-in query rule matches its positive samples and none of its negative ones', () => {
  test.each(QUERY_CASES)('%s', (id, docs, positive) => {
    const r = rule(id);
    expect(r.type).toBe(DetectionRuleType.QUERY);
    expect(docs.every((d) => !(d.tags ?? []).includes('pipeline_error'))).toBe(true);
    expect(docs.map((d, i) => [i, matches(r, d)]).filter(([, m]) => m).map(([i]) => i)).toEqual(positive);
    // Positive and negative samples both.
    expect([positive.length > 0, positive.length < docs.length]).toEqual([true, true]);
  });
});

describe('every built-in threshold rule alerts on a group that reaches it, and not one below it or of other events', () => {
  test.each<[string, any[], any[], any[]]>([
    ['seclog-falco-alert-burst-on-node', times(20, falco[3]), [...times(19, falco[3]), ...times(20, falco[4]), ...times(20, falco[0])], [['prod', falco[3].host.name]]],
    ['seclog-kubearmor-block-spike', times(10, kubeArmorAlerts[0]), [...times(9, kubeArmorAlerts[0]), ...times(10, kubeArmorAlerts[1]), ...times(10, kubeArmorAlerts[9])], [['prod', 'default', 'nginx-8f458dc5b-fl42t']]],
    ['seclog-node-ssh-brute-force', times(10, journal[1]), [...times(9, journal[1].host ? { ...journal[1], host: { name: 'worker-9' } } : journal[1]), ...times(10, journal[0])], [['prod', 'worker-1', '203.0.113.9']]],
  ])('%s', (id, positive, negative, groups) => {
    const r = rule(id);
    expect(r.type).toBe(DetectionRuleType.THRESHOLD);
    expect(thresholdAlerts(r, [...positive, ...negative])).toEqual(groups);
    expect(thresholdAlerts(r, negative)).toEqual([]);
    // Half of the group in each of two clusters that ship to one Elasticsearch: two groups below the threshold.
    const elsewhere = (d: any) => ({ ...d, orchestrator: { ...d.orchestrator, cluster: { name: 'staging' } } });
    const half = Math.ceil(positive.length / 2);
    expect(thresholdAlerts(r, [...positive.slice(0, half), ...positive.slice(half).map(elsewhere)])).toEqual([]);
  });
});

test('the new-terms rule alerts on an API client the history lacks, and not on one it has or on the control plane', () => {
  const r = rule('seclog-k8s-new-api-client');
  expect(r.toJson()).toMatchObject({ type: 'new_terms', new_terms_fields: ['orchestrator.cluster.name', 'user_agent.original'], history_window_start: 'now-14d' });
  const history = [audit[0], audit[made(3)]];
  const field = (d: any) => valuesAt(d, 'user_agent.original')[0];
  const seen = new Set(history.filter((d) => matches(r, d)).map(field));
  const isNew = (d: any) => matches(r, d) && !seen.has(field(d));
  // kubeadm (a real sample) is new; kubectl 1.34 is in the history; the controller manager is the control plane's.
  expect([isNew(audit[1]), isNew(audit[made(0)]), isNew(audit[2])]).toEqual([true, false, false]);
});

test('at least 15 rules, and every one has samples here', () => {
  expect(rules.length).toBeGreaterThanOrEqual(15);
  const tested = new Set([...QUERY_CASES.map(([id]) => id), 'seclog-falco-alert-burst-on-node', 'seclog-kubearmor-block-spike',
    'seclog-node-ssh-brute-force', 'seclog-k8s-new-api-client']);
  expect(rules.map((r) => r.ruleId).filter((id) => !tested.has(id))).toEqual([]);
});

test('a family left out leaves its rules out; a family that is no template is refused', () => {
  expect(BuiltInDetectionRules.of({ audit: templates['seclog-audit'] }).rules.map((r) => r.ruleId).every((id) => id.startsWith('seclog-k8s-'))).toBe(true);
  expect(BuiltInDetectionRules.of({}).rules).toEqual([]);
  expect(() => BuiltInDetectionRules.of({ falco: 'seclog-falco' } as any)).toThrow(/built-in detection rules falco/);
});

test('the README lists every rule: what it detects, its query, kind, severity and technique', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');
  expect(markedBlock(readme, 'detection-rules')).toBe(rulesTable(rules));
});
