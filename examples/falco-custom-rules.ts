import { App } from 'cdk8s';
import { FalcoPriority, SecurityLoggingChart } from 'cdk8s-security-logging';

const app = new App();
const stack = new SecurityLoggingChart(app, 'security-logging', {
  falco: { priority: FalcoPriority.WARNING },
});
const falco = stack.falcoDaemonSet;
if (falco === undefined) throw new Error('Falco is on by default');

falco.addList({ name: 'shell_binaries_custom', items: ['bash', 'sh'] });
falco.addRule({
  name: 'Shell in prod container',
  desc: 'A shell was spawned in a production container',
  condition: 'spawned_process and container and k8s.ns.name = "prod" and proc.name in (shell_binaries_custom)',
  output: 'Shell in prod (user=%user.name pod=%k8s.pod.name cmd=%proc.cmdline)',
  priority: FalcoPriority.CRITICAL,
  tags: ['mitre_execution'],
});
app.synth();
