import { App } from 'cdk8s';
import { AuditLevel, AuditPolicy, AuditStage, SecurityLoggingChart } from 'cdk8s-security-logging';

// Every exec into a pod at RequestResponse, then the production policy (first match wins).
const policy = new AuditPolicy({
  rules: [
    { level: AuditLevel.REQUEST_RESPONSE, resources: [{ group: '', resources: ['pods/exec', 'pods/attach'] }], omitStages: [AuditStage.REQUEST_RECEIVED] },
    ...AuditPolicy.production().rules,
  ],
});

const app = new App();
export const stack = new SecurityLoggingChart(app, 'security-logging', {
  audit: { policy, maxAgeDays: 90 },
});
// Writes the manifests, and the kubeadm side into dist/apiserver/ (kubectl apply -f dist/
// does not read it): kubeadm init --config dist/apiserver/kubeadm-v1beta4-cluster-configuration.yaml
app.synth();
