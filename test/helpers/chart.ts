import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { FluentdDaemonSet, SecurityLoggingChart, SecurityLoggingChartProps } from '../../src';

/** A full stack in the `security-logging` namespace, with the given props. */
export function stackOf(props: SecurityLoggingChartProps = {}): SecurityLoggingChart {
  return new SecurityLoggingChart(Testing.app(), 'stack', props);
}

/** The objects of both charts of a stack: its own namespace's, then the agents'. */
export function stackObjects(chart: SecurityLoggingChart): any[] {
  return [...Testing.synth(chart), ...Testing.synth(chart.agentsChart)];
}

/** The Job whose name starts with `prefix` (Jobs are named by their content). */
export function jobNamed(objects: any[], prefix: string): any {
  const job = objects.find((o) => o.kind === 'Job' && o.metadata.name.startsWith(prefix));
  if (!job) throw new Error(`no Job named ${prefix}*`);
  return job;
}

/** The files of that Job: the data of the ConfigMap its pod mounts first (at /setup). */
export function jobFiles(objects: any[], prefix: string): { [file: string]: string } {
  const job = jobNamed(objects, prefix);
  return objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === job.spec.template.spec.volumes[0].configMap.name).data;
}

/** A test chart with a namespace, as the stacks use. */
export function testChart(namespace = 'logging'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

/** Synthesized objects of a kind (validated against the schemas by the test setup). */
export function objectsOf(chart: Chart, kind: string): any[] {
  return Testing.synth(chart).filter((o) => o.kind === kind);
}

/** The single object of a kind and name. */
export function objectNamed(chart: Chart, kind: string, name: string): any {
  const found = Testing.synth(chart).filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0];
}

/** The synthesized objects of one component: those labelled `app.kubernetes.io/name: <name>`. */
export function objectsLabelled(chart: Chart, name: string): any[] {
  return Testing.synth(chart).filter((o) => o.metadata.labels?.['app.kubernetes.io/name'] === name);
}

/** A Fluent Bit ConfigMap's configuration, parsed. */
export function fluentBitYaml(chart: Chart, configMap = 'fluent-bit-config'): any {
  return parse(objectNamed(chart, 'ConfigMap', configMap).data['fluent-bit.yaml']);
}

/** The Fluentd agent of a stack that runs it (the default). */
export function fluentdOf(chart: SecurityLoggingChart): FluentdDaemonSet {
  if (!chart.fluentd) throw new Error('this stack runs no Fluentd');
  return chart.fluentd;
}
