import { App } from 'cdk8s';
import { ContainerLogFormat, SecurityLoggingChart } from 'cdk8s-security-logging';

const app = new App();
new SecurityLoggingChart(app, 'security-logging', {
  namespace: 'security-logging',
  elasticsearch: { replicas: 3 },
  fluentd: { containerLogFormat: ContainerLogFormat.CRI },
});
app.synth();
