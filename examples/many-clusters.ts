import { ApiObject, App, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { SecurityLoggingChart } from 'cdk8s-security-logging';

// One Elasticsearch and Kibana in a central cluster; two workload clusters ship to it,
// each with its own cluster name and its agents' own API keys. The central setup puts
// the templates, policies and pipelines; a workload's only checks they are the same,
// and its setup credentials may make API keys but not delete or rewrite any logs.
const root = process.env.CDK8S_OUTDIR ?? 'dist';
const host = 'logs.central.example.com';

const central = new App({ outdir: `${root}/central` });
const hub = new SecurityLoggingChart(central, 'security-logging', {
  clusterName: 'central',
  elasticsearch: { httpHostNames: [host] },
  // The workload clusters' egress addresses, through the load balancer below.
  elasticsearchClientCidrs: ['192.0.2.0/24'],
});
const publicService = new kplus.Service(hub, 'PublicElasticsearch', {
  metadata: { name: 'elasticsearch-public' },
  type: kplus.ServiceType.LOAD_BALANCER,
  loadBalancerSourceRanges: ['192.0.2.0/24'],
  ports: [{ name: 'http', port: 9200, targetPort: 9200 }],
});
for (const [key, value] of Object.entries(hub.elasticsearch.clientPodLabels)) publicService.selectLabel(key, value);
// Keep the clients' addresses, which the NetworkPolicy checks.
ApiObject.of(publicService).addJsonPatch(JsonPatch.add('/spec/externalTrafficPolicy', 'Local'));
central.synth();

for (const cluster of ['workload-a', 'workload-b']) {
  const app = new App({ outdir: `${root}/${cluster}` });
  new SecurityLoggingChart(app, 'security-logging', {
    clusterName: cluster,
    deployKibana: false,
    externalElasticsearch: {
      url: `https://${host}:9200`,
      version: hub.elasticsearch.version,
      // The same replicas as the central cluster's own setup: the same templates.
      indexReplicas: hub.elasticsearch.indexReplicas,
      putTemplates: false,
      setupCredentials: kplus.Secret.fromSecretName(app, 'SetupCredentials', 'elasticsearch-setup-credentials'),
      // The central cluster's CA: kubectl -n security-logging get secret elasticsearch-certs -o jsonpath='{.data.ca\.crt}'
      caSecret: kplus.Secret.fromSecretName(app, 'CentralCa', 'central-ca'),
      egressCidrs: ['198.51.100.10/32'],
    },
  });
  app.synth();
}
