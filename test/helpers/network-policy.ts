/**
 * A small, pure evaluator of Kubernetes `networking.k8s.io/v1` NetworkPolicy semantics
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/) over plain
 * manifest objects, as parsed from YAML or synthesized by cdk8s.
 *
 * Modelled: pod isolation per direction (`podSelector` + `policyTypes`, with the API's
 * defaulting), additive rules, `podSelector` / `namespaceSelector` peers (alone or ANDed in one
 * peer), `ipBlock` (IPv4 `cidr` and `except`), numeric `port` with `endPort`, protocols, and the
 * automatic `kubernetes.io/metadata.name` namespace label.
 *
 * Not modelled (the cluster or the network plugin decide these): the exception that traffic
 * between a pod and its own node is always allowed, a pod's traffic to itself, hostNetwork pods
 * (which policies do not govern), named ports (they throw), IPv6 peers (they throw), and
 * reply traffic (a connection is judged in the direction it is opened).
 */

import { WORKLOAD_KINDS } from './dist';

/** The protocols a NetworkPolicy port can name. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** A pod as the policies see it: its namespace and labels. */
export interface Endpoint {
  namespace: string;
  labels: { [key: string]: string };
  /** The pod's IPv4 address. Only `ipBlock` peers look at it; without it no `ipBlock` matches the pod. */
  ip?: string;
}

/** A peer that is not a pod (a node or its kubelet, the API server, an outside address), known by its IPv4 address. */
export interface IpPeer {
  ip: string;
}

/** One `matchExpressions` entry. */
export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[] | null;
}

/** A Kubernetes label selector (`matchLabels` and `matchExpressions`). */
export interface LabelSelector {
  matchLabels?: { [key: string]: string } | null;
  matchExpressions?: LabelSelectorRequirement[] | null;
}

interface IpBlock {
  cidr: string;
  except?: string[] | null;
}

interface NetworkPolicyPeer {
  podSelector?: LabelSelector | null;
  namespaceSelector?: LabelSelector | null;
  ipBlock?: IpBlock | null;
}

interface NetworkPolicyPort {
  protocol?: Protocol | null;
  port?: number | string | null;
  endPort?: number | null;
}

interface NetworkPolicyRule {
  from?: NetworkPolicyPeer[] | null;
  to?: NetworkPolicyPeer[] | null;
  ports?: NetworkPolicyPort[] | null;
}

interface NetworkPolicySpec {
  podSelector?: LabelSelector | null;
  policyTypes?: string[] | null;
  ingress?: NetworkPolicyRule[] | null;
  egress?: NetworkPolicyRule[] | null;
}

interface ManifestObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: { [key: string]: string } | null } | null;
  spec?: unknown;
}

type Direction = 'Ingress' | 'Egress';

/** The label every namespace carries, set by the API server. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Namespace of a namespaced object that does not name one. */
const DEFAULT_NAMESPACE = 'default';

function asObject(value: unknown): ManifestObject | undefined {
  return value !== null && typeof value === 'object' ? (value as ManifestObject) : undefined;
}

function isPod(peer: Endpoint | IpPeer): peer is Endpoint {
  return 'namespace' in peer && 'labels' in peer;
}

/** Whether `labels` satisfy a label selector: all `matchLabels` and all `matchExpressions` (an empty selector matches everything). */
export function selectorMatches(selector: LabelSelector, labels: { [key: string]: string }): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values } of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (operator) {
      case 'In':
        if (!has || !(values ?? []).includes(labels[key])) return false;
        break;
      case 'NotIn':
        if (has && (values ?? []).includes(labels[key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`unsupported label selector operator: ${operator}`);
    }
  }
  return true;
}

/** An IPv4 address as an unsigned 32-bit number; IPv6 is unsupported. */
function parseIpv4(address: string): number {
  if (address.includes(':')) throw new Error(`unsupported: IPv6 address ${address}`);
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    throw new Error(`not an IPv4 address: ${address}`);
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** Whether an IPv4 address lies in a CIDR block. An IPv6 block never contains an IPv4 address. */
export function cidrContains(cidr: string, address: string): boolean {
  const ip = parseIpv4(address);
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  if (!match) throw new Error(`not a CIDR: ${cidr}`);
  if (match[1].includes(':')) return false;
  const prefix = Number(match[2]);
  if (prefix > 32) throw new Error(`not a CIDR: ${cidr}`);
  const size = 2 ** (32 - prefix);
  return Math.floor(ip / size) === Math.floor(parseIpv4(match[1]) / size);
}

function policies(objects: readonly unknown[]): Array<{ namespace: string; spec: NetworkPolicySpec }> {
  return objects
    .map(asObject)
    .filter((o): o is ManifestObject => o?.apiVersion === 'networking.k8s.io/v1' && o.kind === 'NetworkPolicy')
    .map((o) => ({ namespace: o.metadata?.namespace ?? DEFAULT_NAMESPACE, spec: (asObject(o.spec) ?? {}) as NetworkPolicySpec }));
}

/** The labels of a namespace: those of its Namespace object, if any, plus `kubernetes.io/metadata.name`. */
function namespaceLabels(objects: readonly unknown[], namespace: string): { [key: string]: string } {
  const ns = objects.map(asObject).find((o) => o?.apiVersion === 'v1' && o.kind === 'Namespace' && o.metadata?.name === namespace);
  return { ...(ns?.metadata?.labels ?? {}), [NAMESPACE_NAME_LABEL]: namespace };
}

/** The directions a policy isolates: `policyTypes`, or by default Ingress, plus Egress when it has egress rules. */
function policyTypes(spec: NetworkPolicySpec): string[] {
  if (spec.policyTypes && spec.policyTypes.length > 0) return spec.policyTypes;
  return (spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function peerMatches(objects: readonly unknown[], policyNamespace: string, peer: NetworkPolicyPeer, other: Endpoint | IpPeer): boolean {
  const { podSelector, namespaceSelector, ipBlock } = peer;
  if (ipBlock) {
    if (podSelector || namespaceSelector) throw new Error('invalid peer: ipBlock together with a selector');
    const ip = other.ip;
    if (ip === undefined) return false;
    return cidrContains(ipBlock.cidr, ip) && !(ipBlock.except ?? []).some((e) => cidrContains(e, ip));
  }
  if (!podSelector && !namespaceSelector) throw new Error('invalid peer: none of podSelector, namespaceSelector, ipBlock');
  if (!isPod(other)) return false;
  const namespaceOk = namespaceSelector
    ? selectorMatches(namespaceSelector, namespaceLabels(objects, other.namespace))
    : other.namespace === policyNamespace;
  return namespaceOk && selectorMatches(podSelector ?? {}, other.labels);
}

function portMatches(entry: NetworkPolicyPort, port: number, protocol: Protocol): boolean {
  if ((entry.protocol ?? 'TCP') !== protocol) return false;
  if (entry.port === undefined || entry.port === null) return true;
  if (typeof entry.port === 'string') throw new Error(`unsupported: named port ${entry.port}`);
  if (entry.endPort !== undefined && entry.endPort !== null) return port >= entry.port && port <= entry.endPort;
  return port === entry.port;
}

/**
 * Whether the policies let `pod` send (Egress) or receive (Ingress) a connection to or from `peer`:
 * true when no policy of its namespace isolates it in that direction, or when some rule of some
 * isolating policy matches both the peer and the port.
 */
function directionAllows(objects: readonly unknown[], direction: Direction, pod: Endpoint, peer: Endpoint | IpPeer, port: number, protocol: Protocol): boolean {
  const selecting = policies(objects).filter(
    (p) => p.namespace === pod.namespace && policyTypes(p.spec).includes(direction) && selectorMatches(p.spec.podSelector ?? {}, pod.labels),
  );
  if (selecting.length === 0) return true;
  return selecting.some(({ namespace, spec }) =>
    ((direction === 'Ingress' ? spec.ingress : spec.egress) ?? []).some((rule) => {
      const peers = (direction === 'Ingress' ? rule.from : rule.to) ?? [];
      const ports = rule.ports ?? [];
      return (peers.length === 0 || peers.some((p) => peerMatches(objects, namespace, p, peer)))
        && (ports.length === 0 || ports.some((p) => portMatches(p, port, protocol)));
    }),
  );
}

/**
 * Whether a connection from `from` to `to` on `port`/`protocol` is allowed: by the egress
 * policies of `from` if it is a pod, and by the ingress policies of `to` if it is a pod.
 * `objects` are manifest objects; only `networking.k8s.io/v1` NetworkPolicies and `v1` Namespaces are read.
 */
export function isAllowed(objects: readonly unknown[], from: Endpoint | IpPeer, to: Endpoint | IpPeer, port: number, protocol: Protocol = 'TCP'): boolean {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`not a port: ${port}`);
  const egressOk = !isPod(from) || directionAllows(objects, 'Egress', from, to, port, protocol);
  const ingressOk = !isPod(to) || directionAllows(objects, 'Ingress', to, from, port, protocol);
  return egressOk && ingressOk;
}

interface WorkloadSpec {
  template?: { metadata?: { labels?: { [key: string]: string } | null } | null; spec?: { hostNetwork?: boolean | null } | null } | null;
}

/** A workload's pods, as `podEndpoints` lists them. */
export interface WorkloadEndpoint extends Endpoint {
  /** The workload's name. */
  name: string;
  /** The workload's kind. */
  kind: string;
  /** Whether the pods use the node's network (NetworkPolicies do not govern such pods; `isAllowed` does not check this). */
  hostNetwork: boolean;
}

/** The pods of each Deployment, StatefulSet, DaemonSet and Job in `objects`: their namespace and pod-template labels. */
export function podEndpoints(objects: readonly unknown[]): WorkloadEndpoint[] {
  return objects
    .map(asObject)
    .filter((o): o is ManifestObject => o !== undefined && WORKLOAD_KINDS.includes(o.kind ?? ''))
    .map((o) => {
      const template = (asObject(o.spec) as WorkloadSpec | undefined)?.template;
      return {
        name: o.metadata?.name ?? '',
        kind: o.kind ?? '',
        namespace: o.metadata?.namespace ?? DEFAULT_NAMESPACE,
        labels: { ...(template?.metadata?.labels ?? {}) },
        hostNetwork: template?.spec?.hostNetwork === true,
      };
    });
}
