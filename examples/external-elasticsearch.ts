import { App } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { SecurityLoggingChart } from 'cdk8s-security-logging';

// A cluster that ships to an Elasticsearch run elsewhere, by URL. First, in the
// stack's namespace, the setup's credentials and the CA that signed the cluster's
// certificate (leave caSecret out when a public CA signed it):
//   kubectl create namespace security-logging
//   kubectl -n security-logging create secret generic elasticsearch-setup-credentials \
//     --from-literal=username=seclog-setup --from-literal=password='...'
//   kubectl -n security-logging create secret generic logs-ca --from-file=ca.crt
const app = new App();
new SecurityLoggingChart(app, 'security-logging', {
  clusterName: 'shop-prod',
  // That cluster's Kibana reads the data; import stack.savedObjects there.
  deployKibana: false,
  externalElasticsearch: {
    url: 'https://logs.example.com:9200',
    version: '9.5.7',
    setupCredentials: kplus.Secret.fromSecretName(app, 'SetupCredentials', 'elasticsearch-setup-credentials'),
    caSecret: kplus.Secret.fromSecretName(app, 'LogsCa', 'logs-ca'),
    // Where logs.example.com is: the consumers' egress goes there on 9200 only.
    egressCidrs: ['10.20.0.0/16'],
  },
});
app.synth();
