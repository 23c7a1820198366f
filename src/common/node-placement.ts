import * as kplus from 'cdk8s-plus-27';
import { validateLabelKey, validateLabelValue } from './validation';

/** How a toleration matches a taint's value. */
export enum TolerationOperator {
  /** Any value of the key (or, without a key, every taint). */
  EXISTS = 'Exists',
  /** The key with exactly this value. */
  EQUAL = 'Equal',
}

/** One taint the node agents tolerate. */
export interface NodeAgentToleration {
  /**
   * Taint key.
   * @default - every key (only with `TolerationOperator.EXISTS`)
   */
  readonly key?: string;

  /**
   * How the value is matched.
   * @default TolerationOperator.EXISTS
   */
  readonly operator?: TolerationOperator;

  /**
   * The value, with `TolerationOperator.EQUAL`.
   * @default - none
   */
  readonly value?: string;

  /**
   * The effect tolerated.
   * @default - every effect
   */
  readonly effect?: kplus.TaintEffect;
}

/**
 * The nodes the node agents run on: the log agent (Fluentd or Fluent Bit) and Falco,
 * which collect from every node (container logs, the audit log on control-plane
 * nodes, Falco's alerts). A source only reaches Elasticsearch from nodes where the
 * agent runs, so a chart gives all of them the same placement.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
 */
export interface NodeAgentPlacement {
  /**
   * Only nodes that carry every one of these labels.
   * @default - every node
   */
  readonly nodeSelector?: { [key: string]: string };

  /**
   * The taints tolerated.
   * @default - every taint (one toleration with `operator: Exists` and no key), so
   * that dedicated, GPU and control-plane nodes are covered too
   */
  readonly tolerations?: NodeAgentToleration[];
}

/** A placement with its defaults resolved and checked. @internal */
export interface ResolvedPlacement {
  readonly nodeSelector: { [key: string]: string };
  readonly tolerations: ResolvedToleration[];
}

/** A checked toleration. @internal */
export interface ResolvedToleration {
  readonly key?: string;
  readonly operator: TolerationOperator;
  readonly value?: string;
  readonly effect?: kplus.TaintEffect;
}

/** Every node: no selector, every taint tolerated. */
const EVERY_NODE: ResolvedPlacement = { nodeSelector: {}, tolerations: [{ operator: TolerationOperator.EXISTS }] };

/** Checks a placement prop and fills in its defaults. */
export function resolvePlacement(prop: string, placement: NodeAgentPlacement | undefined): ResolvedPlacement {
  if (placement === undefined) return EVERY_NODE;
  if (placement === null || typeof placement !== 'object' || Array.isArray(placement)) {
    throw new Error(`${prop} must be an object with nodeSelector and/or tolerations, got ${JSON.stringify(placement)}`);
  }
  const nodeSelector = { ...(placement.nodeSelector ?? {}) };
  for (const [key, value] of Object.entries(nodeSelector)) {
    validateLabelKey(`${prop}.nodeSelector key`, key);
    validateLabelValue(`${prop}.nodeSelector[${JSON.stringify(key)}]`, value);
  }
  const effects = Object.values(kplus.TaintEffect) as string[];
  const operators = Object.values(TolerationOperator) as string[];
  if (placement.tolerations !== undefined && !Array.isArray(placement.tolerations)) {
    throw new Error(`${prop}.tolerations must be a list of tolerations, got ${JSON.stringify(placement.tolerations)}`);
  }
  const tolerations = (placement.tolerations ?? EVERY_NODE.tolerations).map((t, i): ResolvedToleration => {
    const where = `${prop}.tolerations[${i}]`;
    const operator = t.operator ?? TolerationOperator.EXISTS;
    if (!operators.includes(operator)) throw new Error(`${where}.operator must be one of ${operators.join(', ')}, got ${JSON.stringify(operator)}`);
    if (t.effect !== undefined && !effects.includes(t.effect)) throw new Error(`${where}.effect must be one of ${effects.join(', ')}, got ${JSON.stringify(t.effect)}`);
    if (t.key !== undefined) validateLabelKey(`${where}.key`, t.key);
    if (operator === TolerationOperator.EQUAL) {
      if (t.key === undefined) throw new Error(`${where}: operator Equal needs a key, got ${JSON.stringify(t)}`);
      validateLabelValue(`${where}.value`, t.value ?? '');
    } else if (t.value !== undefined) {
      throw new Error(`${where}: operator Exists matches any value; remove value ${JSON.stringify(t.value)} or use TolerationOperator.EQUAL`);
    }
    return { key: t.key, operator, value: operator === TolerationOperator.EQUAL ? (t.value ?? '') : undefined, effect: t.effect };
  });
  return { nodeSelector, tolerations };
}

/** Applies a placement to a DaemonSet: node affinity on the selector's labels, and the tolerations. */
export function applyPlacement(daemonSet: kplus.DaemonSet, placement: ResolvedPlacement): void {
  const labels = Object.entries(placement.nodeSelector);
  if (labels.length > 0) {
    daemonSet.scheduling.attract(kplus.Node.labeled(...labels.map(([key, value]) => kplus.NodeLabelQuery.is(key, value))));
  }
  for (const t of placement.tolerations) {
    const options = { effect: t.effect };
    const query = t.key === undefined
      ? kplus.NodeTaintQuery.any()
      : t.operator === TolerationOperator.EQUAL
        ? kplus.NodeTaintQuery.is(t.key, t.value ?? '', options)
        : kplus.NodeTaintQuery.exists(t.key, options);
    daemonSet.scheduling.tolerate(kplus.Node.tainted(query));
  }
}

/**
 * Whether a toleration of `outer` tolerates whatever `inner` does: no key tolerates
 * every key, Exists every value, no effect every effect.
 */
function tolerationCovers(outer: ResolvedToleration, inner: ResolvedToleration): boolean {
  if (outer.key === undefined) return outer.effect === undefined || outer.effect === inner.effect;
  if (inner.key !== outer.key) return false;
  if (outer.operator === TolerationOperator.EQUAL && (inner.operator !== TolerationOperator.EQUAL || inner.value !== outer.value)) return false;
  return outer.effect === undefined || outer.effect === inner.effect;
}

/**
 * Whether every node `inner` places a pod on is one `outer` places a pod on: `outer`
 * asks for no label `inner` does not, and tolerates every taint `inner` tolerates.
 */
export function placementCovers(outer: ResolvedPlacement, inner: ResolvedPlacement): boolean {
  const labels = Object.entries(outer.nodeSelector).every(([key, value]) => inner.nodeSelector[key] === value);
  return labels && inner.tolerations.every((t) => outer.tolerations.some((o) => tolerationCovers(o, t)));
}

/** Whether no node can take pods of both placements: their selectors want different values of one label. */
export function placementsDisjoint(a: ResolvedPlacement, b: ResolvedPlacement): boolean {
  return Object.entries(a.nodeSelector).some(([key, value]) => b.nodeSelector[key] !== undefined && b.nodeSelector[key] !== value);
}

/** The taints of control-plane nodes, where the API server writes its audit log. */
export const CONTROL_PLANE_TAINTS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

/** Whether the placement tolerates the control-plane taints (NoSchedule). */
export function toleratesControlPlane(placement: ResolvedPlacement): boolean {
  return CONTROL_PLANE_TAINTS.every((key) => placement.tolerations.some((o) => tolerationCovers(o, {
    key, operator: TolerationOperator.EXISTS, effect: kplus.TaintEffect.NO_SCHEDULE,
  })));
}

/** A placement, for messages. */
export function describePlacement(placement: ResolvedPlacement): string {
  return JSON.stringify({ nodeSelector: placement.nodeSelector, tolerations: placement.tolerations });
}

/** Throws unless an agent that collects the audit log runs on control-plane nodes. */
export function assertRunsOnControlPlane(agent: string, placement: ResolvedPlacement): void {
  if (toleratesControlPlane(placement)) return;
  throw new Error(
    `${agent} placement does not tolerate the control-plane taints (${CONTROL_PLANE_TAINTS.map((k) => `${k}:NoSchedule`).join(', ')}), ` +
    `but the API server writes its audit log there, so no audit event would be shipped; got ${describePlacement(placement)}: ` +
    'add tolerations of both keys, or leave placement.tolerations unset (every taint)',
  );
}
