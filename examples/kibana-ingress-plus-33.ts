import { App } from 'cdk8s';
import * as kplus33 from 'cdk8s-plus-33';
import { SecurityLoggingChart } from 'cdk8s-security-logging';

// A project made by `cdk8s init` uses cdk8s-plus-33, whose Ingress cannot take the
// library's (cdk8s-plus-27) Service object: refer to Kibana by name and port instead.
const app = new App();
const stack = new SecurityLoggingChart(app, 'security-logging', {
  kibanaClientNamespaces: ['ingress-nginx'],
  kibana: { publicBaseUrl: 'https://kibana.example.com' },
});
new kplus33.k8s.KubeIngress(stack, 'KibanaIngress', {
  metadata: { name: 'kibana', annotations: { 'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS' } },
  spec: {
    ingressClassName: 'nginx',
    tls: [{ hosts: ['kibana.example.com'], secretName: 'kibana-example-com-tls' }],
    rules: [{
      host: 'kibana.example.com',
      http: {
        paths: [{
          path: '/', pathType: 'Prefix',
          backend: { service: { name: stack.kibana.serviceName, port: { number: stack.kibana.port } } },
        }],
      },
    }],
  },
});
app.synth();
