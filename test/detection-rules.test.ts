import { Duration } from 'cdk8s';
import { kqlMatch, parseKql } from './helpers/kql';
import {
  AUDIT_EVENT_FIELDS, DetectionCondition as C, DetectionRule, DetectionRuleSeverity, DetectionRuleType, DetectionRules, FALCO_ALERT_FIELDS, MitreTactic, MitreTechnique,
  SecurityIndexTemplates,
} from '../src';

const [audit, falco] = SecurityIndexTemplates.of([
  { family: 'seclog-audit', fields: AUDIT_EVENT_FIELDS, retentionDays: 365 },
  { family: 'seclog-falco', fields: FALCO_ALERT_FIELDS, retentionDays: 90 },
]);
const exec = MitreTechnique.of(MitreTactic.EXECUTION, 'T1609', 'Container Administration Command');

describe('the KQL subset evaluator the rule tests use', () => {
  const doc = { event: { action: 'create', category: ['iam', 'configuration'] }, 'user.name': 'system:anonymous', process: { name: 'bash' }, n: 7, path: 'a:b(c)*d', empty: '' };

  test.each([
    ['event.action : "create"', true],
    ['event.action : "delete"', false],
    ['event.category : "iam"', true],
    ['event.category : ("web" or "configuration")', true],
    ['user.name : "system:anonymous"', true],
    ['user.name : system\\:anon*', true],
    ['user.name : system*', true],
    ['user.name : anon*', false],
    ['path : a\\:b\\(c\\)\\*d*', true],
    ['empty : *', true],
    ['process.name : *', true],
    ['process.pid : *', false],
    ['n >= 7', true],
    ['n >= 7.5', false],
    ['not event.action : "create"', false],
    ['event.action : "delete" or process.name : "bash" and n >= 8', false],
    ['(event.action : "delete" or process.name : "bash") and n >= 7', true],
    ['not (event.action : "delete" or n >= 8)', true],
  ])('%s → %s', (query, expected) => {
    expect(kqlMatch(query, doc)).toBe(expected);
  });

  test.each([
    ['an unquoted value without *', 'event.action : create'],
    ['a comparison outside the subset', 'n < 3'],
    ['a wildcard inside a value', 'event.action : cr*ate'],
    ['a trailing word', 'event.action : "create" create'],
    ['an escaped space (no KQL)', 'path : a\\ b*'],
  ])('refuses %s', (_name, query) => {
    expect(() => parseKql(query)).toThrow(/KQL/);
  });
});

describe('DetectionCondition renders KQL of the subset that means what the condition says', () => {
  const docs = [
    { event: { action: 'get' }, kubernetes: { audit: { objectRef: { resource: 'secrets' } } }, user: { name: 'alice' } },
    { event: { action: 'list' }, kubernetes: { audit: { objectRef: { resource: 'secrets' } } }, user: { name: 'system:serviceaccount:kube-system:x' } },
    { event: { action: 'create' }, kubernetes: { audit: { objectRef: { resource: 'pods', subresource: 'exec' } } }, user: { name: 'bob "the admin"' } },
    { event: { action: 'get', severity: 5 }, user: { name: 'a\\b' } },
  ];
  // Each condition beside the documents it must match, by index.
  test.each([
    ['is', C.is('event.action', 'get'), [0, 3]],
    ['oneOf', C.oneOf('event.action', ['list', 'create']), [1, 2]],
    ['exists', C.exists('kubernetes.audit.objectRef.subresource'), [2]],
    ['startsWith with a colon', C.startsWith('user.name', 'system:serviceaccount:'), [1]],
    ['a value with quotes', C.is('user.name', 'bob "the admin"'), [2]],
    ['a value with a backslash', C.is('user.name', 'a\\b'), [3]],
    ['atLeast', C.atLeast('event.severity', 5), [3]],
    ['and, not', C.and(C.is('kubernetes.audit.objectRef.resource', 'secrets'), C.not(C.startsWith('user.name', 'system:'))), [0]],
    ['or inside and', C.and(C.or(C.is('event.action', 'get'), C.is('event.action', 'create')), C.exists('kubernetes.audit.objectRef.resource')), [0, 2]],
  ])('%s', (_name, condition, expected) => {
    expect(docs.map((d, i) => [i, kqlMatch(condition.toKql(), d)]).filter(([, m]) => m).map(([i]) => i)).toEqual(expected);
  });

  test('fields are listed once, in order', () => {
    expect(C.and(C.is('a.b', 'x'), C.or(C.exists('c'), C.is('a.b', 'y'))).fields()).toEqual(['a.b', 'c']);
  });

  test.each([
    ['an empty value', () => C.is('a', ''), /value must be a non-empty single-line string/],
    ['a value on two lines', () => C.is('a', 'x\ny'), /value must be a non-empty single-line string/],
    ['no values', () => C.oneOf('a', []), /values must be a non-empty list of strings/],
    ['a field that is no path', () => C.is('a b', 'x'), /detection condition is\(\.\.\.\) field must be a dotted field path/],
    ['and of one', () => C.and(C.exists('a')), /needs at least 2 DetectionConditions/],
    ['not of a string (a JavaScript caller)', () => C.not('a : *' as any), /needs at least 1 DetectionCondition/],
    ['an infinite limit', () => C.atLeast('a', Infinity), /limit must be a finite number/],
    ['a prefix with a space (KQL cannot escape it)', () => C.startsWith('user.name', 'a b'), /prefix must not hold whitespace/],
  ])('refuses %s', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});

describe('DetectionRule renders the detection engine\'s import format', () => {
  const base = {
    ruleId: 'k8s-exec-into-pod', name: 'Exec into a pod', description: 'Someone ran a command in a container through the API server.',
    severity: DetectionRuleSeverity.MEDIUM, riskScore: 47, techniques: [exec], indexTemplates: [audit],
    condition: C.and(C.is('kubernetes.audit.objectRef.subresource', 'exec'), C.is('kubernetes.audit.verb', 'create')),
  };

  test('a query rule', () => {
    const json = DetectionRule.query(base).toJson();
    expect(json).toMatchObject({
      rule_id: 'k8s-exec-into-pod', type: 'query', language: 'kuery', index: ['seclog-audit', 'seclog-audit-*'], severity: 'medium', risk_score: 47,
      interval: '5m', from: 'now-6m', to: 'now', timestamp_override: 'event.ingested', enabled: true, version: 1,
      threat: [{
        framework: 'MITRE ATT&CK', tactic: { id: 'TA0002', name: 'Execution', reference: 'https://attack.mitre.org/tactics/TA0002/' },
        technique: [{ id: 'T1609', name: 'Container Administration Command', reference: 'https://attack.mitre.org/techniques/T1609/', subtechnique: [] }],
      }],
    });
    // The query is the condition's, and means it.
    const creating = { kubernetes: { audit: { objectRef: { subresource: 'exec' }, verb: 'create' } } };
    expect([kqlMatch(json.query, creating), kqlMatch(json.query, { kubernetes: { audit: { objectRef: { subresource: 'log' }, verb: 'get' } } })]).toEqual([true, false]);
  });

  test('a threshold rule and a new-terms rule, with sub-techniques under their technique', () => {
    const burst = DetectionRule.threshold({
      ...base, ruleId: 'falco-burst-on-node', indexTemplates: [falco], condition: C.exists('falco.rule'), groupBy: ['host.name'], threshold: 20,
      techniques: [MitreTechnique.of(MitreTactic.EXECUTION, 'T1609', 'Container Administration Command'), MitreTechnique.of(MitreTactic.CREDENTIAL_ACCESS, 'T1552.007', 'Unsecured Credentials: Container API')],
    });
    expect(burst.type).toBe(DetectionRuleType.THRESHOLD);
    expect(burst.toJson()).toMatchObject({ type: 'threshold', threshold: { field: ['host.name'], value: 20 }, index: ['seclog-falco', 'seclog-falco-*'] });
    expect(burst.toJson().threat[1]).toEqual({
      framework: 'MITRE ATT&CK', tactic: { id: 'TA0006', name: 'Credential Access', reference: 'https://attack.mitre.org/tactics/TA0006/' },
      technique: [{ id: 'T1552', name: 'Unsecured Credentials', reference: 'https://attack.mitre.org/techniques/T1552/', subtechnique: [{ id: 'T1552.007', name: 'Container API', reference: 'https://attack.mitre.org/techniques/T1552/007/' }] }],
    });
    const fresh = DetectionRule.newTerms({ ...base, ruleId: 'k8s-new-user-agent', condition: C.exists('user_agent.original'), newTermsFields: ['user_agent.original'], historyWindow: Duration.days(14) });
    expect(fresh.toJson()).toMatchObject({ type: 'new_terms', new_terms_fields: ['user_agent.original'], history_window_start: 'now-14d' });
  });

  test.each([
    ['a field no family maps', { condition: C.is('kubernetes.audit.nothere', 'x') }, /condition reads kubernetes.audit.nothere, which none of its families maps \(seclog-audit\)/],
    ['a number comparison on a keyword', { condition: C.atLeast('kubernetes.audit.verb', 3) }, /compares kubernetes.audit.verb as a number, which no family maps as one/],
    ['a value match on analysed text', { condition: C.is('kubernetes.audit.user.groups', 'system:masters') }, /matches kubernetes.audit.user.groups by value, which its families map as text/],
    ['an interval of 90 seconds', { interval: Duration.seconds(90) }, /detection rule k8s-exec-into-pod interval must be a whole number of minutes, got 1.5/],
    ['a rule id with capitals', { ruleId: 'Exec' }, /ruleId must be 3 to 100 lowercase letters, digits or '-', got "Exec"/],
    ['no technique', { techniques: [] }, /techniques must name at least one MITRE ATT&CK technique/],
    ['a severity that is no severity (a JavaScript caller)', { severity: 'urgent' }, /severity must be one of low, medium, high, critical, got "urgent"/],
    ['a risk score above 100', { riskScore: 101 }, /riskScore must be an integer from 0 to 100, got 101/],
    ['an interval that is no Duration', { interval: '5m' }, /interval must be a Duration/],
    ['a family that is no template', { indexTemplates: ['seclog-audit'] }, /indexTemplates/],
  ])('refuses %s', (_name, props, message) => {
    expect(() => DetectionRule.query({ ...base, ...(props as object) } as any)).toThrow(message);
  });

  test.each([
    ['a threshold group on a text field', () => DetectionRule.threshold({ ...base, groupBy: ['kubernetes.audit.user.groups'], threshold: 5 } as any), /groupBy field kubernetes.audit.user.groups must be mapped as an aggregatable type/],
    ['four new-terms fields', () => DetectionRule.newTerms({ ...base, newTermsFields: ['a', 'b', 'c', 'd'], historyWindow: Duration.days(7) }), /newTermsFields must be 1 to 3 field names/],
    ['a history window of a year', () => DetectionRule.newTerms({ ...base, newTermsFields: ['user.name'], historyWindow: Duration.days(365) }), /historyWindow must be 1 to 90 days, got 365/],
    ['a technique id that is no ATT&CK id', () => MitreTechnique.of(MitreTactic.EXECUTION, '1609', 'x'), /mitre technique id must be T followed by 4 digits/],
  ])('refuses %s', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});

describe('DetectionRules', () => {
  const rule = (ruleId: string) => DetectionRule.query({
    ruleId, name: ruleId, description: 'd', severity: DetectionRuleSeverity.LOW, riskScore: 21, techniques: [exec], indexTemplates: [audit], condition: C.is('kubernetes.audit.verb', 'create'),
  });

  test('one rule per NDJSON line, in the order added; a second rule of one id is refused', () => {
    const rules = new DetectionRules([rule('rule-a')]);
    rules.addRule(rule('rule-b'));
    const lines = rules.renderNdjson().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l).rule_id)).toEqual(['rule-a', 'rule-b']);
    expect(() => rules.addRule(rule('rule-a'))).toThrow(/a rule rule-a is there already/);
    expect(() => rules.addRule({ ruleId: 'x' } as any)).toThrow(/detection rules rule/);
    rules.rules.pop();
    expect(rules.rules).toHaveLength(2);
  });
});
