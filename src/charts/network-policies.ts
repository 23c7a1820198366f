import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { appLabels, selectorLabels } from '../common/labels';
import { validateInteger } from '../common/validation';

/** The Kubernetes API server, as a NetworkPolicy egress destination. */
export interface ApiServerEndpoint {
  /**
   * Address range of the API server's endpoints (the `kubernetes` Service's endpoints,
   * `kubectl get endpoints kubernetes`). Narrow it to the real addresses when you can.
   * @default '0.0.0.0/0'
   */
  readonly cidr?: string;

  /**
   * Ports of the API server: the Service port and the endpoints' port (policies see
   * the endpoint after the Service's address translation).
   * @default [443, 6443]
   */
  readonly ports?: number[];
}

/** What the pods of a writer (a log agent, the events collector) connect to. @internal */
export interface WriterNetworkNeeds {
  /** `app.kubernetes.io/name` of its pods. */
  readonly component: string;
  /** `app.kubernetes.io/instance` of its pods (the writer's name). */
  readonly instance: string;
  /** Whether it calls the API server (metadata lookups, events). */
  readonly apiServer: boolean;
  /** Its metrics port, which scrapers may reach. */
  readonly metricsPort?: number;
  /** The S3 archive's port, when it uploads. */
  readonly archivePort?: number;
}

/** A pod's place in a NetworkPolicy: its namespace and selector labels. */
export interface PolicyPods {
  readonly namespace: string;
  readonly labels: { [key: string]: string };
}

type Peer = kplus.k8s.NetworkPolicyPeer;
type Port = kplus.k8s.NetworkPolicyPort;

const tcp = (port: number): Port => ({ protocol: 'TCP', port: kplus.k8s.IntOrString.fromNumber(port) });

/** A peer for every pod of one namespace. */
export function namespacePeer(namespace: string): Peer {
  return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } };
}

/** A peer for pods of one workload, in its namespace. */
export function podsPeer(pods: PolicyPods): Peer {
  return { ...namespacePeer(pods.namespace), podSelector: { matchLabels: pods.labels } };
}

/** Selector labels of a component's pods. */
export function componentPods(namespace: string, name: string, instance: string): PolicyPods {
  return { namespace, labels: selectorLabels(appLabels(name, instance)) };
}

/**
 * The NetworkPolicies of one namespace: everything denied in and out, DNS allowed
 * out, then one policy per component with the connections it needs. Written as L1
 * objects: each rule names pods of another namespace, which cdk8s-plus-27's peers
 * express only through construct lookups.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class NamespacePolicies {
  constructor(private readonly scope: Construct, private readonly labels: { [key: string]: string }) {
    this.policy('DefaultDeny', 'default-deny', {}, { ingress: [], egress: [] });
    // Every pod resolves names (Service names of Elasticsearch, Kibana, the API server).
    this.policy('Dns', 'allow-dns', {}, {
      egress: [{
        to: [podsPeer({ namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } })],
        ports: [{ protocol: 'UDP', port: kplus.k8s.IntOrString.fromNumber(53) }, tcp(53)],
      }],
    });
  }

  /**
   * A policy for the pods with `podLabels`: `ingress` and `egress` rules (an empty list
   * allows nothing; undefined leaves that direction to the default deny).
   */
  public policy(id: string, name: string, podLabels: { [key: string]: string }, rules: {
    readonly ingress?: kplus.k8s.NetworkPolicyIngressRule[];
    readonly egress?: kplus.k8s.NetworkPolicyEgressRule[];
  }): void {
    const policyTypes = [...(rules.ingress ? ['Ingress'] : []), ...(rules.egress ? ['Egress'] : [])];
    new kplus.k8s.KubeNetworkPolicy(this.scope, `NetworkPolicy${id}`, {
      metadata: { name, labels: this.labels },
      spec: {
        podSelector: Object.keys(podLabels).length > 0 ? { matchLabels: podLabels } : {},
        policyTypes,
        ...(rules.ingress && rules.ingress.length > 0 ? { ingress: rules.ingress } : {}),
        ...(rules.egress && rules.egress.length > 0 ? { egress: rules.egress } : {}),
      },
    });
  }

}

/** Ingress rule from peers to TCP ports. */
export function ingressFrom(peers: Peer[], ports: number[]): kplus.k8s.NetworkPolicyIngressRule {
  return { from: peers, ports: ports.map(tcp) };
}

/** Egress rule to peers on TCP ports. */
export function egressTo(peers: Peer[], ports: number[]): kplus.k8s.NetworkPolicyEgressRule {
  return { to: peers, ports: ports.map(tcp) };
}

/** Egress to the API server. */
export function apiServerEgress(endpoint: ApiServerEndpoint = {}, prop = 'chart apiServer'): kplus.k8s.NetworkPolicyEgressRule {
  const cidr = endpoint.cidr ?? '0.0.0.0/0';
  validateCidr(`${prop}.cidr`, cidr);
  const ports = endpoint.ports ?? [443, 6443];
  if (ports.length === 0) throw new Error(`${prop}.ports must list at least one port, got []`);
  ports.forEach((p, i) => validateInteger(`${prop}.ports[${i}]`, p, 1, 65535));
  return egressTo([{ ipBlock: { cidr } }], ports);
}

/** Throws unless `cidr` is an IPv4 or IPv6 CIDR. */
export function validateCidr(prop: string, cidr: string): void {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr ?? '');
  const v4ok = v4 !== null && v4.slice(1, 5).every((o) => Number(o) <= 255) && Number(v4[5]) <= 32;
  const v6 = /^[0-9a-fA-F:]+\/(\d{1,3})$/.exec(cidr ?? '');
  const v6ok = v6 !== null && cidr.includes(':') && Number(v6[1]) <= 128;
  if (!v4ok && !v6ok) {
    throw new Error(`${prop} must be a CIDR such as "10.0.0.0/8" or "fd00::/8", got ${JSON.stringify(cidr)}`);
  }
}
