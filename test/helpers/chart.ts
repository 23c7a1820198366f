import { Chart, Testing } from 'cdk8s';
import { FluentdDaemonSet, SecurityLoggingChart } from '../../src';

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

/** The Fluentd agent of a stack that runs it (the default). */
export function fluentdOf(chart: SecurityLoggingChart): FluentdDaemonSet {
  if (!chart.fluentd) throw new Error('this stack runs no Fluentd');
  return chart.fluentd;
}
