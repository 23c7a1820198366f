import { App, Chart, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { ElasticsearchCluster, ElasticsearchSetup, FluentdDaemonSet, Kibana } from 'cdk8s-security-logging';

export class MyLoggingChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'logging' });

    const elasticsearch = new ElasticsearchCluster(this, 'Elasticsearch', {
      replicas: 3,
      memoryLimit: Size.gibibytes(4), // heap: 2 GiB
    });
    new Kibana(this, 'Kibana', { elasticsearch });
    new FluentdDaemonSet(this, 'Fluentd', { elasticsearch });
    // Last: gives Kibana and Fluentd their credentials once the cluster is up.
    new ElasticsearchSetup(this, 'Setup', { elasticsearch });
  }
}

const app = new App();
new MyLoggingChart(app, 'my-logging');
app.synth();
