import { Chart, Duration, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { FluentBitConfig, FluentBitEnvValue, FluentBitParser, FluentBitPlugin } from './fluent-bit-config';
import { s3ArchiveOutput } from './fluent-bit-s3-output';
import { ResolvedS3Archive, S3ArchiveOptions, addS3Credentials, archivePort, resolveS3Archive } from '../pipeline/s3-archive';
import { contentHash } from '../common/hash';
import {
  CLUSTER_NAME_FIELD, DATASETS, FamilyNaming, IndexFamilyKind, IndexNaming, familyName, reserveIndexFamily, resolveFamilyNaming, validateFamilyKind,
} from '../pipeline/index-families';
import {
  ContainerJsonSource, HostJsonFileSource, ILogAgent, JournalSource, LogTimeFormat, SyslogMode, SyslogSource, checkRouteName, isUnixSyslogMode, snakeCase, validateContainerJsonSource,
  validateHostJsonFileSource, validateJournalSource, validateSyslogSource,
} from '../pipeline/log-source';
import { appLabels } from '../common/labels';
import { createMetricsService, createNodeAgent, journalReadPath, mountNodeLogs } from '../common/node-agent';
import { ELASTICSEARCH_API_KEY_ENV, ELASTICSEARCH_PASSWORD_ENV, ELASTICSEARCH_USER_ENV, addElasticsearchCredentials } from '../elasticsearch/consumer-credentials';
import { NodeAgentPlacement, ResolvedPlacement, assertRunsOnControlPlane, resolvePlacement } from '../common/node-placement';
import { dropAllCapabilities, unprivilegedContainer } from '../common/pod';
import {
  validateClusterName, validateCpu, validateDnsLabel, validateDnsSubdomain, validateImage, validateInstances, validateInteger, validateMinimumSize, validateSize,
} from '../common/validation';
import { ElasticsearchBackend, IElasticsearchWriter, validateBackend } from '../elasticsearch/elasticsearch-backend';
import { ElasticsearchAuthentication, ElasticsearchConnection } from '../elasticsearch/elasticsearch-connection';
import { ContainerLogFormat, PAYLOAD_FIELD } from '../pipeline/container-logs';
import { FLUENT_BIT_IMAGE } from '../images';
import { checkScope } from '../common/app-checks';
import type { WriterNetworkNeeds } from '../charts/network-policies';

/** Log level of Fluent Bit (`service.log_level`). */
export enum FluentBitLogLevel {
  /** Errors only. */
  ERROR = 'error',
  /** Warnings and errors. */
  WARN = 'warn',
  /** The default. */
  INFO = 'info',
  /** Debugging output. */
  DEBUG = 'debug',
}

/** Filesystem buffering of a {@link FluentBitDaemonSet}. */
export interface FluentBitStorageOptions {
  /**
   * Upper bound of each output's chunks on the node's disk
   * (`storage.total_limit_size`). When it is reached, Fluent Bit discards the
   * oldest chunks of that output to make room: the documented overflow choice.
   * At least 8 MiB (a few of Fluent Bit's 2 MiB chunks).
   * @default Size.gibibytes(2)
   */
  readonly totalLimitSize?: Size;

  /**
   * Chunks kept in memory at once (`storage.max_chunks_up`, about 2 MiB each); the
   * rest wait on disk.
   * @default 128
   */
  readonly maxChunksUp?: number;
}

/** Options of {@link FluentBitDaemonSet}, everything but the cluster. */
export interface FluentBitDaemonSetOptions {
  /**
   * Name of the DaemonSet and prefix of its objects.
   * @default 'fluent-bit'
   */
  readonly name?: string;

  /**
   * Image.
   * @default FLUENT_BIT_IMAGE
   */
  readonly image?: string;

  /**
   * Log format of the container runtime.
   * @default ContainerLogFormat.CRI
   */
  readonly containerLogFormat?: ContainerLogFormat;

  /**
   * Prefix of the index families (IndexNaming.PREFIX); container logs go to `<indexPrefix>-containers`.
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
   * Filesystem buffering.
   * @default - 2 GiB per output on the node, 128 chunks in memory
   */
  readonly storage?: FluentBitStorageOptions;

  /**
   * Memory request and limit.
   * @default Size.mebibytes(256)
   */
  readonly memoryLimit?: Size;

  /**
   * CPU request (no CPU limit is set).
   * @default kplus.Cpu.millis(50)
   */
  readonly cpuRequest?: kplus.Cpu;

  /**
   * Log level.
   * @default FluentBitLogLevel.INFO
   */
  readonly logLevel?: FluentBitLogLevel;

  /**
   * PriorityClass of the pods.
   * @default - none
   */
  readonly priorityClassName?: string;

  /**
   * Archive records to S3 as well (gzip, date-partitioned keys), beside Elasticsearch.
   * @default - no archive
   */
  readonly s3Archive?: S3ArchiveOptions;

  /**
   * The nodes the agent runs on. Sources on other nodes (Falco's alerts, the audit log
   * on control-plane nodes) are never shipped: give Falco the same placement.
   * @default - every node, every taint tolerated
   */
  readonly placement?: NodeAgentPlacement;
}

/** A route of some container log files through a Fluent Bit agent. */
export interface FluentBitContainerFileRouteOptions {
  /** Route name (lowercase, `_`): the tail input's alias is `in_tail_<name>`, its database `<name>.db`. */
  readonly name: string;
  /** The files (a glob under `/var/log/containers`). */
  readonly path: string;
  /** The tag of the route's records. */
  readonly tag: string;
  /** Its filters and outputs, matching the tag. */
  readonly plugins: FluentBitPlugin[];
  /**
   * Parsers the plugins name.
   * @default []
   */
  readonly parsers?: FluentBitParser[];
}

/** Props of {@link FluentBitDaemonSet}. */
export interface FluentBitDaemonSetProps extends FluentBitDaemonSetOptions {
  /** The Elasticsearch to ship to. */
  readonly elasticsearch: ElasticsearchBackend;
}

/** Fluent Bit's HTTP server: health, metrics. */
export const FLUENT_BIT_HTTP_PORT = 2020;
const CONFIG_DIR = '/fluent-bit/etc/cdk8s';
/** The key of the configuration in a Fluent Bit ConfigMap. */
export const FLUENT_BIT_CONFIG_FILE = 'fluent-bit.yaml';
const AWS_DIR = '/fluent-bit/etc/aws';
/** Seconds Fluent Bit spends flushing at shutdown (`grace`); the pod's grace period is longer. */
const GRACE_SECONDS = 30;
const TERMINATION_GRACE_SECONDS = 60;

/**
 * Fluent Bit on every node: the lighter alternative to {@link FluentdDaemonSet},
 * with the same contract. Container logs (CRI or Docker, partial lines joined by the
 * built-in multiline parsers) get Kubernetes metadata from the file name, JSON
 * payloads are lifted into `payload` with the raw line kept in `message`, and they go
 * to the same `<prefix>-containers` data stream, as the agent's own least-privilege
 * user over verified TLS.
 *
 * Durable: inputs buffer on the node's disk (`storage.type filesystem`), each output's
 * backlog is bounded (`storage.total_limit_size`), retries never give up
 * (`retry_limit no_limits`), and the tail database and chunks live on a hostPath, so a
 * restarted pod resumes where the last one stopped.
 *
 * @see https://docs.fluentbit.io/manual/installation/kubernetes
 * @see https://docs.fluentbit.io/manual/administration/buffering-and-storage
 */
export class FluentBitDaemonSet extends Construct implements IElasticsearchWriter, ILogAgent {
  /** Name of the DaemonSet. */
  public readonly name: string;
  /** Prefix of the index families (with IndexNaming.PREFIX). */
  public readonly indexPrefix: string;
  /** How the index families are named. */
  public readonly indexNaming: IndexNaming;
  /** Name of the cluster in every document. */
  public readonly clusterName: string;
  /** Index family of container logs. */
  public readonly containersIndexName: string;
  /** Directory on each node for the tail database and buffered chunks. */
  public readonly stateDir: string;
  /** The DaemonSet. */
  public readonly daemonSet: kplus.DaemonSet;
  /** The ServiceAccount. */
  public readonly serviceAccount: kplus.ServiceAccount;
  /** The ClusterRole (pods, namespaces: get, list, watch). */
  public readonly clusterRole: kplus.ClusterRole;
  /** The Service exposing the HTTP server (metrics). */
  public readonly metricsService: kplus.Service;
  /** Port of the HTTP server: health at `/api/v1/health`, Prometheus metrics at `/api/v2/metrics/prometheus`. */
  public readonly metricsPort: number = FLUENT_BIT_HTTP_PORT;
  /**
   * The resolved placement (nodes and tolerated taints) of the agent. @internal
   */
  public readonly _placement: ResolvedPlacement;
  private readonly connection: ElasticsearchConnection;
  private readonly service: { [key: string]: any };
  private readonly containerLogFormat: ContainerLogFormat;
  private readonly containerLogExclusions: string[];
  private readonly containerFilters: FluentBitPlugin[];
  private readonly archive?: FluentBitPlugin;
  private readonly resolvedArchive?: ResolvedS3Archive;
  private readonly totalLimit: number;
  private readonly routes: FluentBitPlugin[] = [];
  private readonly extraPlugins: FluentBitPlugin[] = [];
  private readonly routeParsers: FluentBitParser[] = [];
  private readonly indexFamilies = new Map<string, string>();
  private readonly familyKinds = new Map<string, IndexFamilyKind>();
  private frozenConfig?: FluentBitConfig;
  private renderedConfig?: string;
  private readonly hostFileSources = new Set<string>();
  private readonly syslogSources = new Set<string>();
  private readonly container: kplus.Container;
  private readonly journalSources = new Set<string>();
  private readonly naming: FamilyNaming;

  constructor(scope: Construct, id: string, props: FluentBitDaemonSetProps) {
    super(scope, id);
    checkScope(this);
    validateBackend('fluent bit elasticsearch', props?.elasticsearch, 'to ship to');
    this.name = props.name ?? 'fluent-bit';
    validateDnsLabel('fluent bit name', this.name, 50);
    this.naming = resolveFamilyNaming('fluent bit', props.indexNaming, props.indexPrefix, props.dataStreamNamespace);
    this.indexPrefix = this.naming.prefix;
    this.indexNaming = this.naming.naming;
    this.clusterName = validateClusterName('fluent bit clusterName', props.clusterName ?? 'default');
    this.containersIndexName = this.familyName('containers', DATASETS.containers);
    this.registerIndexFamily('fluent bit containers index', this.containersIndexName, IndexFamilyKind.CONTAINERS);
    const format = props.containerLogFormat ?? ContainerLogFormat.CRI;
    if (!Object.values(ContainerLogFormat).includes(format)) {
      throw new Error(`fluent bit containerLogFormat must be one of ${Object.values(ContainerLogFormat).join(', ')}, got ${JSON.stringify(format)}`);
    }
    const logLevel = props.logLevel ?? FluentBitLogLevel.INFO;
    if (!Object.values(FluentBitLogLevel).includes(logLevel)) {
      throw new Error(`fluent bit logLevel must be one of ${Object.values(FluentBitLogLevel).join(', ')}, got ${JSON.stringify(logLevel)}`);
    }
    const memory = props.memoryLimit ?? Size.mebibytes(256);
    validateMinimumSize('fluent bit memoryLimit', memory, 64);
    const image = props.image ?? FLUENT_BIT_IMAGE;
    validateImage('fluent bit image', image);
    if (props.priorityClassName !== undefined) validateDnsSubdomain('fluent bit priorityClassName', props.priorityClassName);
    const totalLimitSize = props.storage?.totalLimitSize ?? Size.gibibytes(2);
    // Fluent Bit's chunks grow to about 2 MiB: a backlog must hold several.
    validateMinimumSize('fluent bit storage.totalLimitSize', totalLimitSize, 8, 'Fluent Bit chunks are about 2 MiB each');
    const totalLimit = validateSize('fluent bit storage.totalLimitSize', totalLimitSize);
    const maxChunksUp = props.storage?.maxChunksUp ?? 128;
    validateInteger('fluent bit storage.maxChunksUp', maxChunksUp, 1, 100000);

    const namespace = Chart.of(this).namespace;
    if (namespace === undefined) {
      throw new Error(
        'fluent bit needs its chart to have a namespace (new Chart(app, id, { namespace })): its ClusterRoleBinding ' +
        'names the ServiceAccount by namespace, and its own log files are excluded by it',
      );
    }
    const instance = `${namespace}-${this.name}`;
    this._placement = resolvePlacement('fluent bit placement', props.placement);
    this.stateDir = `/var/log/fluent-bit-${instance}`;
    const labels = appLabels('fluent-bit', this.name);
    this.connection = props.elasticsearch.addWriter(this);

    this.service = {
      'flush': 5,
      // Time to flush at shutdown; the pod's grace period is longer.
      'grace': GRACE_SECONDS,
      'log_level': logLevel,
      'http_server': true,
      'http_listen': '0.0.0.0',
      'http_port': FLUENT_BIT_HTTP_PORT,
      // /api/v1/health turns unhealthy after 5 errors or 5 failed retries in a minute.
      'health_check': true,
      'hc_errors_count': 5,
      'hc_retry_failure_count': 5,
      'hc_period': 60,
      'storage.path': `${this.stateDir}/storage`,
      'storage.sync': 'normal',
      'storage.checksum': false,
      'storage.max_chunks_up': maxChunksUp,
      'storage.backlog.mem_limit': 16 * 1024 ** 2,
      'storage.metrics': true,
    };
    this.containerLogFormat = format;
    this.totalLimit = totalLimit;
    // Its own files: shipping them would feed back on itself.
    this.containerLogExclusions = [`/var/log/containers/${this.name}-*_${namespace}_*.log`];
    this.containerFilters = [
      // Metadata from the API server by the file name (the tag) only. Pods cannot
      // pick their own parser or exclude themselves by annotation.
      FluentBitPlugin.filter('kubernetes', 'kube.*', {
        'alias': 'kubernetes_metadata',
        'kube_url': 'https://kubernetes.default.svc:443',
        // The API server's certificate names kubernetes.default.svc; Fluent Bit checks
        // the name only when told (tls.verify alone checks the chain).
        'tls.verify_hostname': true,
        'kube_tag_prefix': 'kube.var.log.containers.',
        // Unlimited: a pod whose API answer exceeds the 32k default would get no metadata.
        'buffer_size': 0,
        // JSON payloads become fields under `payload`; the raw line is kept.
        'merge_log': true,
        'merge_log_key': PAYLOAD_FIELD,
        'keep_log': true,
        'labels': true,
        'annotations': false,
        'k8s-logging.parser': false,
        'k8s-logging.exclude': false,
      }),
      // The same field name as the Fluentd agent's.
      FluentBitPlugin.filter('modify', 'kube.*', { alias: 'log_to_message', rename: 'log message' }),
      this.elasticsearchOutput('kube.*', 'out_es_containers', this.containersIndexName),
    ];
    if ((props as unknown as { [key: string]: unknown }).syslog !== undefined) {
      throw new Error('fluent bit syslog moved to a source of its own: new NodeSyslog(scope, id, { agent: fluentBit, mode, ... }) (the chart: nodeSyslog)');
    }
    this.resolvedArchive = props.s3Archive ? resolveS3Archive('fluent bit s3Archive', props.s3Archive) : undefined;
    this.archive = this.resolvedArchive ? s3ArchiveOutput(this.resolvedArchive, `${this.stateDir}/s3`) : undefined;
    const configText = Lazy.any({ produce: () => this.render() });

    const configMap = new kplus.ConfigMap(this, 'Config', { metadata: { name: `${this.name}-config`, labels } });
    configMap.addData(FLUENT_BIT_CONFIG_FILE, configText);

    const agent = createNodeAgent(this, {
      name: this.name,
      instance,
      labels,
      podAnnotations: { 'checksum/config': Lazy.any({ produce: () => contentHash(this.render()) }) },
      terminationGracePeriod: Duration.seconds(TERMINATION_GRACE_SECONDS),
      priorityClassName: props.priorityClassName,
      placement: this._placement,
    });
    this.serviceAccount = agent.serviceAccount;
    this.clusterRole = agent.clusterRole;
    this.daemonSet = agent.daemonSet;

    // The image needs no writable root: state goes to the hostPath.
    const container = addFluentBitContainer(this, this.daemonSet, {
      image, configMap, user: 0, cpuRequest: validateCpu('fluent bit cpuRequest', props.cpuRequest ?? kplus.Cpu.millis(50)), memory,
    });
    mountNodeLogs(this, container, this.stateDir, format === ContainerLogFormat.DOCKER_JSON);
    this.container = container;
    if (props.s3Archive) addS3Credentials(this, this.serviceAccount, container, props.s3Archive.credentials, AWS_DIR);
    addElasticsearchCredentials(this, container, this.connection, FLUENT_BIT_CA_DIR);
    this.metricsService = createMetricsService(this, this.name, labels, 'http', FLUENT_BIT_HTTP_PORT);
  }

  /** The nodes the agent runs on (defaults filled in). */
  public get placement(): NodeAgentPlacement {
    return { nodeSelector: { ...this._placement.nodeSelector }, tolerations: this._placement.tolerations.map((t) => ({ ...t })) };
  }

  /** What its pods connect to, for the NetworkPolicies. @internal */
  public _networkNeeds(): WriterNetworkNeeds {
    return { component: 'fluent-bit', instance: this.name, apiServer: true, metricsPort: this.metricsPort, archivePort: this.archivePort };
  }

  /** The name its Elasticsearch user and Secret are made from. */
  public get writerName(): string {
    return this.name;
  }

  /** Every index family this agent writes (its own and those its sources registered). */
  public writtenIndexFamilies(): string[] {
    return [...this.indexFamilies.values()];
  }

  /** The family this agent's naming gives a source's stream (`<indexPrefix>-<source>` or `logs-<dataset>-<namespace>`). */
  public familyName(source: string, dataset: string): string {
    return familyName(this.naming, source, dataset);
  }

  /**
   * Reserves an index family for one source of this agent. Throws if the name is
   * not a valid family, or if it equals or overlaps (`a` and `a-b`) another source's.
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
   * Adds a route that reads some container log files (in this agent's runtime
   * format, partial lines joined) under `tag`, through `plugins` (filters and
   * outputs, which match the tag), with the parsers they name. The files leave the
   * generic container-log input.
   */
  /**
   * Collects a source that prints JSON lines on a container's stdout into its data
   * streams (registering their families), compiled from its declaration: JSON lines from
   * stdout only, parsed with the first RFC 3339 time field as the record's time,
   * `rewrite_tag` re-emitting the records of each stream but the last as
   * `<name>.<family>` (on disk, as the rest), and an output per stream.
   * @see https://docs.fluentbit.io/manual/pipeline/filters/rewrite-tag
   */
  public addContainerJsonSource(source: ContainerJsonSource): void {
    validateContainerJsonSource('fluent bit', source);
    for (const stream of source.streams) this.registerIndexFamily(stream.prop, stream.family, stream.kind);
    const { name, tag } = source;
    const time = source.times.find((t) => t.format === LogTimeFormat.RFC3339);
    const parser = time ? rfc3339JsonParser(`${name}_event`, time.field) : new FluentBitParser(`${name}_event`, { format: 'json' });
    const single = source.streams.length === 1;
    const conditional = source.streams.slice(0, -1);
    const last = source.streams[source.streams.length - 1];
    this.addContainerFileRoute({
      name, path: source.path, tag, parsers: [parser],
      plugins: [
        ...stdoutJsonFilters(tag, name, parser.name, `${name}_parse_event`),
        ...conditional.flatMap((stream) => (stream.whenAnyField ?? []).map((field) => {
          const alias = `route_${name}_${snakeCase(field)}`;
          return FluentBitPlugin.filter('rewrite_tag', tag, {
            // The re-emitted records wait on disk like the rest.
            'alias': alias, 'rule': `$${field} ^.+$ ${name}.${stream.family} false`, 'emitter_name': `${alias}_emitter`, 'emitter_storage.type': 'filesystem',
          });
        })),
        ...conditional.map((stream) => this.elasticsearchOutput(`${name}.${stream.family}`, `out_es_${name}_${stream.name}`, stream.family)),
        this.elasticsearchOutput(tag, single ? `out_es_${name}` : `out_es_${name}_${last.name}`, last.family),
      ],
    });
  }

  public addContainerFileRoute(options: FluentBitContainerFileRouteOptions): void {
    this.assertOpen('routes');
    validateInstances('fluent bit route plugins', options?.plugins, FluentBitPlugin, 'FluentBitPlugin.filter(...), .output(...)');
    if (options.parsers !== undefined) validateInstances('fluent bit route parsers', options.parsers, FluentBitParser, "new FluentBitParser('name', { format: 'json' })");
    checkRouteName('fluent bit route name', options.name);
    this.containerLogExclusions.push(options.path);
    this.routes.push(this.tailInput(`in_tail_${options.name}`, options.tag, options.path, `${options.name}.db`, []), ...options.plugins);
    this.routeParsers.push(...(options.parsers ?? []));
  }

  /**
   * Tails a file a source writes on the node into its data stream (registering its
   * family), compiled from its declaration: the line parsed as JSON with the record's own
   * time (an RFC 3339 parser, or Unix seconds), lines up to the declared length read (a
   * longer one is skipped with a warning in the agent's log), position in a database and
   * chunks on the node, and the record's field names kept. Fluent Bit 4.2's es output
   * cannot name the index from a record field, so a declared split is not made: every
   * record goes to the family's own stream.
   */
  public addHostJsonFileSource(source: HostJsonFileSource): void {
    validateHostJsonFileSource('fluent bit', source);
    if (this.hostFileSources.has(source.name)) throw new Error(`fluent bit host file source ${source.name} was added twice: each file is read once`);
    if (source.controlPlaneOnly) assertRunsOnControlPlane('fluent bit', this._placement);
    this.assertOpen('routes');
    const { name, tag, stream, time } = source;
    this.registerIndexFamily(stream.prop, stream.family, stream.kind);
    this.hostFileSources.add(name);
    const parser = time.format === LogTimeFormat.RFC3339 ? rfc3339JsonParser(`${name}_event`, time.field)
      : new FluentBitParser(`${name}_event`, { format: 'json', time_key: time.field, time_format: '%s', time_keep: true });
    this.routeParsers.push(parser);
    this.routes.push(
      FluentBitPlugin.input('tail', {
        'alias': `in_tail_${name}`,
        'tag': tag,
        'path': source.path,
        'parser': parser.name,
        'db': `${this.stateDir}/${name}.db`,
        'db.locking': true,
        'read_from_head': true,
        'refresh_interval': 10,
        'buffer_chunk_size': 256 * 1024,
        'buffer_max_size': source.maxLineBytes,
        'skip_long_lines': true,
        'storage.type': 'filesystem',
      }),
      this.elasticsearchOutput(tag, `out_es_${name}`, stream.family, false),
    );
  }

  /**
   * Reads the node's systemd journal into a data stream (registering its family),
   * compiled from its declaration: the `systemd` input on the journal directory (which
   * needs no machine id, unlike the input without a path), its matches as filters of
   * which any may hold, from the oldest entry on its first start (the input's default)
   * and from the cursor in its database after that, on disk like the rest.
   * @see https://docs.fluentbit.io/manual/data-pipeline/inputs/systemd
   */
  public addJournalSource(source: JournalSource): void {
    validateJournalSource('fluent bit', source);
    if (this.journalSources.has(source.name)) throw new Error(`fluent bit journal source ${source.name} was added twice: each reads its own journal once`);
    this.assertOpen('routes');
    const { name, tag, stream } = source;
    this.registerIndexFamily(stream.prop, stream.family, stream.kind);
    this.journalSources.add(source.name);
    const path = journalReadPath(this, this.daemonSet, this.container, this.stateDir, source.name, source.path);
    this.routes.push(
      FluentBitPlugin.input('systemd', {
        'alias': `in_systemd_${name}`,
        'tag': tag,
        'path': path,
        'systemd_filter': source.matches.map((m) => `${m.field}=${m.value}`),
        'systemd_filter_type': 'or',
        'read_from_tail': false,
        'db': `${this.stateDir}/${name}.db`,
        'db.sync': 'normal',
        'storage.type': 'filesystem',
      }),
      this.elasticsearchOutput(tag, `out_es_${name}`, stream.family),
    );
  }

  /** The TCP port the S3 archive uploads to (443, or the custom endpoint's), when it is on. */
  public get archivePort(): number | undefined {
    return this.resolvedArchive ? archivePort(this.resolvedArchive) : undefined;
  }


  /**
   * Receives what the node's syslog daemon forwards (Fluent Bit's `syslog` input with the
   * image's stock `syslog-rfc3164` or `syslog-rfc5424` parser, on disk like the rest) into
   * its data stream, compiled from its declaration: a Unix socket in the agent's state
   * directory on the node, or a host port the node's rsyslog forwards to.
   * @see https://docs.fluentbit.io/manual/data-pipeline/inputs/syslog
   */
  public addSyslogSource(source: SyslogSource): string {
    validateSyslogSource('fluent bit syslog', source);
    this.assertOpen('routes');
    if (this.syslogSources.has(source.name)) throw new Error(`fluent bit syslog source ${source.name} was added twice: one listener each`);
    const { name, tag, mode, stream } = source;
    this.registerIndexFamily(stream.prop, stream.family, stream.kind);
    this.syslogSources.add(name);
    const unix = isUnixSyslogMode(mode);
    const socket = `${this.stateDir}/${name}.sock`;
    // UDP/TCP syslog from the node: a host port the node's rsyslog forwards to.
    if (!unix) this.container.addPort({ name, number: source.port as number, hostPort: source.port, protocol: mode === SyslogMode.UDP ? kplus.Protocol.UDP : kplus.Protocol.TCP });
    // The stock parsers (syslog-rfc3164, syslog-rfc5424) ship in the image.
    this.service['parsers_file'] = '/fluent-bit/etc/parsers.conf';
    this.routes.push(
      FluentBitPlugin.input('syslog', {
        'alias': `in_${name}`,
        'tag': tag,
        'mode': mode,
        'path': unix ? socket : undefined,
        // By default only root (the node's syslog daemon) may write.
        'unix_perm': unix ? source.socketMode : undefined,
        'listen': unix ? undefined : '0.0.0.0',
        'port': unix ? undefined : source.port,
        'parser': source.rfc3164 ? 'syslog-rfc3164' : 'syslog-rfc5424',
        'storage.type': 'filesystem',
      }),
      this.elasticsearchOutput(tag, `out_es_${name}`, stream.family),
    );
    return unix ? socket : `${mode}:${source.port}`;
  }

  /**
   * The escape hatch: plugins of your own (inputs, filters, outputs) and the parsers
   * they name, rendered after the library's. Outputs to Elasticsearch should come
   * from {@link FluentBitDaemonSet.elasticsearchOutput}, whose family you reserve with
   * {@link FluentBitDaemonSet.registerIndexFamily}, so that the agent's user may write it.
   */
  public addPlugins(plugins: FluentBitPlugin[], parsers: FluentBitParser[] = []): void {
    this.assertOpen('plugins');
    this.extraPlugins.push(...plugins);
    this.routeParsers.push(...parsers);
  }

  /**
   * An Elasticsearch output of this agent, as its own user, with its bounded backlog;
   * field names de-dotted unless `replaceDots` is false.
   */
  public elasticsearchOutput(match: string, alias: string, index: string, replaceDots?: boolean): FluentBitPlugin {
    return fluentBitElasticsearchOutput(this.connection, { match, alias, index, totalLimitBytes: this.totalLimit, replaceDots });
  }

  /** The configuration as it stands; fixed at synthesis. */
  public get config(): FluentBitConfig {
    return this.frozenConfig ?? this.buildConfig();
  }

  private assertOpen(what: 'routes' | 'plugins'): void {
    if (this.frozenConfig) throw new Error(`fluent bit ${what} must be added before synthesis`);
  }

  private render(): string {
    this.frozenConfig ??= this.buildConfig();
    this.renderedConfig ??= this.frozenConfig.render();
    return this.renderedConfig;
  }

  private buildConfig(): FluentBitConfig {
    return new FluentBitConfig({
      service: this.service,
      parsers: this.routeParsers,
      pipeline: [
        this.tailInput('in_tail_containers', 'kube.*', '/var/log/containers/*.log', 'containers.db', this.containerLogExclusions),
        ...this.containerFilters,
        ...this.routes,
        ...(this.archive ? [this.archive] : []),
        ...this.extraPlugins,
        // Last of the filters, for every record (re-emitted ones pass again; Add keeps a set key).
        clusterNameFilter(this.clusterName),
      ],
    });
  }

  /**
   * A tail input of container log files: the runtime's format, partial lines joined
   * by the built-in multiline parser, position in a database and chunks on the node.
   */
  private tailInput(alias: string, tag: string, path: string, db: string, exclude: string[]): FluentBitPlugin {
    return FluentBitPlugin.input('tail', {
      'alias': alias,
      'tag': tag,
      'path': path,
      'exclude_path': exclude.length > 0 ? exclude.join(',') : undefined,
      'multiline.parser': this.containerLogFormat === ContainerLogFormat.CRI ? 'cri' : 'docker',
      'db': `${this.stateDir}/${db}`,
      'db.locking': true,
      'read_from_head': true,
      'refresh_interval': 10,
      // Kubelet splits lines at 16 KiB, so a longer physical line is not a log
      // line; skipping it keeps the file followed (Fluent Bit would stop reading it).
      'buffer_max_size': 256 * 1024,
      'skip_long_lines': true,
      'storage.type': 'filesystem',
    });
  }

}


/**
 * A JSON parser whose event time is `timeKey`, an RFC 3339 time with fractional
 * seconds and a zone (`Z` or an offset), kept in the record. The stock `json` parser
 * cannot read such times and drops the field.
 */
export function rfc3339JsonParser(name: string, timeKey: string): FluentBitParser {
  return new FluentBitParser(name, { format: 'json', time_key: timeKey, time_format: '%Y-%m-%dT%H:%M:%S.%L%z', time_keep: true });
}

/**
 * Filters that keep only a container's stdout lines holding a JSON object, and
 * replace each record by that object, parsed with `parser`: the Fluent Bit twin of
 * the Fluentd routes' stdout JSON filter. Aliases are `<aliasPrefix>_stdout_only`,
 * `<aliasPrefix>_json_only` and `parseAlias`.
 */
export function stdoutJsonFilters(tag: string, aliasPrefix: string, parser: string, parseAlias: string): FluentBitPlugin[] {
  return [
    FluentBitPlugin.filter('grep', tag, { alias: `${aliasPrefix}_stdout_only`, regex: 'stream ^stdout$' }),
    FluentBitPlugin.filter('grep', tag, { alias: `${aliasPrefix}_json_only`, regex: 'log ^\\s*\\{' }),
    FluentBitPlugin.filter('parser', tag, { alias: parseAlias, key_name: 'log', parser, reserve_data: false }),
  ];
}

/**
 * The Fluent Bit container of a workload: it runs the configuration in `configMap`
 * (under {@link FLUENT_BIT_CONFIG_FILE}, mounted read-only), serves health and
 * metrics on {@link FLUENT_BIT_HTTP_PORT} before any other `ports`, drops every
 * capability and needs no writable root. It is unready after repeated output errors,
 * and alive as long as the server answers, so an Elasticsearch outage never restarts
 * it (its chunks wait in its storage).
 */
export function addFluentBitContainer(scope: Construct, workload: kplus.Workload, options: {
  readonly image: string;
  readonly configMap: kplus.IConfigMap;
  readonly user: number;
  readonly cpuRequest: kplus.Cpu;
  readonly memory: Size;
  readonly ports?: kplus.ContainerPort[];
}): kplus.Container {
  const container = workload.addContainer({
    name: 'fluent-bit',
    image: options.image,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    args: ['-c', `${CONFIG_DIR}/${FLUENT_BIT_CONFIG_FILE}`],
    ports: [{ name: 'http', number: FLUENT_BIT_HTTP_PORT }, ...(options.ports ?? [])],
    resources: { cpu: { request: options.cpuRequest }, memory: { request: options.memory, limit: options.memory } },
    readiness: kplus.Probe.fromHttpGet('/api/v1/health', { port: FLUENT_BIT_HTTP_PORT, periodSeconds: Duration.seconds(10) }),
    liveness: kplus.Probe.fromHttpGet('/', { port: FLUENT_BIT_HTTP_PORT, initialDelaySeconds: Duration.seconds(10), periodSeconds: Duration.seconds(30) }),
    securityContext: unprivilegedContainer(options.user, true),
  });
  dropAllCapabilities(workload, [0]);
  container.mount(CONFIG_DIR, kplus.Volume.fromConfigMap(scope, 'ConfigVolume', options.configMap, { name: 'config' }), { readOnly: true });
  return container;
}
/** Where a Fluent Bit consumer's CA is mounted. */
export const FLUENT_BIT_CA_DIR = '/fluent-bit/etc/elasticsearch';

/**
 * A Fluent Bit Elasticsearch output to a data stream: documents are `create`d, dots
 * in keys become `_` (labels `app` and `app.kubernetes.io/name` cannot clash in the
 * mapping), retries never give up, and the backlog on disk is bounded
 * (`totalLimitBytes`). With security on: verified TLS with the CA at
 * {@link FLUENT_BIT_CA_DIR}, the writer's credentials from environment variables.
 *
 * No `generate_id`: on Fluent Bit 4.2 a chunk whose documents all exist already (409)
 * counts as failed and, with unlimited retries, would be retried forever; a replayed
 * chunk is indexed twice instead. Fluent Bit 4.2 also counts a bulk reply with one
 * success as a full success, so items rejected in it (429, 400) are lost
 * (fluent/fluent-bit#11375, #11422); the Fluentd agent retries those.
 * @see https://docs.fluentbit.io/manual/pipeline/outputs/elasticsearch
 */
export function fluentBitElasticsearchOutput(connection: ElasticsearchConnection, options: {
  readonly match: string;
  readonly alias: string;
  readonly index: string;
  readonly totalLimitBytes: number;
  /**
   * Replace dots in field names by `_`.
   * @default true
   */
  readonly replaceDots?: boolean;
}): FluentBitPlugin {
  if (options.replaceDots !== undefined && typeof options.replaceDots !== 'boolean') {
    throw new Error(`fluent bit elasticsearchOutput replaceDots must be true or false, got ${JSON.stringify(options.replaceDots)}`);
  }
  const secured = connection.secured;
  const apiKey = connection.authentication === ElasticsearchAuthentication.API_KEY;
  return FluentBitPlugin.output('es', options.match, {
    'alias': options.alias,
    'host': connection.host,
    'port': connection.port,
    'tls': secured,
    'tls.verify': secured ? true : undefined,
    // tls.verify checks the chain only (src/flb_output.c, src/tls/openssl.c): the host
    // name, which the cluster's certificate carries, is checked only with this.
    'tls.verify_hostname': secured ? true : undefined,
    // Without a CA file (a publicly trusted certificate), the system's CAs.
    'tls.ca_file': connection.caInSecret ? `${FLUENT_BIT_CA_DIR}/${ElasticsearchConnection.CA_KEY}` : undefined,
    // An API key as the Secret holds it (encoded): es.c sends `ApiKey <http_api_key>` as it is (4.0.8 and later).
    'http_api_key': apiKey ? FluentBitEnvValue.of(ELASTICSEARCH_API_KEY_ENV) : undefined,
    'http_user': secured && !apiKey ? FluentBitEnvValue.of(ELASTICSEARCH_USER_ENV) : undefined,
    'http_passwd': secured && !apiKey ? FluentBitEnvValue.of(ELASTICSEARCH_PASSWORD_ENV) : undefined,
    'index': options.index,
    'suppress_type_name': true,
    'write_operation': 'create',
    'replace_dots': options.replaceDots ?? true,
    'time_key_nanos': true,
    'trace_error': true,
    'retry_limit': 'no_limits',
    // Bytes: Fluent Bit's K, M and G are powers of 1000.
    'storage.total_limit_size': options.totalLimitBytes,
  });
}

/**
 * Adds the cluster's name to every record that lacks it (the family's pipeline makes it
 * `orchestrator.cluster.name`).
 * @see https://docs.fluentbit.io/manual/pipeline/filters/modify
 */
export function clusterNameFilter(clusterName: string): FluentBitPlugin {
  return FluentBitPlugin.filter('modify', '*', { alias: 'cluster_name', add: `${CLUSTER_NAME_FIELD} ${clusterName}` });
}
