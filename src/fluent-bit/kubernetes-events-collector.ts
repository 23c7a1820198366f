import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { FluentBitConfig, FluentBitPlugin } from './fluent-bit-config';
import { FLUENT_BIT_CA_DIR, FLUENT_BIT_CONFIG_FILE, FLUENT_BIT_HTTP_PORT, addFluentBitContainer, clusterNameFilter, fluentBitElasticsearchOutput } from './fluent-bit-daemon-set';
import { contentHash } from '../common/hash';
import { IndexFamilyKind, validateIndexFamily } from '../pipeline/index-families';
import { appLabels, selectorLabels } from '../common/labels';
import { createClusterReader } from '../common/node-agent';
import { addElasticsearchCredentials } from '../elasticsearch/consumer-credentials';
import { applyPodTemplateExtras } from '../common/pod';
import { validateClusterName, validateCpu, validateDnsLabel, validateDnsSubdomain, validateImage, validateMinimumSize } from '../common/validation';
import { ElasticsearchBackend, IElasticsearchWriter, validateBackend } from '../elasticsearch/elasticsearch-backend';
import { ElasticsearchConnection } from '../elasticsearch/elasticsearch-connection';
import { FLUENT_BIT_IMAGE } from '../images';
import { checkScope } from '../common/app-checks';
import type { WriterNetworkNeeds } from '../charts/network-policies';

/** Options of {@link KubernetesEventsCollector}, everything but the cluster. */
export interface KubernetesEventsCollectorOptions {
  /**
   * Name of the Deployment and prefix of its objects.
   * @default 'kubernetes-events'
   */
  readonly name?: string;

  /**
   * Replicas. Only 1 is allowed: each replica watches every event, so a second one
   * would index every event twice. It exists so that a copied `replicas: 2` fails
   * loudly instead of duplicating.
   * @default 1
   */
  readonly replicas?: number;

  /**
   * The index family (data stream) of the events.
   * @default 'seclog-events'
   */
  readonly indexName?: string;

  /**
   * Name of the Kubernetes cluster, in every document (`orchestrator.cluster.name`).
   * @default 'default'
   */
  readonly clusterName?: string;

  /**
   * Watch the events of this namespace only (`kube_namespace`).
   * @default - every namespace
   */
  readonly watchNamespace?: string;

  /**
   * Size of the state volume, a PVC: the buffered chunks survive a restart or a
   * move to another node, so no event waiting for Elasticsearch is lost.
   * @default Size.gibibytes(1)
   */
  readonly stateVolumeSize?: Size;

  /**
   * StorageClass of the state volume.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;

  /**
   * Image.
   * @default FLUENT_BIT_IMAGE
   */
  readonly image?: string;

  /**
   * Memory request and limit.
   * @default Size.mebibytes(128)
   */
  readonly memoryLimit?: Size;

  /**
   * CPU request (no CPU limit is set).
   * @default kplus.Cpu.millis(20)
   */
  readonly cpuRequest?: kplus.Cpu;

  /**
   * PriorityClass of the pod.
   * @default - none
   */
  readonly priorityClassName?: string;
}

/** Props of {@link KubernetesEventsCollector}. */
export interface KubernetesEventsCollectorProps extends KubernetesEventsCollectorOptions {
  /** The Elasticsearch to ship to. */
  readonly elasticsearch: ElasticsearchBackend;
}

const STATE_DIR = '/var/lib/fluent-bit';
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const USER = 1000;

/**
 * The cluster's Kubernetes events (scheduling, kills, image pulls, probe failures,
 * evictions...) into their own data stream, through Fluent Bit's `kubernetes_events`
 * input, as its own least-privilege Elasticsearch user.
 *
 * One replica, replaced with `Recreate` (two would each send every event). Buffered
 * chunks sit on a PersistentVolumeClaim, so nothing waiting for Elasticsearch is lost
 * on a restart; the input keeps no events database (Fluent Bit 4.2's keeps only the
 * first version of each event and never shrinks), so a restart sends the last hour
 * (`kube_retention_time`) of events again. The API token is read from the projected ServiceAccount
 * token file and read again once it is 10 minutes old (`kube_token_ttl`), so token rotation is
 * safe. Its ClusterRole may only get, list and watch events. The pod meets the
 * `restricted` Pod Security Standard.
 *
 * @see https://docs.fluentbit.io/manual/pipeline/inputs/kubernetes-events
 */
export class KubernetesEventsCollector extends Construct implements IElasticsearchWriter {
  /** Name of the Deployment. */
  public readonly name: string;
  /** The index family of the events. */
  public readonly indexName: string;
  /** Name of the Kubernetes cluster, in every document (`orchestrator.cluster.name`). */
  public readonly clusterName: string;
  /** The Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The ClusterRole (events: get, list, watch). */
  public readonly clusterRole: kplus.ClusterRole;
  /** The rendered configuration model. */
  public readonly config: FluentBitConfig;
  private readonly connection: ElasticsearchConnection;

  constructor(scope: Construct, id: string, props: KubernetesEventsCollectorProps) {
    super(scope, id);
    checkScope(this);
    validateBackend('kubernetes events collector elasticsearch', props?.elasticsearch, 'to ship to');
    this.name = props.name ?? 'kubernetes-events';
    validateDnsLabel('kubernetes events collector name', this.name, 50);
    const replicas = props.replicas ?? 1;
    if (replicas !== 1) {
      throw new Error(
        `kubernetes events collector replicas must be 1, got ${JSON.stringify(replicas)}: every replica watches every event, ` +
        'so each more replica indexes each event once more',
      );
    }
    this.indexName = props.indexName ?? 'seclog-events';
    this.clusterName = validateClusterName('kubernetes events collector clusterName', props.clusterName ?? 'default');
    validateIndexFamily('kubernetes events collector indexName', this.indexName);
    if (props.watchNamespace !== undefined) validateDnsLabel('kubernetes events collector watchNamespace', props.watchNamespace);
    const stateSize = props.stateVolumeSize ?? Size.gibibytes(1);
    validateMinimumSize('kubernetes events collector stateVolumeSize', stateSize, 64);
    if (props.storageClassName !== undefined) validateDnsSubdomain('kubernetes events collector storageClassName', props.storageClassName);
    const image = props.image ?? FLUENT_BIT_IMAGE;
    validateImage('kubernetes events collector image', image);
    const memory = props.memoryLimit ?? Size.mebibytes(128);
    validateMinimumSize('kubernetes events collector memoryLimit', memory, 32);
    if (props.priorityClassName !== undefined) validateDnsSubdomain('kubernetes events collector priorityClassName', props.priorityClassName);
    const namespace = Chart.of(this).namespace;
    if (namespace === undefined) {
      throw new Error('kubernetes events collector needs its chart to have a namespace: its ClusterRoleBinding names the ServiceAccount by namespace');
    }
    const labels = appLabels('kubernetes-events', this.name);
    this.connection = props.elasticsearch.addWriter(this);

    this.config = new FluentBitConfig({
      service: {
        'flush': 5,
        'grace': 30,
        'log_level': 'info',
        'http_server': true,
        'http_listen': '0.0.0.0',
        'http_port': FLUENT_BIT_HTTP_PORT,
        'health_check': true,
        'storage.path': `${STATE_DIR}/storage`,
        'storage.sync': 'normal',
        'storage.max_chunks_up': 64,
      },
      pipeline: [
        FluentBitPlugin.input('kubernetes_events', {
          'alias': 'in_kubernetes_events',
          'tag': 'k8s_events',
          'kube_url': 'https://kubernetes.default.svc',
          'kube_ca_file': `${SERVICE_ACCOUNT_DIR}/ca.crt`,
          // The projected token rotates; it is read again every 10 minutes.
          'kube_token_file': `${SERVICE_ACCOUNT_DIR}/token`,
          'kube_token_ttl': '10m',
          'kube_namespace': props.watchNamespace,
          // No `db`: in Fluent Bit 4.2 it keeps only the first version of each event
          // (a repeated BackOff's later counts are lost) and never shrinks. Without it, a
          // restart sends the last kube_retention_time (1 hour) of events again.
          'storage.type': 'filesystem',
        }),
        clusterNameFilter(this.clusterName),
        fluentBitElasticsearchOutput(this.connection, { match: 'k8s_events', alias: 'out_es_events', index: this.indexName, totalLimitBytes: 512 * 1024 ** 2 }),
      ],
    });
    const configText = this.config.render();

    const { serviceAccount, clusterRole } = createClusterReader(this, {
      name: this.name, instance: `${namespace}-${this.name}`, labels, resources: [kplus.ApiResource.EVENTS],
    });
    this.clusterRole = clusterRole;

    const configMap = new kplus.ConfigMap(this, 'Config', { metadata: { name: `${this.name}-config`, labels }, data: { [FLUENT_BIT_CONFIG_FILE]: configText } });
    const claim = new kplus.PersistentVolumeClaim(this, 'State', {
      metadata: { name: `${this.name}-state`, labels },
      accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
      storage: stateSize,
      storageClassName: props.storageClassName,
    });

    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { name: this.name, labels },
      podMetadata: { labels, annotations: { 'checksum/config': contentHash(configText) } },
      replicas: 1,
      // Never two at once, not even during a rollout: the old one stops first.
      strategy: kplus.DeploymentStrategy.recreate(),
      select: false,
      serviceAccount,
      automountServiceAccountToken: true,
      terminationGracePeriod: Duration.seconds(60),
      securityContext: { user: USER, group: USER, fsGroup: USER, ensureNonRoot: true },
    });
    applyPodTemplateExtras(this.deployment, { priorityClassName: props.priorityClassName });
    this.deployment.select(kplus.LabelSelector.of({ labels: selectorLabels(labels) }));
    const container = addFluentBitContainer(this, this.deployment, {
      image, configMap, user: USER, cpuRequest: validateCpu('kubernetes events collector cpuRequest', props.cpuRequest ?? kplus.Cpu.millis(20)), memory,
    });
    container.mount(STATE_DIR, kplus.Volume.fromPersistentVolumeClaim(this, 'StateVolume', claim, { name: 'state' }));
    addElasticsearchCredentials(this, container, this.connection, FLUENT_BIT_CA_DIR);
  }

  /** What its pods connect to, for the NetworkPolicies. @internal */
  public _networkNeeds(): WriterNetworkNeeds {
    return { component: 'kubernetes-events', instance: this.name, apiServer: true };
  }

  /** The name its Elasticsearch user and Secret are made from. */
  public get writerName(): string {
    return this.name;
  }

  /** The index family it writes. */
  public writtenIndexFamilies(): string[] {
    return [this.indexName];
  }

  /** What its family holds: Kubernetes events. @internal */
  public _indexFamilyKind(family: string): IndexFamilyKind | undefined {
    return family === this.indexName ? IndexFamilyKind.KUBERNETES_EVENTS : undefined;
  }
}
