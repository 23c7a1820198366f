import { App } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { SecurityLoggingChart } from 'cdk8s-security-logging';

const app = new App();
const stack = new SecurityLoggingChart(app, 'security-logging', {
  // The Ingress controller's pods may reach Kibana on 5601 (NetworkPolicy).
  kibanaClientNamespaces: ['ingress-nginx'],
  kibana: { publicBaseUrl: 'https://kibana.example.com' },
});

// Kibana serves HTTPS: the controller must speak HTTPS to it.
const ingress = new kplus.Ingress(stack, 'KibanaIngress', {
  metadata: { name: 'kibana', annotations: { 'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS' } },
  className: 'nginx',
});
ingress.addHostDefaultBackend('kibana.example.com', kplus.IngressBackend.fromService(stack.kibana.service));
ingress.addTls([{ hosts: ['kibana.example.com'], secret: kplus.Secret.fromSecretName(stack, 'KibanaTls', 'kibana-example-com-tls') }]);
app.synth();
