import { App } from 'cdk8s';
import { SecurityLoggingChart } from 'cdk8s-security-logging';

// Ship to the Elasticsearch `logs` that ECK runs in the namespace `elastic-system`
// of the same Kubernetes cluster: its Service, CA and elastic user are found by
// ECK's names, and each agent gets an API key of its own.
const app = new App();
new SecurityLoggingChart(app, 'security-logging', {
  clusterName: 'shop-prod',
  deployKibana: false,
  eckElasticsearch: { elasticsearchName: 'logs', elasticsearchNamespace: 'elastic-system', version: '9.5.7' },
});
app.synth();
