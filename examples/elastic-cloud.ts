import { App } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { SecurityLoggingChart } from 'cdk8s-security-logging';

// Ship to an Elastic Cloud deployment, by the Cloud ID on its page. The setup's
// credentials are a deployment user with the privileges the README lists:
//   kubectl -n security-logging create secret generic elastic-cloud-setup \
//     --from-literal=username=seclog-setup --from-literal=password='...'
const app = new App();
new SecurityLoggingChart(app, 'security-logging', {
  clusterName: 'shop-prod',
  deployKibana: false,
  elasticCloud: {
    cloudId: 'security-logs:ZXVyb3BlLXdlc3QxLmdjcC5jbG91ZC5lcy5pbyRhYmMxMjMkZGVmNDU2',
    version: '9.5.7',
    setupCredentials: kplus.Secret.fromSecretName(app, 'SetupCredentials', 'elastic-cloud-setup'),
  },
});
app.synth();
