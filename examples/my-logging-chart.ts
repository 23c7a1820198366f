import { App, Chart, Size } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ElasticsearchCluster, ElasticsearchSetup, FluentdDaemonSet, Kibana, SecurityLoggingNamespace, SecurityLoggingNetworkPolicies,
} from 'cdk8s-security-logging';

export class MyLoggingChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'logging' });

    // First: the Namespace, labelled with the Pod Security level its pods meet.
    new SecurityLoggingNamespace(this, 'Namespace');
    const elasticsearch = new ElasticsearchCluster(this, 'Elasticsearch', {
      replicas: 3,
      memoryLimit: Size.gibibytes(4), // heap: 2 GiB
    });
    new Kibana(this, 'Kibana', { elasticsearch });
    new FluentdDaemonSet(this, 'Fluentd', { elasticsearch });
    // Last: the writers' and Kibana's credentials, an index template and lifecycle
    // policy for every family the writers use, and the NetworkPolicies.
    new ElasticsearchSetup(this, 'Setup', { elasticsearch });
    new SecurityLoggingNetworkPolicies(this, 'NetworkPolicies', { elasticsearch });
  }
}

const app = new App();
new MyLoggingChart(app, 'my-logging');
app.synth();
