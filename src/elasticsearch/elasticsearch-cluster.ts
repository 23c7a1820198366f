import { ApiObject, Chart, Duration, JsonPatch, Lazy, Size, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ElasticsearchAuthentication, ElasticsearchConnection, ElasticsearchScheme } from './elasticsearch-connection';
import { BackendEgress, BackendSetupAccess, ElasticsearchBackend, ElasticsearchConsumerCredentials } from './elasticsearch-backend';
import { elasticCurlConfigScript, elasticPasswordMount } from '../common/setup-job';
import { componentPods, podsPeer } from '../charts/network-policies';
import { ElasticsearchCertificateSource, ElasticsearchSecurity, createBootstrapJob, serviceDnsNames } from './elasticsearch-security';
import { contentHash } from '../common/hash';
import { appLabels, selectorLabels } from '../common/labels';
import { applyPodTemplateExtras, dropAllCapabilities, unprivilegedContainer } from '../common/pod';
import {
  sizeToQuantity, validateCpu, validateDnsLabel, validateDnsSubdomain, validateImageRepository, validateInstance, validateInteger, validateSettings, validateSize,
} from '../common/validation';
import { BUSYBOX_IMAGE, ELASTICSEARCH_IMAGE_REPOSITORY, ELASTIC_STACK_VERSION } from '../images';
import { parseStackVersion } from './stack-version';
import { checkScope } from '../common/app-checks';

/**
 * Roles of an Elasticsearch node (`node.roles`).
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/modules-node.html
 */
export enum ElasticsearchNodeRole {
  /** Master-eligible: can be elected to manage the cluster. */
  MASTER = 'master',
  /** Generic data node (cannot be combined with the tiered data roles). */
  DATA = 'data',
  /** Content tier. */
  DATA_CONTENT = 'data_content',
  /** Hot tier: the newest, most queried time-series data. */
  DATA_HOT = 'data_hot',
  /** Warm tier. */
  DATA_WARM = 'data_warm',
  /** Cold tier. */
  DATA_COLD = 'data_cold',
  /** Frozen tier (searchable snapshots). */
  DATA_FROZEN = 'data_frozen',
  /** Runs ingest pipelines. */
  INGEST = 'ingest',
  /** Machine learning. */
  ML = 'ml',
  /** Can connect to remote clusters. */
  REMOTE_CLUSTER_CLIENT = 'remote_cluster_client',
  /** Runs transforms. */
  TRANSFORM = 'transform',
  /** Votes in master elections but is never elected (needs MASTER too). */
  VOTING_ONLY = 'voting_only',
}

/** How Elasticsearch pods are kept apart across Kubernetes nodes. */
export enum ElasticsearchAntiAffinity {
  /** Never two Elasticsearch pods of the cluster on one Kubernetes node (pods stay Pending when nodes run out). */
  REQUIRED = 'required',
  /** Spread when possible, share a node when needed (for small or development clusters). */
  PREFERRED = 'preferred',
}

/**
 * How the node's `vm.max_map_count` requirement is met.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/vm-max-map-count.html
 */
export enum ElasticsearchMaxMapCount {
  /**
   * A privileged init container raises `vm.max_map_count` on the node (never lowers
   * it): 1048576 for Elasticsearch 8.16 and later, 262144 before.
   */
  PRIVILEGED_INIT_CONTAINER = 'privileged-init-container',
  /**
   * No privileged container: `node.store.allow_mmap: false` makes Elasticsearch use
   * NIO instead of mmap, which lifts the requirement at some cost in performance.
   * For clusters whose policy forbids privileged pods.
   */
  DISABLE_MMAP = 'disable-mmap',
}

/** Options of persistent storage. */
export interface ElasticsearchPersistentStorageOptions {
  /**
   * Size of each node's volume.
   * @default Size.gibibytes(30)
   */
  readonly size?: Size;

  /**
   * StorageClass of the volumes.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
}

/** Where an Elasticsearch node keeps its data. */
export class ElasticsearchStorage {
  /**
   * A PersistentVolumeClaim per pod (`volumeClaimTemplates`), kept when the
   * StatefulSet is deleted or scaled down.
   */
  public static persistent(options: ElasticsearchPersistentStorageOptions = {}): ElasticsearchStorage {
    const size = options.size ?? Size.gibibytes(30);
    const quantity = sizeToQuantity('elasticsearch storage size', size);
    if (options.storageClassName !== undefined) {
      validateDnsSubdomain('elasticsearch storage storageClassName', options.storageClassName);
    }
    return new ElasticsearchStorage(quantity, options.storageClassName);
  }

  /**
   * An `emptyDir`: every index is lost when a pod restarts. For development and
   * tests only.
   */
  public static ephemeralForDevelopmentOnly(): ElasticsearchStorage {
    return new ElasticsearchStorage(undefined, undefined);
  }

  private constructor(
    /** Size of each claim (a Kubernetes quantity), or undefined for emptyDir. */
    public readonly size: string | undefined,
    /** StorageClass name, if set. */
    public readonly storageClassName: string | undefined,
  ) {}

  /** Whether data survives pod restarts. */
  public get isPersistent(): boolean {
    return this.size !== undefined;
  }
}

/** Resources and storage shared by the cluster and each node group. */
export interface ElasticsearchNodeResources {
  /**
   * Memory request and limit of each node (requests equal limits, so the heap is never squeezed).
   * @default Size.gibibytes(2)
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/advanced-configuration.html#set-jvm-heap-size
   */
  readonly memoryLimit?: Size;

  /**
   * JVM heap (`-Xms` and `-Xmx`). At most half the memory limit: Lucene needs the
   * rest as file-system cache.
   * @default - half the memory limit
   */
  readonly heapSize?: Size;

  /**
   * CPU request of each node. No CPU limit is set (throttling stalls the JVM).
   * @default kplus.Cpu.millis(1000)
   */
  readonly cpuRequest?: kplus.Cpu;

  /**
   * Data storage.
   * @default ElasticsearchStorage.persistent() (30 GiB, default StorageClass)
   */
  readonly storage?: ElasticsearchStorage;
}

/** A group of Elasticsearch nodes with the same roles: one StatefulSet. */
export interface ElasticsearchNodeGroupOptions extends ElasticsearchNodeResources {
  /** Group name; the StatefulSet is `<cluster name>-<group name>`. */
  readonly name: string;

  /** Number of nodes in the group. */
  readonly replicas: number;

  /**
   * Roles of the group's nodes.
   * @default - every default role (master-eligible, data, ingest, ...)
   */
  readonly roles?: ElasticsearchNodeRole[];
}

/** Props of an {@link ElasticsearchCluster}. */
export interface ElasticsearchClusterProps extends ElasticsearchNodeResources {
  /**
   * Name of the cluster: `cluster.name`, the client Service, and the prefix of every object.
   * @default 'elasticsearch'
   */
  readonly name?: string;

  /**
   * Elasticsearch version (the image tag; Kibana and the Fluentd image follow it): 8.19.x
   * or 9.0.x to 9.5.x, the versions the library is tested with. From 8.19 to 9.x, follow
   * the README's upgrade steps (Elasticsearch before Kibana, the deprecation check first).
   * @default ELASTIC_STACK_VERSION (9.5.7)
   */
  readonly version?: string;

  /**
   * Image repository (for a mirror); the tag is always `version`.
   * @default 'docker.elastic.co/elasticsearch/elasticsearch'
   */
  readonly imageRepository?: string;

  /**
   * Number of nodes of a cluster whose nodes all hold every role. `1` gives a
   * single-node cluster (`discovery.type: single-node`). Not allowed with `nodeGroups`.
   * @default 3
   */
  readonly replicas?: number;

  /**
   * Node groups, each its own StatefulSet with its own roles and resources, for
   * clusters that outgrow identical nodes (e.g. 3 dedicated masters and N data nodes).
   * @default - one group of `replicas` nodes with every role
   */
  readonly nodeGroups?: ElasticsearchNodeGroupOptions[];

  /**
   * How pods are spread across Kubernetes nodes.
   * @default ElasticsearchAntiAffinity.REQUIRED
   */
  readonly antiAffinity?: ElasticsearchAntiAffinity;

  /**
   * How the `vm.max_map_count` requirement is met.
   * @default ElasticsearchMaxMapCount.PRIVILEGED_INIT_CONTAINER
   */
  readonly maxMapCount?: ElasticsearchMaxMapCount;

  /**
   * Extra `elasticsearch.yml` settings, merged over the generated ones (nested objects
   * become dotted keys). Settings the construct derives (discovery, roles, paths,
   * ports) and `xpack.security.*` cannot be set, nor anything that looks like a
   * credential: the file is a ConfigMap.
   * @default {}
   */
  readonly settings?: { [key: string]: any };

  /**
   * PriorityClass of the pods.
   * @default - none
   */
  readonly priorityClassName?: string;

  /**
   * TLS on HTTP and transport, and authentication.
   * @default ElasticsearchSecurity.bootstrapJob()
   */
  readonly security?: ElasticsearchSecurity;

  /**
   * The cluster's DNS domain, for the certificates' names.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * Host names of the HTTP API outside the cluster (a load balancer's, which other
   * clusters' agents ship to): added to the nodes' certificate, which clients verify by
   * host name. The bootstrap Job makes the certificate once: a name added later needs the
   * certificate Secret deleted (the Job then makes a new one, and the pods must restart).
   * @default []
   */
  readonly httpHostNames?: string[];
}

/** A resolved node group. */
interface NodeGroup {
  readonly name: string;
  readonly statefulSetName: string;
  readonly replicas: number;
  readonly roles?: ElasticsearchNodeRole[];
  readonly memoryBytes: number;
  readonly heapMebibytes: number;
  readonly cpuRequest: kplus.Cpu;
  readonly storage: ElasticsearchStorage;
}

/** Where the setup Job mounts the cluster's CA. */
const SETUP_CA_DIR = '/elasticsearch';

/** Pod label of the node groups that take client HTTP traffic (not dedicated masters). */
const CLIENT_LABEL = 'security-logging.cdk8s.io/http-client';
/** The HTTP API port. */
export const ELASTICSEARCH_HTTP_PORT = 9200;
/** The transport (node-to-node) port. */
export const ELASTICSEARCH_TRANSPORT_PORT = 9300;
/** Elasticsearch's TCP readiness port: open once the node has joined a cluster with an elected master. */
const READINESS_PORT = 8080;
const ES_HOME = '/usr/share/elasticsearch';
const DATA_PATH = `${ES_HOME}/data`;
const DATA_ROLES = new Set<string>([
  ElasticsearchNodeRole.DATA, ElasticsearchNodeRole.DATA_CONTENT, ElasticsearchNodeRole.DATA_HOT,
  ElasticsearchNodeRole.DATA_WARM, ElasticsearchNodeRole.DATA_COLD, ElasticsearchNodeRole.DATA_FROZEN,
]);
/** Settings the construct derives; `settings` may not override them. */
const DERIVED_SETTINGS = [
  'cluster.name', 'node.name', 'node.roles', 'network.host', 'discovery.type', 'discovery.seed_hosts',
  'cluster.initial_master_nodes', 'path.data', 'readiness.port', 'http.port', 'transport.port',
];
/**
 * The heap bounds: Elasticsearch's own automatic sizing stays between 128 MiB and 31 GiB;
 * 256 MiB is the least that holds a small cluster's state, and 31 GiB the most that keeps
 * compressed object pointers on the JVMs Elasticsearch ships.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/advanced-configuration.html#set-jvm-heap-size
 */
const MIN_HEAP_MEBIBYTES = 256;
const MAX_HEAP_MEBIBYTES = 31 * 1024;
/** The longest StatefulSet name whose pods keep a valid `controller-revision-hash` label (63 - 11). */
const MAX_STATEFUL_SET_NAME = 52;

/**
 * An Elasticsearch cluster: one StatefulSet per node group, a headless Service for
 * discovery and transport, a client Service for HTTP, a PodDisruptionBudget, and
 * `elasticsearch.yml` in a ConfigMap whose hash rolls the pods when it changes.
 *
 * Readiness uses Elasticsearch's TCP readiness port (`readiness.port`), which opens
 * once the node has joined a cluster with an elected master: it never waits for a
 * green or yellow cluster, so a single-node or yellow cluster does not wedge
 * (elastic/helm-charts#783), and it needs no credentials once security is on.
 *
 * Security is on by default ({@link ElasticsearchSecurity}): TLS on HTTP and
 * transport, and authentication. A bootstrap Job creates the certificates (or
 * cert-manager does) and the `elastic` password in the cluster; consumers get users
 * and tokens of their own from {@link ElasticsearchSetup}.
 *
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/important-settings.html
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/modules-discovery-settings.html
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/advanced-configuration.html#set-jvm-heap-size
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/docker.html
 */
export class ElasticsearchCluster extends ElasticsearchBackend {
  /** Cluster name (`cluster.name`, Service name, object-name prefix). */
  public readonly name: string;
  /** Elasticsearch version. */
  public readonly version: string;
  /** Its major version (8 or 9). */
  public readonly majorVersion: number;
  /** Full image reference. */
  public readonly image: string;
  /** How to reach the cluster's HTTP API. */
  public readonly connection: ElasticsearchConnection;
  /** The client Service (HTTP 9200). */
  public readonly service: kplus.Service;
  /** The headless Service (transport 9300, discovery). */
  public readonly headlessService: kplus.Service;
  private readonly _statefulSets: kplus.StatefulSet[];
  private readonly _masterNodeNames: string[];
  /** Total number of Elasticsearch nodes. */
  public readonly totalReplicas: number;
  /**
   * Number of nodes that can hold the stack's new data-stream indices: the hot tier
   * (roles unset, `data` or `data_hot`). A replica needs a second such node; warm,
   * cold and frozen nodes cannot take it.
   */
  public readonly hotTierNodes: number;
  /** How pods are spread. */
  public readonly antiAffinity: ElasticsearchAntiAffinity;
  /** How `vm.max_map_count` is handled. */
  public readonly maxMapCount: ElasticsearchMaxMapCount;
  /** The `vm.max_map_count` value the init container sets (for this version). */
  public readonly maxMapCountValue: number;
  /** Security settings. */
  public readonly security: ElasticsearchSecurity;
  /** Namespace of the cluster. */
  public readonly namespace: string;
  /** The cluster's DNS domain. */
  public readonly clusterDomain: string;
  /** Host names of the HTTP API outside the cluster, in the certificate. */
  public readonly httpHostNames: string[];
  /** Labels that select the pods that take client HTTP traffic (not dedicated masters), for a Service of your own (a load balancer). */
  public readonly clientPodLabels: { [key: string]: string };
  /** Secret with `ca.crt`, `tls.crt` and `tls.key` of the nodes (security on). */
  public readonly certificateSecretName?: string;
  /** Secret with the `elastic` superuser's `username` and `password` (security on). */
  public readonly elasticCredentialsSecretName?: string;
  /** Secret with the bootstrap CA (`ca.crt`, `ca.key`), when the bootstrap Job makes certificates. */
  public readonly caSecretName?: string;
  /** The Job that creates the CA, certificates and `elastic` password, when security is on. */
  public readonly bootstrapJob?: kplus.Job;
  /** Whether consumers authenticate (security on). */
  public readonly authenticated: boolean;
  /** Replica shards of the data streams: 1 once a second node can hold new data-stream indices. */
  public readonly indexReplicas: number;
  /** The setup Job makes every consumer's credentials (as the `elastic` user). */
  public readonly consumerCredentials = ElasticsearchConsumerCredentials.CREATED_BY_SETUP;
  public readonly putsTemplates = true;
  /** The cluster's own image. */
  public readonly setupImage: string;
  protected readonly writerAuthentication = ElasticsearchAuthentication.BASIC;

  constructor(scope: Construct, id: string, props: ElasticsearchClusterProps = {}) {
    super(scope, id);
    checkScope(this);
    this.name = props.name ?? 'elasticsearch';
    validateDnsLabel('elasticsearch name', this.name, 40);
    this.version = props.version ?? ELASTIC_STACK_VERSION;
    const stackVersion = parseStackVersion('elasticsearch version', this.version);
    this.majorVersion = stackVersion.major;
    if (props.imageRepository !== undefined) validateImageRepository('elasticsearch imageRepository', props.imageRepository);
    this.image = `${props.imageRepository ?? ELASTICSEARCH_IMAGE_REPOSITORY}:${this.version}`;
    this.antiAffinity = props.antiAffinity ?? ElasticsearchAntiAffinity.REQUIRED;
    this.maxMapCount = props.maxMapCount ?? ElasticsearchMaxMapCount.PRIVILEGED_INIT_CONTAINER;
    // Elasticsearch 8.16 and later want 1048576 (every supported version).
    this.maxMapCountValue = 1048576;
    if (props.priorityClassName !== undefined) validateDnsSubdomain('elasticsearch priorityClassName', props.priorityClassName);
    // Security is set by `security`, never through settings.
    const settings = validateSettings('elasticsearch settings', props.settings, DERIVED_SETTINGS, ['xpack.security.'],
      'Elasticsearch takes secure settings such as s3.client.*.secret_key only from its keystore (elasticsearch-keystore add), never from elasticsearch.yml');
    this.security = props.security ?? ElasticsearchSecurity.bootstrapJob();
    if (!(this.security instanceof ElasticsearchSecurity)) {
      throw new Error(`elasticsearch security must be an ElasticsearchSecurity (bootstrapJob(), certManager(...), disabledForDevelopmentOnly()), got ${JSON.stringify(props.security)}`);
    }
    this.authenticated = this.security.enabled;
    this.setupImage = this.image;
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    validateDnsSubdomain('elasticsearch clusterDomain', this.clusterDomain);
    if (props.httpHostNames !== undefined && !Array.isArray(props.httpHostNames)) {
      throw new Error(`elasticsearch httpHostNames must be a list of host names, got ${JSON.stringify(props.httpHostNames)}`);
    }
    this.httpHostNames = [...props.httpHostNames ?? []];
    this.httpHostNames.forEach((host, i) => validateDnsSubdomain(`elasticsearch httpHostNames[${i}]`, host));
    if (this.httpHostNames.length > 0 && !this.security.enabled) {
      throw new Error('elasticsearch httpHostNames is set but security is disabled: there is no certificate to put them in; remove them, or keep security on');
    }

    const groups = resolveNodeGroups(this.name, props);
    this.totalReplicas = groups.reduce((sum, g) => sum + g.replicas, 0);
    this.hotTierNodes = groups.filter((g) => holdsHotData(g.roles)).reduce((sum, g) => sum + g.replicas, 0);
    this.indexReplicas = this.hotTierNodes >= 2 ? 1 : 0;
    this._masterNodeNames = groups
      .filter((g) => isMasterEligible(g.roles))
      .flatMap((g) => Array.from({ length: g.replicas }, (_, i) => `${g.statefulSetName}-${i}`));

    const namespace = Chart.of(this).namespace;
    if (namespace === undefined) {
      throw new Error(
        'elasticsearch needs its chart to have a namespace (new Chart(app, id, { namespace })): consumers in other ' +
        'namespaces reach it by <service>.<namespace>.svc',
      );
    }
    this.namespace = namespace;
    const clusterLabels = appLabels('elasticsearch', this.name);
    const headlessName = `${this.name}-headless`;
    if (this.security.enabled) {
      this.certificateSecretName = `${this.name}-certs`;
      this.elasticCredentialsSecretName = `${this.name}-elastic-credentials`;
      if (this.security.certificateSource === ElasticsearchCertificateSource.BOOTSTRAP_JOB) this.caSecretName = `${this.name}-ca`;
      this.bootstrapJob = this.createSecurityBootstrap(headlessName, clusterLabels);
    }

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: this.name, labels: clusterLabels },
      ports: [{ name: 'http', port: ELASTICSEARCH_HTTP_PORT, targetPort: ELASTICSEARCH_HTTP_PORT }],
    });
    this.headlessService = new kplus.Service(this, 'HeadlessService', {
      metadata: { name: headlessName, labels: clusterLabels },
      clusterIP: 'None',
      ports: [
        { name: 'http', port: ELASTICSEARCH_HTTP_PORT, targetPort: ELASTICSEARCH_HTTP_PORT },
        { name: 'transport', port: ELASTICSEARCH_TRANSPORT_PORT, targetPort: ELASTICSEARCH_TRANSPORT_PORT },
      ],
    });
    // cdk8s-plus selects a single workload per Service; these Services span several
    // node groups' StatefulSets, so their selectors are labels. Discovery reaches every
    // node; client traffic only nodes that are not dedicated masters.
    ApiObject.of(this.headlessService).addJsonPatch(JsonPatch.add('/spec/selector', selectorLabels(clusterLabels)));
    this.clientPodLabels = { ...selectorLabels(clusterLabels), [CLIENT_LABEL]: 'true' };
    ApiObject.of(this.service).addJsonPatch(JsonPatch.add('/spec/selector', { ...this.clientPodLabels }));
    // Discovery must resolve pods before they are Ready (they become Ready only after joining).
    ApiObject.of(this.headlessService).addJsonPatch(JsonPatch.add('/spec/publishNotReadyAddresses', true));

    this.connection = new ElasticsearchConnection({
      host: `${this.name}.${namespace}.svc`,
      port: ELASTICSEARCH_HTTP_PORT,
      scheme: this.security.enabled ? ElasticsearchScheme.HTTPS : ElasticsearchScheme.HTTP,
      version: this.version,
    });

    const clusterPods = kplus.Pods.select(this, 'ClusterPods', { labels: selectorLabels(clusterLabels) });
    this._statefulSets = groups.map((group, index) => this.createNodeGroup(group, props.nodeGroups ? index : undefined, {
      clusterLabels, clusterPods, headlessName, settings, priorityClassName: props.priorityClassName,
    }));

    new kplus.k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: { name: this.name, labels: clusterLabels },
      spec: {
        maxUnavailable: kplus.k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: selectorLabels(clusterLabels) },
      },
    });
  }

  /**
   * `action.auto_create_index` that refuses the writers' families (`-<family>,-<family>-*`)
   * and allows everything else: a family's data stream is then made only from its index
   * template (which allows it, `allow_auto_create`), never as a plain index without
   * mapping or lifecycle by a write that comes before the setup Job has put the template.
   * Nothing when no writer registered, or when `settings` set it.
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/docs-index_.html#index-creation
   */
  private autoCreateIndexSetting(userSettings: { [key: string]: any }): { [key: string]: string } {
    const families = [...new Set(this._registeredWriters().flatMap((w) => w.writtenIndexFamilies()))].sort();
    const refused = [...new Set([...families.flatMap((f) => [f, `${f}-*`]), ...this._refusedAutoCreatePatterns()])];
    if (refused.length === 0 || userSettings['action.auto_create_index'] !== undefined) return {};
    return { 'action.auto_create_index': [...refused.map((p) => `-${p}`), '+*'].join(',') };
  }

  /** As the `elastic` user, trusting the cluster's CA. @internal */
  public _setupAccess(): BackendSetupAccess {
    return {
      secretMounts: this.security.enabled ? {
        ...elasticPasswordMount(this.elasticCredentialsSecretName as string),
        [SETUP_CA_DIR]: { secretName: this.certificateSecretName as string, keys: ['ca.crt'] },
      } : {},
      curlConfig: (file) => elasticCurlConfigScript(`${SETUP_CA_DIR}/ca.crt`, file),
      caFile: this.security.enabled ? `${SETUP_CA_DIR}/ca.crt` : undefined,
    };
  }

  /** The cluster's pods that take client traffic, on 9200. @internal */
  public _egress(): BackendEgress {
    return {
      peers: [podsPeer(componentPods(this.namespace, 'elasticsearch', this.name))],
      port: ELASTICSEARCH_HTTP_PORT,
    };
  }

  /** DNS names of the nodes' certificate: the client and headless Services (transport checks only the chain). */
  private certificateDnsNames(headlessName: string): string[] {
    const names = (service: string) => serviceDnsNames(service, this.namespace, this.clusterDomain);
    return [...names(this.name), ...names(headlessName), 'localhost', ...this.httpHostNames];
  }

  /** The Job that creates, once, the Secrets the nodes need before they start (or cert-manager's Certificate). */
  private createSecurityBootstrap(headlessName: string, clusterLabels: { [key: string]: string }): kplus.Job {
    return createBootstrapJob(new Construct(this, 'Bootstrap'), {
      name: `${this.name}-bootstrap`,
      instance: this.name,
      image: this.image,
      namespace: this.namespace,
      security: this.security,
      caSecretName: this.caSecretName,
      certificates: [{
        secretName: this.certificateSecretName as string, name: 'elasticsearch', dnsNames: this.certificateDnsNames(headlessName), labels: clusterLabels,
      }],
      passwords: { [this.elasticCredentialsSecretName as string]: 'elastic' },
      secretLabels: clusterLabels,
    });
  }

  /** Names of the master-eligible pods (`cluster.initial_master_nodes`); a copy. */
  public get masterNodeNames(): string[] {
    return [...this._masterNodeNames];
  }

  /** One StatefulSet per node group, in group order; a copy. */
  public get statefulSets(): kplus.StatefulSet[] {
    return [...this._statefulSets];
  }

  /**
   * TLS on HTTP (clients verify the host name) and transport (nodes verify the
   * certificate chain: pods connect by address), and authentication.
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/security-settings.html#ssl-tls-settings
   */
  private securitySettings(): { [key: string]: any } {
    if (!this.security.enabled) return { 'xpack.security.enabled': false };
    const pem = (prefix: string) => ({
      [`${prefix}.enabled`]: true,
      [`${prefix}.key`]: `${CERTS_DIR}/tls.key`,
      [`${prefix}.certificate`]: `${CERTS_DIR}/tls.crt`,
      [`${prefix}.certificate_authorities`]: [`${CERTS_DIR}/ca.crt`],
    });
    return {
      'xpack.security.enabled': true,
      ...pem('xpack.security.http.ssl'),
      ...pem('xpack.security.transport.ssl'),
      'xpack.security.transport.ssl.verification_mode': 'certificate',
    };
  }

  private createNodeGroup(group: NodeGroup, index: number | undefined, shared: {
    clusterLabels: { [key: string]: string };
    clusterPods: kplus.Pods;
    headlessName: string;
    settings: { [key: string]: any };
    priorityClassName?: string;
  }): kplus.StatefulSet {
    const scope = index === undefined ? this : new Construct(this, `NodeGroup${index}`);
    const labels = { ...shared.clusterLabels, 'app.kubernetes.io/component': group.name };
    const podLabels = servesClients(group.roles) ? { ...labels, [CLIENT_LABEL]: 'true' } : labels;

    const settings: { [key: string]: any } = {
      'cluster.name': this.name,
      'node.name': '${NODE_NAME}',
      'network.host': '0.0.0.0',
      'http.port': ELASTICSEARCH_HTTP_PORT,
      'transport.port': ELASTICSEARCH_TRANSPORT_PORT,
      'path.data': DATA_PATH,
      'readiness.port': READINESS_PORT,
    };
    if (group.roles !== undefined) settings['node.roles'] = [...group.roles];
    if (this.totalReplicas === 1) {
      settings['discovery.type'] = 'single-node';
    } else {
      // `cluster.initial_master_nodes` is not in the file: the start script passes it
      // only on a master-eligible node's first start (see bootstrapScript).
      settings['discovery.seed_hosts'] = [shared.headlessName];
    }
    const bootstraps = this.totalReplicas > 1 && isMasterEligible(group.roles);
    Object.assign(settings, this.securitySettings());
    if (this.maxMapCount === ElasticsearchMaxMapCount.DISABLE_MMAP) settings['node.store.allow_mmap'] = false;

    // Rendered at synthesis, once every writer has registered its families.
    let rendered: string | undefined;
    const elasticsearchYml = () => (rendered ??= Yaml.stringify({ ...settings, ...this.autoCreateIndexSetting(shared.settings), ...shared.settings }));
    const heapOptions = `-Xms${group.heapMebibytes}m\n-Xmx${group.heapMebibytes}m\n`;
    const config = new kplus.ConfigMap(scope, 'Config', {
      metadata: { name: `${group.statefulSetName}-config`, labels },
      data: { 'heap.options': heapOptions },
    });
    config.addData('elasticsearch.yml', Lazy.any({ produce: elasticsearchYml }));

    const sts = new kplus.StatefulSet(scope, 'Resource', {
      metadata: { name: group.statefulSetName, labels },
      podMetadata: {
        labels: podLabels,
        annotations: { 'checksum/config': Lazy.any({ produce: () => contentHash(elasticsearchYml(), heapOptions) }) },
      },
      service: this.headlessService,
      replicas: group.replicas,
      select: false,
      podManagementPolicy: kplus.PodManagementPolicy.PARALLEL,
      strategy: kplus.StatefulSetUpdateStrategy.rollingUpdate(),
      terminationGracePeriod: Duration.seconds(120),
      automountServiceAccountToken: false,
      securityContext: {
        user: 1000, group: 1000, fsGroup: 1000, ensureNonRoot: true,
        // Re-owning every file of a large data volume on each start is slow.
        fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
      },
    });
    applyPodTemplateExtras(sts, { priorityClassName: shared.priorityClassName });
    sts.select(kplus.LabelSelector.of({ labels: { ...selectorLabels(labels), 'app.kubernetes.io/component': group.name } }));

    const configVolume = kplus.Volume.fromConfigMap(scope, 'ConfigVolume', config, { name: 'config' });
    const container = sts.addContainer({
      name: 'elasticsearch',
      image: this.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      // The image's own entrypoint, through a script that adds cluster.initial_master_nodes
      // until the node has joined a formed cluster once.
      ...(bootstraps ? { command: ['/bin/bash', '-c', bootstrapScript(this.masterNodeNames)] } : {}),
      ports: [
        { name: 'http', number: ELASTICSEARCH_HTTP_PORT },
        { name: 'transport', number: ELASTICSEARCH_TRANSPORT_PORT },
      ],
      envVariables: {
        NODE_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
      },
      resources: {
        cpu: { request: group.cpuRequest },
        memory: { request: Size.mebibytes(group.memoryBytes / 1024 ** 2), limit: Size.mebibytes(group.memoryBytes / 1024 ** 2) },
      },
      readiness: kplus.Probe.fromTcpSocket({
        port: READINESS_PORT,
        periodSeconds: Duration.seconds(5),
        timeoutSeconds: Duration.seconds(5),
        failureThreshold: 3,
      }),
      // Elasticsearch writes its keystore into the config directory and temporary
      // files into /tmp at start-up; the image does not support a read-only root.
      securityContext: unprivilegedContainer(1000, false),
    });
    container.mount(`${ES_HOME}/config/elasticsearch.yml`, configVolume, { subPath: 'elasticsearch.yml', readOnly: true });
    container.mount(`${ES_HOME}/config/jvm.options.d/heap.options`, configVolume, { subPath: 'heap.options', readOnly: true });
    if (this.security.enabled) {
      container.mount(`${ES_HOME}/config/${CERTS_DIR}`, kplus.Volume.fromSecret(scope, 'CertsVolume',
        kplus.Secret.fromSecretName(scope, 'Certs', this.certificateSecretName as string), { name: 'certs' }), { readOnly: true });
      // The bootstrap password of the `elastic` user (used until the security index
      // holds one). From a secretKeyRef: ELASTIC_PASSWORD_FILE wants file mode 400 or
      // 600, which a Secret volume with fsGroup (group-readable) cannot give.
      container.env.addVariable('ELASTIC_PASSWORD', kplus.EnvValue.fromSecretValue({
        secret: kplus.Secret.fromSecretName(scope, 'ElasticCredentials', this.elasticCredentialsSecretName as string), key: 'password',
      }));
    }
    dropAllCapabilities(sts, [0]);

    if (this.maxMapCount === ElasticsearchMaxMapCount.PRIVILEGED_INIT_CONTAINER) {
      sts.addInitContainer({
        name: 'sysctl',
        image: BUSYBOX_IMAGE,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        command: ['sh', '-c', raiseMaxMapCountScript(this.maxMapCountValue)],
        resources: {
          cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(100) },
          memory: { request: Size.mebibytes(16), limit: Size.mebibytes(16) },
        },
        securityContext: {
          // Writing a kernel sysctl on the node needs a privileged, root container.
          privileged: true,
          allowPrivilegeEscalation: true,
          user: 0,
          group: 0,
          ensureNonRoot: false,
          readOnlyRootFilesystem: true,
        },
      });
    }

    if (group.storage.isPersistent) {
      ApiObject.of(sts).addJsonPatch(
        JsonPatch.add('/spec/template/spec/containers/0/volumeMounts/-', { name: 'data', mountPath: DATA_PATH }),
        JsonPatch.add('/spec/volumeClaimTemplates', [{
          metadata: { name: 'data', labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            // The L1 maps requests through Quantity objects, also for patched values.
            resources: { requests: { storage: kplus.k8s.Quantity.fromString(group.storage.size ?? '') } },
            ...(group.storage.storageClassName ? { storageClassName: group.storage.storageClassName } : {}),
          },
        }]),
        JsonPatch.add('/spec/persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' }),
      );
    } else {
      container.mount(DATA_PATH, kplus.Volume.fromEmptyDir(scope, 'DataVolume', 'data'));
    }

    if (this.antiAffinity === ElasticsearchAntiAffinity.REQUIRED) {
      sts.scheduling.separate(shared.clusterPods, { topology: kplus.Topology.HOSTNAME });
    } else {
      sts.scheduling.separate(shared.clusterPods, { topology: kplus.Topology.HOSTNAME, weight: 100 });
    }
    return sts;
  }
}

/** Where the nodes' certificate Secret is mounted, under the config directory. */
const CERTS_DIR = 'certs';

function isMasterEligible(roles: ElasticsearchNodeRole[] | undefined): boolean {
  return roles === undefined || roles.includes(ElasticsearchNodeRole.MASTER);
}

/** Whether a group does more than manage the cluster, so client requests may go to it. */
function servesClients(roles: ElasticsearchNodeRole[] | undefined): boolean {
  return roles === undefined || roles.some((r) => r !== ElasticsearchNodeRole.MASTER && r !== ElasticsearchNodeRole.VOTING_ONLY);
}

function holdsData(roles: ElasticsearchNodeRole[] | undefined): boolean {
  return roles === undefined || roles.some((r) => DATA_ROLES.has(r));
}

function holdsHotData(roles: ElasticsearchNodeRole[] | undefined): boolean {
  return roles === undefined || roles.includes(ElasticsearchNodeRole.DATA) || roles.includes(ElasticsearchNodeRole.DATA_HOT);
}


/** The file in a node's data path that says the node has joined a formed cluster. */
export const CLUSTER_FORMED_MARKER = `${DATA_PATH}/.cdk8s-cluster-formed`;

/**
 * The start script of a master-eligible node in a multi-node cluster. Elastic says to
 * set `cluster.initial_master_nodes` only until the cluster has formed for the first
 * time, and to remove it then: left in place, every start logs a warning, and nodes
 * that restart with empty data paths could bootstrap a second cluster. No file that
 * Elasticsearch writes tells a node that has joined a cluster from one that has not
 * (`_state/` exists after any first start, even one that failed its bootstrap checks),
 * so the script keeps its own marker in the data path: until the marker exists it
 * passes `-Ecluster.initial_master_nodes=...` to the image's entrypoint and, in the
 * background, waits for the readiness port, which opens once the node has joined a
 * cluster with an elected master, then writes the marker. Later starts (restarts,
 * rolling upgrades, full-cluster restarts) run without the setting.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/important-settings.html#initial_master_nodes
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/docker.html
 */
function bootstrapScript(masterNodeNames: string[]): string {
  return [
    `marker=${CLUSTER_FORMED_MARKER}`,
    'entrypoint=(/bin/tini -- /usr/local/bin/docker-entrypoint.sh eswrapper)',
    'if [ -e "$marker" ]; then exec "${entrypoint[@]}"; fi',
    `( until (exec 3<>/dev/tcp/127.0.0.1/${READINESS_PORT}) 2>/dev/null; do sleep 5; done; touch "$marker" ) &`,
    `exec "\${entrypoint[@]}" -Ecluster.initial_master_nodes=${masterNodeNames.join(',')}`,
    '',
  ].join('\n');
}

/** Raises vm.max_map_count to `value` unless the node already has at least that much. */
function raiseMaxMapCountScript(value: number): string {
  return `current=$(sysctl -n vm.max_map_count); if [ "$current" -lt ${value} ]; then sysctl -w vm.max_map_count=${value}; fi`;
}

function resolveNodeGroups(clusterName: string, props: ElasticsearchClusterProps): NodeGroup[] {
  if (props.nodeGroups !== undefined && props.replicas !== undefined) {
    throw new Error('elasticsearch replicas and nodeGroups cannot both be set: give each node group its own replicas');
  }
  if (props.nodeGroups === undefined) {
    const replicas = props.replicas ?? 3;
    validateInteger('elasticsearch replicas', replicas, 1);
    const groups = [resolveGroup('elasticsearch', clusterName, { name: 'default', replicas }, props, clusterName)];
    assertMasterQuorum(groups);
    return groups;
  }
  if (props.nodeGroups.length === 0) {
    throw new Error('elasticsearch nodeGroups must hold at least one group, got []; leave it unset for one group of identical nodes');
  }
  const seen = new Set<string>();
  const groups = props.nodeGroups.map((options, index) => {
    const prop = `elasticsearch nodeGroups[${index}]`;
    validateDnsLabel(`${prop}.name`, options.name);
    if (seen.has(options.name)) {
      throw new Error(`${prop}.name ${JSON.stringify(options.name)} is used by another node group; group names must be unique`);
    }
    seen.add(options.name);
    return resolveGroup(prop, clusterName, options, props, `${clusterName}-${options.name}`);
  });
  if (!groups.some((g) => isMasterEligible(g.roles) && !g.roles?.includes(ElasticsearchNodeRole.VOTING_ONLY))) {
    throw new Error(
      'elasticsearch nodeGroups have no master-eligible node that can be elected: give at least one group the MASTER role ' +
      '(roles: [ElasticsearchNodeRole.MASTER, ...]) without VOTING_ONLY, or leave its roles unset, ' +
      `got roles ${JSON.stringify(groups.map((g) => g.roles))}`,
    );
  }
  assertMasterQuorum(groups);
  if (!groups.some((g) => holdsData(g.roles))) {
    throw new Error('elasticsearch nodeGroups have no node that holds data: give at least one group a data role (DATA, DATA_HOT, DATA_CONTENT, ...)');
  }
  return groups;
}

function resolveGroup(prop: string, clusterName: string, options: ElasticsearchNodeGroupOptions,
  defaults: ElasticsearchNodeResources, statefulSetName: string): NodeGroup {
  validateInteger(`${prop}.replicas`, options.replicas, 1);
  if (statefulSetName.length > MAX_STATEFUL_SET_NAME) {
    throw new Error(
      `${prop}: StatefulSet name ${JSON.stringify(statefulSetName)} (cluster name ${JSON.stringify(clusterName)} plus group name) ` +
      `is longer than ${MAX_STATEFUL_SET_NAME} characters; shorten the cluster or group name`,
    );
  }
  const roles = options.roles === undefined ? undefined : validateRoles(prop, options.roles);
  const memory = options.memoryLimit ?? defaults.memoryLimit ?? Size.gibibytes(2);
  const memoryBytes = validateSize(`${prop}.memoryLimit`, memory);
  if (memoryBytes % (1024 ** 2) !== 0 || memoryBytes < 512 * 1024 ** 2) {
    throw new Error(`${prop}.memoryLimit must be a whole number of MiB and at least 512 MiB, got ${memory.asString()}`);
  }
  const heap = options.heapSize ?? defaults.heapSize;
  // Half the memory, but no more than the compressed-pointer limit: a larger heap loses
  // compressed ordinary object pointers and holds less.
  let heapMebibytes = Math.min(Math.floor(memoryBytes / 1024 ** 2 / 2), MAX_HEAP_MEBIBYTES);
  if (heap !== undefined) {
    const heapBytes = validateSize(`${prop}.heapSize`, heap);
    if (heapBytes % (1024 ** 2) !== 0) {
      throw new Error(`${prop}.heapSize must be a whole number of MiB, got ${heap.asString()}`);
    }
    if (heapBytes * 2 > memoryBytes) {
      throw new Error(
        `${prop}.heapSize ${heap.asString()} is more than half the memory limit ${memory.asString()}: ` +
        `Elasticsearch needs the other half for the file-system cache; use at most ${heapMebibytes}Mi or raise memoryLimit`,
      );
    }
    if (heapBytes < MIN_HEAP_MEBIBYTES * 1024 ** 2) {
      throw new Error(
        `${prop}.heapSize must be at least ${MIN_HEAP_MEBIBYTES}Mi, got ${heap.asString()}: Elasticsearch cannot hold a cluster's state ` +
        'and its own indices in less (its automatic sizing never goes below that either); raise heapSize, or leave it to half the memory limit',
      );
    }
    if (heapBytes > MAX_HEAP_MEBIBYTES * 1024 ** 2) {
      throw new Error(
        `${prop}.heapSize must be at most 31Gi, got ${heap.asString()}: above about 31 GiB the JVM turns compressed ` +
        'object pointers off and the larger heap holds less (Elastic: 26 GB is safe, up to 30 GB on some systems); add nodes instead',
      );
    }
    heapMebibytes = heapBytes / 1024 ** 2;
  }
  const cpuRequest = validateCpu(`${prop}.cpuRequest`, options.cpuRequest ?? defaults.cpuRequest ?? kplus.Cpu.millis(1000));
  return {
    name: options.name,
    statefulSetName,
    replicas: options.replicas,
    roles,
    memoryBytes,
    heapMebibytes,
    cpuRequest,
    storage: storageOf(prop, options.storage ?? defaults.storage ?? ElasticsearchStorage.persistent()),
  };
}

function storageOf(prop: string, storage: ElasticsearchStorage): ElasticsearchStorage {
  validateInstance(`${prop}.storage`, storage, ElasticsearchStorage, 'ElasticsearchStorage.persistent({ size: Size.gibibytes(30) })');
  return storage;
}

/**
 * Two master-eligible nodes are the one count that looks redundant and is not: a master
 * needs a majority of them, so losing either stops the cluster (Elasticsearch then
 * keeps one of the two out of the voting configuration).
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/high-availability-cluster-small-clusters.html
 */
function assertMasterQuorum(groups: NodeGroup[]): void {
  const masters = groups.filter((g) => isMasterEligible(g.roles)).reduce((sum, g) => sum + g.replicas, 0);
  if (masters === 2) {
    throw new Error(
      'elasticsearch has exactly 2 master-eligible nodes (replicas or nodeGroups), got 2: a master needs a majority, so losing either node ' +
      'stops the cluster; use 3 (or a third, voting-only node group: roles [MASTER, VOTING_ONLY]), or 1 for development',
    );
  }
}

function validateRoles(prop: string, roles: ElasticsearchNodeRole[]): ElasticsearchNodeRole[] {
  const allowed = Object.values(ElasticsearchNodeRole) as string[];
  for (const role of roles) {
    if (!allowed.includes(role)) {
      throw new Error(`${prop}.roles: unknown role ${JSON.stringify(role)}; allowed: ${allowed.join(', ')}`);
    }
  }
  if (new Set(roles).size !== roles.length) {
    throw new Error(`${prop}.roles lists a role twice, got ${JSON.stringify(roles)}`);
  }
  if (roles.includes(ElasticsearchNodeRole.VOTING_ONLY) && !roles.includes(ElasticsearchNodeRole.MASTER)) {
    throw new Error(`${prop}.roles: VOTING_ONLY needs MASTER too, got ${JSON.stringify(roles)}`);
  }
  if (roles.includes(ElasticsearchNodeRole.DATA) && roles.some((r) => r !== ElasticsearchNodeRole.DATA && DATA_ROLES.has(r))) {
    throw new Error(`${prop}.roles: the generic DATA role cannot be combined with tiered data roles, got ${JSON.stringify(roles)}`);
  }
  return [...roles];
}
