import { Chart, Duration, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { FluentdBuffer, FluentdBufferOptions } from './fluentd-buffer';
import { FluentdConfig, FluentdSection } from './fluentd-config';
import {
  METRICS_PORT, containerJsonSourceDirectives, containerFileRoute, hostJsonFileDirectives, syslogSourceDirectives, containerLogDirectives, deadLetterDirectives,
  elasticsearchOutput, journalSourceDirectives, metricsDirectives, routeLabel, systemDirectives, ELASTICSEARCH_CA_DIR,
} from './fluentd-pipeline';
import { ElasticsearchConnection } from '../elasticsearch/elasticsearch-connection';
import { monitoringImports } from '../common/crd-imports';
import { contentHash } from '../common/hash';
import {
  DATASETS, FamilyNaming, IndexFamilyKind, IndexNaming, familyName, isDataStreamFamily, reserveIndexFamily, resolveFamilyNaming, validateFamilyKind,
} from '../pipeline/index-families';
import { ContainerLogFormat } from '../pipeline/container-logs';
import {
  ContainerJsonSource, HostJsonFileSource, ILogAgent, JournalSource, SyslogMode, SyslogSource, checkRouteName, isUnixSyslogMode, validateContainerJsonSource, validateHostJsonFileSource,
  validateJournalSource, validateSyslogSource,
} from '../pipeline/log-source';
import { appLabels, selectorLabels } from '../common/labels';
import { addElasticsearchCredentials } from '../elasticsearch/consumer-credentials';
import { createMetricsService, createNodeAgent, journalReadPath, mountNodeLogs } from '../common/node-agent';
import { NodeAgentPlacement, ResolvedPlacement, assertRunsOnControlPlane, resolvePlacement } from '../common/node-placement';
import { dropAllCapabilities, unprivilegedContainer } from '../common/pod';
import { validateClusterName, validateCpu, validateDnsLabel, validateDnsSubdomain, validateImage, validateInstances, validateMinimumSize } from '../common/validation';
import { ElasticsearchBackend, IElasticsearchWriter, validateBackend } from '../elasticsearch/elasticsearch-backend';
import { ResolvedS3Archive, S3ArchiveOptions, addS3Credentials, archivePort, resolveS3Archive } from '../pipeline/s3-archive';
import { FLUENTD_ELASTICSEARCH8_IMAGE, FLUENTD_IMAGE } from '../images';
import { checkScope } from '../common/app-checks';
import type { WriterNetworkNeeds } from '../charts/network-policies';

/**
 * Index families of the agent's own source (each a data stream). The other sources name
 * theirs (`KubernetesAuditLogs`, `FalcoDaemonSet`, ... `indexName`).
 */
export interface FluentdIndexNames {
  /**
   * Container logs.
   * @default - '<indexPrefix>-containers' (IndexNaming.DATA_STREAM: 'logs-kubernetes.container_logs-<namespace>')
   */
  readonly containers?: string;
}

/** A route of its own for some container log files (a security source's pods). */
export interface FluentdContainerFileRouteOptions {
  /** Route name, unique per agent: the tail is `in_tail_<name>`, its pos file `<name>.log.pos`. */
  readonly name: string;
  /** Glob of the files under /var/log/containers/. */
  readonly path: string;
  /** Tag of the events. */
  readonly tag: string;
  /** Label (`@NAME`) the whole lines continue in. */
  readonly label: string;
  /** Filters and outputs for the lines, which arrive with `message` and `stream` fields. */
  readonly directives: FluentdSection[];
}

/** fluentd's log level (`<system> log_level`). */
export enum FluentdLogLevel {
  /** Everything. */
  TRACE = 'trace',
  /** Debugging. */
  DEBUG = 'debug',
  /** Normal operation. */
  INFO = 'info',
  /** Warnings and errors. */
  WARN = 'warn',
  /** Errors only. */
  ERROR = 'error',
}

/** Options of {@link FluentdDaemonSet}, everything but the cluster (what a chart passes through). */
export interface FluentdDaemonSetOptions {
  /**
   * Name of the DaemonSet, its ServiceAccount and (with the namespace) its ClusterRole.
   * Its own log files (`<name>-*`) are never tailed.
   * @default 'fluentd'
   */
  readonly name?: string;

  /**
   * The fluentd-kubernetes-daemonset image, of the variant for the cluster's major
   * version (`-elasticsearch9-` for 9.x, `-elasticsearch8-` for 8.19: the 9 client fails
   * against an 8.x server); a variant of the other major is refused.
   * @default - FLUENTD_IMAGE for Elasticsearch 9, FLUENTD_ELASTICSEARCH8_IMAGE for 8.19
   */
  readonly image?: string;

  /**
   * Format of the container log files on the nodes.
   * @default ContainerLogFormat.CRI
   */
  readonly containerLogFormat?: ContainerLogFormat;

  /**
   * Prefix of the index families (IndexNaming.PREFIX); container logs go to the
   * `<prefix>-containers` data stream. `logs-`, `metrics-` and `traces-` are refused:
   * Elasticsearch's built-in templates own those names.
   * @default 'seclog'
   */
  readonly indexPrefix?: string;

  /**
   * How the index families are named: `<indexPrefix>-<source>`, or Elastic's data stream
   * scheme `logs-<dataset>-<namespace>` that Elastic Security's prebuilt rules and the
   * integrations' dashboards search (see {@link IndexNaming}).
   * @default IndexNaming.PREFIX
   */
  readonly indexNaming?: IndexNaming;

  /**
   * The `<namespace>` of `logs-<dataset>-<namespace>` (IndexNaming.DATA_STREAM only):
   * lowercase letters, digits and `_`, e.g. an environment (`prod`).
   * @default 'default'
   */
  readonly dataStreamNamespace?: string;

  /**
   * Name of the Kubernetes cluster, in every document (`orchestrator.cluster.name`):
   * set it when several clusters ship to one Elasticsearch.
   * @default 'default'
   */
  readonly clusterName?: string;

  /**
   * Index family names per source, overriding `<indexPrefix>-<source>`.
   * @default - the agent's naming (`indexNaming`)
   */
  readonly indexNames?: FluentdIndexNames;

  /**
   * The file buffer of each Elasticsearch output.
   * @default - 2 GiB total, 8 MiB chunks, block when full, retry forever
   */
  readonly buffer?: FluentdBufferOptions;

  /**
   * Memory request and limit.
   * @default Size.mebibytes(512)
   */
  readonly memoryLimit?: Size;

  /**
   * CPU request (no CPU limit is set).
   * @default kplus.Cpu.millis(100)
   */
  readonly cpuRequest?: kplus.Cpu;

  /**
   * fluentd's own log level.
   * @default FluentdLogLevel.INFO
   */
  readonly logLevel?: FluentdLogLevel;

  /**
   * PriorityClass of the pods (e.g. `system-node-critical`, so the agent is not evicted first).
   * @default - none
   */
  readonly priorityClassName?: string;

  /**
   * Archive every source to S3 as well (fluent-plugin-s3: gzip JSON lines under
   * date-partitioned keys), beside Elasticsearch. Needs an `image` that ships
   * fluent-plugin-s3 besides the default image's plugins: no upstream image has both.
   * @default - no archive
   */
  readonly s3Archive?: S3ArchiveOptions;

  /**
   * The nodes the agent runs on. Sources on other nodes (Falco's alerts, the audit log
   * on control-plane nodes) are never shipped: give Falco the same placement.
   * @default - every node, every taint tolerated
   */
  readonly placement?: NodeAgentPlacement;

  /**
   * Also create a prometheus-operator ServiceMonitor for the metrics Service.
   * Needs the ServiceMonitor CRD in the cluster.
   * @default false
   */
  readonly serviceMonitor?: boolean;
}

/** Props of {@link FluentdDaemonSet}. */
export interface FluentdDaemonSetProps extends FluentdDaemonSetOptions {
  /** The Elasticsearch the logs are shipped to. */
  readonly elasticsearch: ElasticsearchBackend;
}

/** Where the image's entrypoint looks for the config: `/fluentd/etc/${FLUENTD_CONF}`. */
const IMAGE_CONFIG_DIR = '/fluentd/etc';
/** Our ConfigMap's directory inside the image's config directory. */
const CONFIG_SUBDIR = 'cdk8s';
const CONFIG_FILE = 'fluent.conf';

/**
 * Fluentd on every node (control-plane nodes too): tails container logs, joins split
 * lines, adds Kubernetes metadata and ships to an {@link ElasticsearchBackend}.
 *
 * `fluent.conf` is rendered from a {@link FluentdConfig} and mounted in a directory of
 * its own under `/fluentd/etc`, with `FLUENTD_CONF` pointing the image's entrypoint
 * (`fluentd -c /fluentd/etc/${FLUENTD_CONF}`) at it. `/var/log` is mounted read-only;
 * only the agent's own state directory (`/var/log/fluentd-<instance>`: pos files and
 * file buffers) is writable, so both survive pod restarts.
 *
 * @see https://github.com/fluent/fluentd-kubernetes-daemonset
 * @see https://docs.fluentd.org/input/tail
 * @see https://github.com/fabric8io/fluent-plugin-kubernetes_metadata_filter
 * @see https://github.com/uken/fluent-plugin-elasticsearch
 */
export class FluentdDaemonSet extends Construct implements IElasticsearchWriter, ILogAgent {
  /** Name of the DaemonSet. */
  public readonly name: string;

  /** The resolved buffer settings of each output. */
  public readonly buffer: FluentdBuffer;
  /** Directory on each node for pos files and buffers. */
  public readonly stateDir: string;
  /** Full path of the config file inside the container. */
  public readonly configPath: string;
  /** Prefix of the index families (with IndexNaming.PREFIX). */
  public readonly indexPrefix: string;
  /** How the index families are named. */
  public readonly indexNaming: IndexNaming;
  /** Name of the cluster in every document. */
  public readonly clusterName: string;
  /** Index family of each source. */
  public readonly indexNames: FluentdIndexNames;
  /** The DaemonSet. */
  public readonly daemonSet: kplus.DaemonSet;
  /** The ServiceAccount. */
  public readonly serviceAccount: kplus.ServiceAccount;
  /** The ClusterRole (pods, namespaces: get, list, watch). */
  public readonly clusterRole: kplus.ClusterRole;
  /** The Service exposing the metrics port. */
  public readonly metricsService: kplus.Service;
  /** Metrics port. */
  public readonly metricsPort: number = METRICS_PORT;
  /**
   * The resolved placement (nodes and tolerated taints) of the agent. @internal
   */
  public readonly _placement: ResolvedPlacement;
  private renderedConfig?: string;
  private frozenConfig?: FluentdConfig;
  private readonly logLevel: FluentdLogLevel;
  private readonly containerLogFormat: ContainerLogFormat;
  private readonly containerLogExclusions: string[];
  private readonly extraDirectives: FluentdSection[] = [];
  private readonly hostFileSources = new Set<string>();
  private readonly syslogSources = new Set<string>();
  private readonly indexFamilies = new Map<string, string>();
  private readonly familyKinds = new Map<string, IndexFamilyKind>();
  private readonly connection: ElasticsearchConnection;
  private readonly archive?: ResolvedS3Archive;
  private readonly container: kplus.Container;
  private readonly journalSources = new Set<string>();
  private readonly naming: FamilyNaming;

  constructor(scope: Construct, id: string, props: FluentdDaemonSetProps) {
    super(scope, id);
    checkScope(this);
    validateBackend('fluentd elasticsearch', props?.elasticsearch, 'to ship to');
    this.name = props.name ?? 'fluentd';
    validateDnsLabel('fluentd name', this.name, 50);
    this.naming = resolveFamilyNaming('fluentd', props.indexNaming, props.indexPrefix, props.dataStreamNamespace);
    this.indexPrefix = this.naming.prefix;
    this.indexNaming = this.naming.naming;
    this.clusterName = validateClusterName('fluentd clusterName', props.clusterName ?? 'default');
    if ((props.indexNames as { [key: string]: unknown } | undefined)?.audit !== undefined) {
      throw new Error('fluentd indexNames.audit moved to the audit source: new KubernetesAuditLogs(scope, id, { agent, indexName }) (the chart: auditIndexName)');
    }
    this.indexNames = { containers: props.indexNames?.containers ?? this.familyName('containers', DATASETS.containers) };
    this.registerIndexFamily('fluentd indexNames.containers', this.indexNames.containers as string, IndexFamilyKind.CONTAINERS);
    const format = props.containerLogFormat ?? ContainerLogFormat.CRI;
    if (!Object.values(ContainerLogFormat).includes(format)) {
      throw new Error(`fluentd containerLogFormat must be one of ${Object.values(ContainerLogFormat).join(', ')}, got ${JSON.stringify(format)}`);
    }
    const logLevel = props.logLevel ?? FluentdLogLevel.INFO;
    if (!Object.values(FluentdLogLevel).includes(logLevel)) {
      throw new Error(`fluentd logLevel must be one of ${Object.values(FluentdLogLevel).join(', ')}, got ${JSON.stringify(logLevel)}`);
    }
    const memory = props.memoryLimit ?? Size.mebibytes(512);
    validateMinimumSize('fluentd memoryLimit', memory, 128);
    const major = props.elasticsearch?.majorVersion;
    const defaultImage = major === 8 ? FLUENTD_ELASTICSEARCH8_IMAGE : FLUENTD_IMAGE;
    const image = props.image ?? defaultImage;
    validateImage('fluentd image', image);
    const variant = /-elasticsearch(\d+)-/.exec(image)?.[1];
    if (variant !== undefined && Number(variant) !== major) {
      throw new Error(
        `fluentd image ${JSON.stringify(image)} is fluentd-kubernetes-daemonset's Elasticsearch ${variant} variant, but the cluster runs ` +
        `Elasticsearch ${props.elasticsearch.version}: its client would not talk to it; use the -elasticsearch${major}- variant (${defaultImage})`,
      );
    }
    if (props.priorityClassName !== undefined) validateDnsSubdomain('fluentd priorityClassName', props.priorityClassName);
    this.buffer = new FluentdBuffer(props.buffer);
    if (props.s3Archive !== undefined) {
      if (props.image === undefined) {
        throw new Error(
          'fluentd s3Archive needs an image that ships fluent-plugin-s3 beside the default image\'s plugins ' +
          '(elasticsearch, kubernetes_metadata_filter, rewrite-tag-filter, concat, parser-cri, dedot_filter, prometheus): ' +
          `no fluentd-kubernetes-daemonset image ships both, and the default ${defaultImage} has no S3 plugin; ` +
          'pass the image you build, or use the Fluent Bit agent (FluentBitDaemonSet, or the chart\'s agent: LogAgent.FLUENT_BIT)',
        );
      }
      this.archive = resolveS3Archive('fluentd s3Archive', props.s3Archive);
      if (this.archive.match !== '*') {
        throw new Error(`fluentd s3Archive.match selects tags on Fluent Bit only; Fluentd archives every source, got ${JSON.stringify(this.archive.match)}`);
      }
    }

    const namespace = Chart.of(this).namespace;
    if (namespace === undefined) {
      throw new Error(
        'fluentd needs its chart to have a namespace (new Chart(app, id, { namespace })): its ClusterRoleBinding ' +
        'names the ServiceAccount by namespace, and its own log files are excluded by it',
      );
    }
    const instance = `${namespace}-${this.name}`;
    this._placement = resolvePlacement('fluentd placement', props.placement);
    this.stateDir = `/var/log/fluentd-${instance}`;
    this.configPath = `${IMAGE_CONFIG_DIR}/${CONFIG_SUBDIR}/${CONFIG_FILE}`;
    const labels = appLabels('fluentd', this.name);
    // Its own user, which may only create documents in this agent's index families.
    this.connection = props.elasticsearch.addWriter(this);

    this.logLevel = logLevel;
    this.containerLogFormat = format;
    // Kubelet names files <pod>_<namespace>_<container>-<id>.log.
    this.containerLogExclusions = [`/var/log/containers/${this.name}-*_${namespace}_*.log`];
    const fluentConf = Lazy.any({ produce: () => this.render() });

    const configMap = new kplus.ConfigMap(this, 'Config', { metadata: { name: `${this.name}-config`, labels } });
    configMap.addData(CONFIG_FILE, fluentConf);

    const agent = createNodeAgent(this, {
      name: this.name,
      instance,
      labels,
      podAnnotations: { 'checksum/config': Lazy.any({ produce: () => contentHash(this.render()) }) },
      // Long enough to flush buffers at shutdown (flush_at_shutdown).
      terminationGracePeriod: Duration.seconds(60),
      priorityClassName: props.priorityClassName,
      placement: this._placement,
    });
    this.serviceAccount = agent.serviceAccount;
    this.clusterRole = agent.clusterRole;
    this.daemonSet = agent.daemonSet;

    const container = this.daemonSet.addContainer({
      name: 'fluentd',
      image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: [{ name: 'metrics', number: METRICS_PORT }],
      envVariables: {
        FLUENTD_CONF: kplus.EnvValue.fromValue(`${CONFIG_SUBDIR}/${CONFIG_FILE}`),
        // Fail at start-up on a malformed value instead of running with a default.
        FLUENTD_OPT: kplus.EnvValue.fromValue('--strict-config-value'),
        // kubernetes_metadata watches only this node's pods.
        K8S_NODE_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME),
      },
      resources: {
        cpu: { request: validateCpu('fluentd cpuRequest', props.cpuRequest ?? kplus.Cpu.millis(100)) },
        memory: { request: memory, limit: memory },
      },
      readiness: kplus.Probe.fromHttpGet('/metrics', { port: METRICS_PORT, periodSeconds: Duration.seconds(10) }),
      liveness: kplus.Probe.fromHttpGet('/metrics', {
        port: METRICS_PORT,
        initialDelaySeconds: Duration.seconds(30),
        periodSeconds: Duration.seconds(30),
        failureThreshold: 3,
      }),
      // Root reads other pods' log files; the image's entrypoint runs fluentd through
      // bundler (`--gemfile`), which expects a writable image filesystem.
      securityContext: unprivilegedContainer(0, false),
    });
    dropAllCapabilities(this.daemonSet, [0]);

    addElasticsearchCredentials(this, container, this.connection, ELASTICSEARCH_CA_DIR);
    if (this.archive) addS3Credentials(this, this.serviceAccount, container, this.archive.credentials, '/etc/fluentd-aws');
    container.mount(`${IMAGE_CONFIG_DIR}/${CONFIG_SUBDIR}`,
      kplus.Volume.fromConfigMap(this, 'ConfigVolume', configMap, { name: 'config' }), { readOnly: true });
    mountNodeLogs(this, container, this.stateDir, format === ContainerLogFormat.DOCKER_JSON);
    this.container = container;

    this.metricsService = createMetricsService(this, this.name, labels, 'metrics', METRICS_PORT);
    if (props.serviceMonitor ?? false) {
      new (monitoringImports().ServiceMonitor)(this, 'ServiceMonitor', {
        metadata: { name: this.name, labels },
        spec: {
          selector: { matchLabels: selectorLabels(labels) },
          endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }],
        },
      });
    }
  }

  /**
   * Tails a file a source writes on the node into its data stream (registering its
   * family), compiled from its declaration ({@link hostJsonFileDirectives}).
   */
  public addHostJsonFileSource(source: HostJsonFileSource): void {
    validateHostJsonFileSource('fluentd', source);
    if (this.hostFileSources.has(source.name)) throw new Error(`fluentd host file source ${source.name} was added twice: each file is read once`);
    if (source.controlPlaneOnly) assertRunsOnControlPlane('fluentd', this._placement);
    this.registerIndexFamily(source.stream.prop, source.stream.family, source.stream.kind);
    this.hostFileSources.add(source.name);
    // A logs-<dataset>-<namespace> stream is one stream: its name has no room for a split.
    const split = isDataStreamFamily(source.stream.family) ? undefined : source.split;
    this.addDirectives(...hostJsonFileDirectives({ ...source, split }, this.stateDir, (pattern, id, dataStream) => this.elasticsearchOutput(pattern, id, dataStream)));
  }

  /**
   * The fluentd configuration as it stands: system settings, metrics, container
   * logs, the sources added so far, and the dead-letter label. Fixed at synthesis.
   */
  public get config(): FluentdConfig {
    return this.frozenConfig ?? this.buildConfig(this.extraDirectives);
  }

  /** The nodes the agent runs on (defaults filled in). */
  public get placement(): NodeAgentPlacement {
    return { nodeSelector: { ...this._placement.nodeSelector }, tolerations: this._placement.tolerations.map((t) => ({ ...t })) };
  }

  /** What its pods connect to, for the NetworkPolicies. @internal */
  public _networkNeeds(): WriterNetworkNeeds {
    return { component: 'fluentd', instance: this.name, apiServer: true, metricsPort: this.metricsPort, archivePort: this.archivePort };
  }

  /** The name its Elasticsearch user and Secret are made from. */
  public get writerName(): string {
    return this.name;
  }

  /** Every index family this agent writes (its own and those its sources registered). */
  public writtenIndexFamilies(): string[] {
    return [...this.indexFamilies.values()];
  }

  /** The TCP port the S3 archive uploads to (443, or the custom endpoint's), when it is on. */
  public get archivePort(): number | undefined {
    return this.archive ? archivePort(this.archive) : undefined;
  }

  /** The family this agent's naming gives a source's stream (`<indexPrefix>-<source>` or `logs-<dataset>-<namespace>`). */
  public familyName(source: string, dataset: string): string {
    return familyName(this.naming, source, dataset);
  }

  /**
   * Reserves an index family for one source of this agent. Throws if the name is
   * not a valid family, or if it equals or overlaps (`a` and `a-b`) the family of
   * another source: the index patterns `<family>-*` would mix their documents.
   * @param prop what the family is, for the error message (e.g. `falco indexName`)
   * @param kind what it holds, which gives its template and lifecycle policy; without
   * one, pass the family's template to the ElasticsearchSetup
   */
  public registerIndexFamily(prop: string, family: string, kind?: IndexFamilyKind): void {
    validateFamilyKind(prop, kind);
    reserveIndexFamily(this.indexFamilies, prop, family);
    if (kind !== undefined) this.familyKinds.set(family, kind);
  }

  /** What a family holds, when its source said so (its template follows from it). @internal */
  public _indexFamilyKind(family: string): IndexFamilyKind | undefined {
    return this.familyKinds.get(family);
  }


  /**
   * Collects a source that prints JSON lines on a container's stdout into its data
   * streams (registering their families), compiled from its declaration.
   */
  public addContainerJsonSource(source: ContainerJsonSource): void {
    validateContainerJsonSource('fluentd', source);
    for (const stream of source.streams) this.registerIndexFamily(stream.prop, stream.family, stream.kind);
    this.addContainerFileRoute({
      name: source.name, path: source.path, tag: source.tag, label: routeLabel(source.name),
      directives: containerJsonSourceDirectives(source, (pattern, id, dataStream) => this.elasticsearchOutput(pattern, id, dataStream)),
    });
  }

  /**
   * Reads the node's systemd journal into a data stream (registering its family),
   * compiled from its declaration ({@link journalSourceDirectives}).
   */
  public addJournalSource(source: JournalSource): void {
    validateJournalSource('fluentd', source);
    if (this.journalSources.has(source.name)) throw new Error(`fluentd journal source ${source.name} was added twice: each reads its own journal once`);
    this.assertOpen('addJournalSource');
    const { stream } = source;
    this.registerIndexFamily(stream.prop, stream.family, stream.kind);
    this.journalSources.add(source.name);
    const path = journalReadPath(this, this.daemonSet, this.container, this.stateDir, source.name, source.path);
    this.addDirectives(...journalSourceDirectives({ ...source, path }, this.stateDir, this.elasticsearchOutput(source.tag, `out_es_${source.name}`, stream.family)));
  }

  /**
   * Receives what the node's syslog daemon forwards into its data stream, compiled from its
   * declaration ({@link syslogSourceDirectives}) on a host port. fluentd's syslog input
   * listens on UDP or TCP only: a Unix socket mode is refused.
   */
  public addSyslogSource(source: SyslogSource): string {
    validateSyslogSource('fluentd syslog', source);
    if (isUnixSyslogMode(source.mode)) {
      throw new Error(`fluentd syslog mode must be udp or tcp: fluentd's syslog input has no Unix socket transport (udp, tcp or tls), got ${JSON.stringify(source.mode)}`);
    }
    this.assertOpen('addSyslogSource');
    if (this.syslogSources.has(source.name)) throw new Error(`fluentd syslog source ${source.name} was added twice: one listener each`);
    this.registerIndexFamily(source.stream.prop, source.stream.family, source.stream.kind);
    this.syslogSources.add(source.name);
    this.container.addPort({ name: source.name, number: source.port as number, hostPort: source.port, protocol: source.mode === SyslogMode.UDP ? kplus.Protocol.UDP : kplus.Protocol.TCP });
    this.addDirectives(...syslogSourceDirectives(source, (pattern, id, dataStream) => this.elasticsearchOutput(pattern, id, dataStream)));
    return `${source.mode}:${source.port}`;
  }

  /**
   * Adds a route that reads some container log files (in this agent's runtime
   * format, partial lines joined) and hands each line to `directives`. The files
   * are also excluded from the generic container-log source.
   */

  public addContainerFileRoute(options: FluentdContainerFileRouteOptions): void {
    validateInstances('fluentd route directives', options?.directives, FluentdSection, "FluentdSection.filter(...), .match(...)");
    checkRouteName('fluentd route name', options.name);
    if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(options.tag ?? '')) {
      throw new Error(`fluentd route tag must be dot-separated words without '*' (it is also the match pattern), got ${JSON.stringify(options.tag)}`);
    }
    this.addContainerLogExclusion(options.path);
    this.addDirectives(...containerFileRoute({
      format: this.containerLogFormat,
      name: options.name,
      path: options.path,
      stateDir: this.stateDir,
      tag: options.tag,
      tagPattern: options.tag,
      label: options.label,
      directives: options.directives,
    }));
  }

  /**
   * An Elasticsearch output to this agent's cluster with a durable file buffer of
   * its own, appending to a data stream; preceded by the filter that gives every
   * document the id a `create` needs.
   * @param dataStream the data stream (an index family); may use fluentd placeholders such as `${tag[1]}`
   */
  public elasticsearchOutput(pattern: string, id: string, dataStream: string): FluentdSection[] {
    return elasticsearchOutput(pattern, id, {
      connection: this.connection,
      clusterName: this.clusterName,
      indexFamily: dataStream,
      stateDir: this.stateDir,
      buffer: this.buffer,
      archive: this.archive,
    });
  }

  /** Appends directives (sources, labels) to the configuration. */
  public addDirectives(...directives: FluentdSection[]): void {
    this.assertOpen('addDirectives');
    this.buildConfig([...this.extraDirectives, ...directives]); // throws on a repeated @id or label
    this.extraDirectives.push(...directives);
  }

  /**
   * Stops the container-log source from reading files that a dedicated route
   * collects (a security source's own pods), so their lines are not indexed twice.
   * @param pathGlob a glob under /var/log/containers/
   */
  public addContainerLogExclusion(pathGlob: string): void {
    this.assertOpen('addContainerLogExclusion');
    if (!/^\/var\/log\/containers\/[^\s'"]+\.log$/.test(pathGlob ?? '')) {
      throw new Error(`fluentd container log exclusion must be a glob of /var/log/containers/*.log files, got ${JSON.stringify(pathGlob)}`);
    }
    if (!this.containerLogExclusions.includes(pathGlob)) this.containerLogExclusions.push(pathGlob);
  }

  private buildConfig(extra: FluentdSection[]): FluentdConfig {
    return new FluentdConfig([
      ...systemDirectives(this.logLevel),
      ...metricsDirectives(),
      ...containerLogDirectives({
        format: this.containerLogFormat,
        path: '/var/log/containers/*.log',
        excludePaths: [...this.containerLogExclusions],
        stateDir: this.stateDir,
        connection: this.connection,
        clusterName: this.clusterName,
        indexFamily: this.indexNames.containers as string,
        buffer: this.buffer,
        archive: this.archive,
      }),
      ...extra,
      ...deadLetterDirectives(),
    ]);
  }

  private assertOpen(method: string): void {
    if (this.frozenConfig !== undefined) {
      throw new Error(`fluentd ${method} was called after the configuration was rendered (synthesis); call it before synth`);
    }
  }

  private render(): string {
    this.frozenConfig ??= this.buildConfig(this.extraDirectives);
    this.renderedConfig ??= this.frozenConfig.render();
    return this.renderedConfig;
  }
}

