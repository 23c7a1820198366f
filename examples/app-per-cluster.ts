import { App } from 'cdk8s';
import { SecurityLoggingChartProps, SecurityLoggingChart } from 'cdk8s-security-logging';

// One App per cluster, each with its own output folder to apply with that
// cluster's kubectl context: synthesis time grows linearly with the clusters.
const clusters: { name: string; props: SecurityLoggingChartProps }[] = [
  { name: 'prod-eu', props: { elasticsearch: { replicas: 3 } } },
  { name: 'prod-us', props: { elasticsearch: { replicas: 5 } } },
  { name: 'staging', props: { elasticsearch: { replicas: 1 } } },
];

// `cdk8s synth --output <dir>` sets CDK8S_OUTDIR.
const root = process.env.CDK8S_OUTDIR ?? 'dist';
for (const cluster of clusters) {
  const app = new App({ outdir: `${root}/${cluster.name}` });
  new SecurityLoggingChart(app, 'security-logging', cluster.props);
  app.synth();
}
