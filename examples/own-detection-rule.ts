import { App } from 'cdk8s';
import {
  DetectionCondition, DetectionRule, DetectionRuleSeverity, DetectionRules, KibanaDetectionRulesImport, MitreTactic, MitreTechnique,
  SecurityLoggingChart,
} from 'cdk8s-security-logging';

const app = new App();
const stack = new SecurityLoggingChart(app, 'security-logging');
const audit = stack.indexTemplates['seclog-audit'];

// A rule of your own beside the built-in ones, imported by a Job of its own.
export const rules = new DetectionRules();
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
new KibanaDetectionRulesImport(stack, 'MyRules', { kibana: stack.kibana, rules, name: 'my-rules' });
app.synth();
