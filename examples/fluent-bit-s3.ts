import { App, Chart, Size } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ElasticsearchCluster, ElasticsearchSetup, FluentBitDaemonSet, KubernetesEventsCollector, S3Credentials,
} from 'cdk8s-security-logging';

export class FluentBitChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'logging' });

    const elasticsearch = new ElasticsearchCluster(this, 'Elasticsearch', { replicas: 3 });
    new FluentBitDaemonSet(this, 'FluentBit', {
      elasticsearch,
      // Everything to S3 as well, through the ServiceAccount's IAM role (IRSA).
      s3Archive: {
        bucket: 'acme-security-logs',
        region: 'eu-west-1',
        credentials: S3Credentials.serviceAccountRole('arn:aws:iam::123456789012:role/security-logging-archive'),
        totalFileSize: Size.mebibytes(100),
      },
    });
    new KubernetesEventsCollector(this, 'Events', { elasticsearch });
    new ElasticsearchSetup(this, 'Setup', { elasticsearch });
  }
}

const app = new App();
new FluentBitChart(app, 'fluent-bit-logging');
app.synth();
