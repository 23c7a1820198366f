import { App } from 'cdk8s';
import {
  BuiltInDetectionRules, DetectionCondition, DetectionRule, DetectionRuleSeverity, MitreTactic, MitreTechnique, SecurityLoggingChart,
} from 'cdk8s-security-logging';

const app = new App();
const stack = new SecurityLoggingChart(app, 'security-logging');
const audit = stack.indexTemplates['seclog-audit'];

// The built-in rules on the stack's audit events, and one of your own.
export const rules = BuiltInDetectionRules.of({ audit });
rules.addRule(DetectionRule.query({
  ruleId: 'my-pods-in-kube-system', name: 'A pod created in kube-system by a person',
  description: 'kube-system holds the control plane; people do not create pods there.',
  severity: DetectionRuleSeverity.MEDIUM, riskScore: 47,
  techniques: [MitreTechnique.of(MitreTactic.EXECUTION, 'T1610', 'Deploy Container')],
  indexTemplates: [audit],
  condition: DetectionCondition.and(
    DetectionCondition.is('kubernetes.audit.objectRef.resource', 'pods'),
    DetectionCondition.is('kubernetes.audit.verb', 'create'),
    DetectionCondition.is('orchestrator.namespace', 'kube-system'),
    DetectionCondition.not(DetectionCondition.startsWith('user.name', 'system:')),
  ),
}));
app.synth();
