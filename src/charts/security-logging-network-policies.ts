import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import {
  ApiServerEndpoint, NamespacePolicies, PolicyPods, WriterNetworkNeeds, apiServerEgress, componentPods, egressTo, ingressFrom, namespacePeer, podsPeer, validateCidr,
} from './network-policies';
import { checkScope } from '../common/app-checks';
import { appLabels } from '../common/labels';
import { validateDnsLabel, validateInstances } from '../common/validation';
import { ELASTICSEARCH_HTTP_PORT, ELASTICSEARCH_TRANSPORT_PORT, ElasticsearchCluster } from '../elasticsearch/elasticsearch-cluster';
import { ElasticsearchBackend, IElasticsearchWriter, validateBackend } from '../elasticsearch/elasticsearch-backend';
import { FalcoDriver } from '../falco/falco-config';
import { FalcoDaemonSet } from '../falco/falco-daemon-set';

/** Kibana's port. */
const KIBANA_PORT = 5601;

/** Props of {@link SecurityLoggingNetworkPolicies}. */
export interface SecurityLoggingNetworkPoliciesProps {
  /**
   * The Elasticsearch; its writers (log agents, the events collector) and Kibanas,
   * registered before this is created, get policies, each in its own namespace, with
   * egress to exactly where the backend is (its pods, or its address ranges and port).
   */
  readonly elasticsearch: ElasticsearchBackend;

  /**
   * Falco daemon sets (they reach nothing, or download.falco.org for the kmod and auto drivers).
   * @default []
   */
  readonly falco?: FalcoDaemonSet[];

  /**
   * Namespaces whose pods may reach Kibana on 5601 (an Ingress controller's, say).
   * @default []
   */
  readonly kibanaClientNamespaces?: string[];

  /**
   * Address ranges that may reach Kibana on 5601.
   * @default []
   */
  readonly kibanaClientCidrs?: string[];

  /**
   * Address ranges that may reach the in-cluster Elasticsearch on 9200 from outside the
   * cluster (a load balancer's, other clusters' agents, a Kibana elsewhere).
   * @default []
   */
  readonly elasticsearchClientCidrs?: string[];

  /**
   * Namespaces whose pods may scrape the log agents' metrics.
   * @default []
   */
  readonly metricsClientNamespaces?: string[];

  /**
   * The API server, for the egress of the pods that call it.
   * @default - any address, ports 443 and 6443
   */
  readonly apiServer?: ApiServerEndpoint;
}

/**
 * NetworkPolicies for a stack built from the constructs in charts of one's own, as the
 * ready-made chart makes them: in each namespace of the stack, deny all ingress and
 * egress, allow DNS, then allow only the connections the stack makes (log agents,
 * the events collector, Kibana and the Jobs to Elasticsearch 9200, Elasticsearch to
 * itself on 9300, the Jobs and agents to the API server, clients to Kibana). Create it
 * after every writer and Kibana of the cluster, like the ElasticsearchSetup. The
 * policies need a CNI that enforces them. Pods of your own in those namespaces are
 * denied too: add policies for them.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class SecurityLoggingNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: SecurityLoggingNetworkPoliciesProps) {
    super(scope, id);
    checkScope(this);
    validateBackend('network policies elasticsearch', props?.elasticsearch, 'of the stack');
    if (props.falco !== undefined) validateInstances('network policies falco', props.falco, FalcoDaemonSet, 'the FalcoDaemonSet objects');
    (props.kibanaClientNamespaces ?? []).forEach((name, i) => validateDnsLabel(`network policies kibanaClientNamespaces[${i}]`, name));
    (props.metricsClientNamespaces ?? []).forEach((name, i) => validateDnsLabel(`network policies metricsClientNamespaces[${i}]`, name));
    (props.kibanaClientCidrs ?? []).forEach((cidr, i) => validateCidr(`network policies kibanaClientCidrs[${i}]`, cidr));
    (props.elasticsearchClientCidrs ?? []).forEach((cidr, i) => validateCidr(`network policies elasticsearchClientCidrs[${i}]`, cidr));
    const apiServer = apiServerEgress(props.apiServer, 'network policies apiServer');
    const es = props.elasticsearch;
    const ns = es.namespace;
    const secured = es.authenticated;
    const inCluster = es instanceof ElasticsearchCluster ? es : undefined;
    const access = es._setupAccess();
    const writers = es._registeredWriters();
    const kibanas = es._registeredKibanas();
    this.node.addValidation({
      validate: () => es._registeredWriters().length > writers.length || es._registeredKibanas().length > kibanas.length
        ? [`network policies of elasticsearch ${es.name}: a writer or Kibana was added after them and has no policy; create the SecurityLoggingNetworkPolicies after every writer and Kibana`]
        : [],
    });
    const needs = writers.map((writer) => ({ writer, needs: networkNeedsOf(writer), namespace: Chart.of(writer).namespace as string }));

    const esPods = componentPods(ns, 'elasticsearch', es.name);
    const podsOf = (w: { needs: WriterNetworkNeeds; namespace: string }) => componentPods(w.namespace, w.needs.component, w.needs.instance);
    const remoteWriters = needs.filter((w) => w.namespace !== ns).map(podsOf);
    const localWriters = needs.filter((w) => w.namespace === ns).map(podsOf);
    const kibanaPods = kibanas.map((name) => componentPods(ns, 'kibana', name));
    const setupPods = componentPods(ns, 'elasticsearch-setup', es.name);
    const backend = es._egress();
    const toElasticsearch = egressTo(backend.peers, [backend.port]);

    // Elasticsearch's namespace: the cluster, its Kibanas, its Jobs, the writers that live there.
    const home = new NamespacePolicies(this.scopeFor(ns, es), appLabels('security-logging', ns));
    if (inCluster) {
      home.policy('Elasticsearch', es.name, esPods.labels, {
        ingress: [
          ingressFrom([
            ...[...remoteWriters, ...kibanaPods, setupPods, ...localWriters].map(podsPeer),
            ...(props.elasticsearchClientCidrs ?? []).map((cidr) => ({ ipBlock: { cidr } })),
          ], [ELASTICSEARCH_HTTP_PORT]),
          ingressFrom([podsPeer(esPods)], [ELASTICSEARCH_TRANSPORT_PORT]),
        ],
        egress: [egressTo([podsPeer(esPods)], [ELASTICSEARCH_TRANSPORT_PORT])],
      });
    }
    // The Jobs that import into Kibana: saved objects, detection rules.
    const importers = ['kibana-saved-objects', 'kibana-detection-rules'];
    const kibanaClients = (name: string) => [
      ...importers.map((component) => podsPeer(componentPods(ns, component, name))),
      ...(props.kibanaClientNamespaces ?? []).map(namespacePeer),
      ...(props.kibanaClientCidrs ?? []).map((cidr) => ({ ipBlock: { cidr } })),
    ];
    kibanas.forEach((name, i) => home.policy(i === 0 ? 'Kibana' : `Kibana${i}`, name, componentPods(ns, 'kibana', name).labels, {
      ingress: [ingressFrom(kibanaClients(name), [KIBANA_PORT])],
      egress: [toElasticsearch],
    }));
    home.policy('Setup', `${es.name}-setup`, setupPods.labels, { ingress: [], egress: [toElasticsearch, ...(secured || access.readsSecrets ? [apiServer] : [])] });
    kibanas.forEach((name, i) => importers.forEach((component) => {
      const id = component === 'kibana-saved-objects' ? 'SavedObjects' : 'DetectionRules';
      home.policy(i === 0 ? id : `${id}${i}`, `${name}-${component.slice('kibana-'.length)}`, componentPods(ns, component, name).labels, {
        ingress: [],
        egress: [egressTo([podsPeer(componentPods(ns, 'kibana', name))], [KIBANA_PORT])],
      });
    }));

    // Each writer in its namespace: to Elasticsearch, the API server (metadata, events), the S3 archive.
    const others = new Map<string, NamespacePolicies>();
    const policiesOf = (namespace: string, owner: IConstruct) => {
      if (namespace === ns) return home;
      let policies = others.get(namespace);
      if (policies === undefined) {
        policies = new NamespacePolicies(this.scopeFor(namespace, owner), appLabels('security-logging', namespace));
        others.set(namespace, policies);
      }
      return policies;
    };
    const metricsClients = (props.metricsClientNamespaces ?? []).map(namespacePeer);
    // Writers in the cluster's namespace first (the events collector), so its policies stay together.
    for (const { writer, needs: n, namespace } of [...needs.filter((w) => w.namespace === ns), ...needs.filter((w) => w.namespace !== ns)]) {
      policiesOf(namespace, writer).policy(`Writer${writers.indexOf(writer)}`, n.instance, componentPods(namespace, n.component, n.instance).labels, {
        ingress: n.metricsPort !== undefined && metricsClients.length > 0 ? [ingressFrom(metricsClients, [n.metricsPort])] : [],
        egress: [
          toElasticsearch, ...(n.apiServer ? [apiServer] : []),
          // The S3 archive uploads anywhere on its port.
          ...(n.archivePort !== undefined ? [egressTo([{ ipBlock: { cidr: '0.0.0.0/0' } }], [n.archivePort])] : []),
        ],
      });
    }
    // The bootstrap Jobs: Kibana's always runs (its encryption keys), Elasticsearch's with security.
    const bootstrapJobs = [...(inCluster?.security.enabled ? [['ElasticsearchBootstrap', es.name]] : []), ...kibanas.map((name, i) => [i === 0 ? 'KibanaBootstrap' : `KibanaBootstrap${i}`, name])];
    for (const [policyId, instance] of bootstrapJobs) {
      home.policy(policyId, `${instance}-bootstrap`, componentPods(ns, 'elasticsearch-bootstrap', instance).labels, { ingress: [], egress: [apiServer] });
    }
    for (const falco of props.falco ?? []) {
      const namespace = Chart.of(falco).namespace as string;
      const pods: PolicyPods = componentPods(namespace, 'falco', falco.name);
      // The driver loader downloads prebuilt drivers (download.falco.org) for kmod and auto.
      const downloads = falco.driver === FalcoDriver.MODERN_EBPF ? [] : [egressTo([{ ipBlock: { cidr: '0.0.0.0/0' } }], [443])];
      policiesOf(namespace, falco).policy(`Falco${falco.name === 'falco' ? '' : falco.name}`, falco.name, pods.labels, { ingress: [], egress: downloads });
    }
  }

  /** Where the policies of a namespace go: here, when this chart is in it, else beside `owner`, in its chart. */
  private scopeFor(namespace: string, owner: IConstruct): Construct {
    if (Chart.of(this).namespace === namespace) return this;
    const chart = Chart.of(owner);
    const existing = chart.node.tryFindChild('NetworkPolicies');
    if (existing !== undefined) {
      throw new Error(`network policies: chart ${chart.node.path} has a construct named NetworkPolicies already; one SecurityLoggingNetworkPolicies per stack`);
    }
    return new Construct(chart, 'NetworkPolicies');
  }
}

/** What a writer's pods connect to. */
function networkNeedsOf(writer: IElasticsearchWriter): WriterNetworkNeeds {
  if (!('_networkNeeds' in writer)) {
    throw new Error(
      `network policies: writer ${writer.node.path} is not one of the library's (FluentdDaemonSet, FluentBitDaemonSet, KubernetesEventsCollector), ` +
      'so its pods and connections are unknown; leave it out of this cluster, or write its policies yourself',
    );
  }
  return (writer as unknown as { _networkNeeds(): WriterNetworkNeeds })._networkNeeds();
}
