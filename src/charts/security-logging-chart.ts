import { Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { NodeAgentPlacement } from '../common/node-placement';
import { validateClusterName, validateDnsLabel } from '../common/validation';
import { ElasticsearchCluster, ElasticsearchClusterProps, ElasticsearchMaxMapCount } from '../elasticsearch/elasticsearch-cluster';
import { FluentBitDaemonSet, FluentBitDaemonSetOptions } from '../fluent-bit/fluent-bit-daemon-set';
import { FluentdDaemonSet, FluentdDaemonSetOptions } from '../fluentd/fluentd-daemon-set';
import { DATASETS, IndexNaming, familiesOverlap } from '../pipeline/index-families';
import { Kibana, KibanaOptions } from '../kibana/kibana';
import { KubeApiServerAudit, KubeApiServerAuditProps } from '../audit/kube-apiserver-audit';
import { KubernetesAuditLogs } from '../audit/kubernetes-audit-logs';
import { FalcoDaemonSet, FalcoDaemonSetOptions } from '../falco/falco-daemon-set';
import { KubeArmorRelayCollector, KubeArmorRelayCollectorOptions } from '../kubearmor/kubearmor-relay-collector';
import { NodeJournal, NodeJournalOptions } from '../journal/node-journal';
import { NodeSyslog, NodeSyslogOptions } from '../syslog/node-syslog';
import { BuiltInDetectionRules } from '../kibana/built-in-rules';
import { DetectionRules } from '../kibana/detection-rules';
import { KibanaDetectionRulesImport } from '../kibana/kibana-detection-rules-import';
import { ElasticsearchSetup } from '../elasticsearch/elasticsearch-setup';
import { ElasticsearchBackend } from '../elasticsearch/elasticsearch-backend';
import { ExternalElasticsearch, ExternalElasticsearchProps } from '../elasticsearch/external-elasticsearch';
import { EckElasticsearch, EckElasticsearchProps } from '../elasticsearch/eck-elasticsearch';
import { ElasticCloudElasticsearch, ElasticCloudElasticsearchProps } from '../elasticsearch/elastic-cloud-elasticsearch';
import { IndexTemplate } from '../elasticsearch/index-template';
import { DETECTION_ALERT_FIELDS, SecurityIndexRetention, SecurityIndexTemplates } from '../elasticsearch/security-index-templates';
import { resolveRetention } from '../elasticsearch/retention';
import { KibanaIndexConnector } from '../kibana/kibana-index-connector';
import { KibanaSavedObjectsImport } from '../kibana/kibana-saved-objects-import';
import { builtInSavedObjects } from '../kibana/built-in-dashboards';
import { KibanaSavedObjects } from '../kibana/saved-objects';
import { ApiServerEndpoint, apiServerEgress, validateCidr } from './network-policies';
import { SecurityLoggingNamespace } from './security-logging-namespace';
import { SecurityLoggingNetworkPolicies } from './security-logging-network-policies';
import { KubernetesEventsCollector, KubernetesEventsCollectorOptions } from '../fluent-bit/kubernetes-events-collector';
import { checkScope } from '../common/app-checks';

/** The log agent a {@link SecurityLoggingChart} runs on every node. */
export enum LogAgent {
  /** Fluentd (fluentd-kubernetes-daemonset). */
  FLUENTD = 'fluentd',
  /** Fluent Bit: the lighter agent, with the S3 archive. */
  FLUENT_BIT = 'fluent-bit',
}

/**
 * Props of {@link SecurityLoggingChart}. Its `namespace` (from ChartProps) is the
 * namespace of Elasticsearch, Kibana and the setup Jobs, `'security-logging'` by
 * default; the chart creates it and labels it with the strictest Pod Security
 * Standard its pods meet (`restricted` unless `elasticsearch.maxMapCount` brings back
 * the privileged init container).
 */
export interface SecurityLoggingChartProps extends ChartProps {

  /**
   * Namespace of the node agents (Fluentd, Falco), which need host access; the chart
   * creates it, labelled `privileged`, in a chart of its own (`<id>-agents`).
   * @default - '<namespace>-agents'
   */
  readonly agentNamespace?: string;

  /**
   * The nodes every node agent runs on: the log agent and Falco together, so that a
   * source never runs where nothing ships it. The audit log needs the control-plane
   * taints tolerated.
   * @default - every node, every taint tolerated
   */
  readonly agentPlacement?: NodeAgentPlacement;

  /**
   * NetworkPolicies in both namespaces: deny all ingress and egress, then allow DNS and
   * only the connections the stack makes (agents and Kibana to Elasticsearch 9200,
   * Elasticsearch to itself on 9300, Jobs to what they call, clients to Kibana).
   * They need a CNI that enforces NetworkPolicies.
   * @default true
   */
  readonly networkPolicies?: boolean;

  /**
   * Namespaces whose pods may reach Kibana on 5601 (an Ingress controller's, say).
   * `kubectl port-forward` works without any: traffic from the node is always allowed.
   * @default []
   */
  readonly kibanaClientNamespaces?: string[];

  /**
   * Address ranges that may reach Kibana on 5601 (a load balancer's, say).
   * @default []
   */
  readonly kibanaClientCidrs?: string[];

  /**
   * Address ranges that may reach the in-cluster Elasticsearch on 9200 (a load balancer's,
   * other clusters' agents, a Kibana elsewhere); expose it with a Service of your own
   * selecting `stack.elasticsearch.clientPodLabels`, and put its host name in
   * `elasticsearch.httpHostNames`.
   * @default []
   */
  readonly elasticsearchClientCidrs?: string[];

  /**
   * Namespaces whose pods may scrape the agents' metrics (Prometheus').
   * @default []
   */
  readonly metricsClientNamespaces?: string[];

  /**
   * The API server, for the egress of the pods that call it (Fluentd's metadata
   * lookups, the Jobs that create Secrets).
   * @default - any address, ports 443 and 6443
   */
  readonly apiServer?: ApiServerEndpoint;

  /**
   * Elasticsearch settings.
   * @default - 3 nodes with every role, 2 GiB memory, 1 GiB heap, 30 GiB volumes,
   * security from the bootstrap Job, and `maxMapCount: DISABLE_MMAP` so that no
   * privileged container runs beside Elasticsearch
   */
  readonly elasticsearch?: ElasticsearchClusterProps;

  /**
   * Ship to an Elasticsearch the chart does not run, by URL (a central cluster, a
   * platform team's): no in-cluster Elasticsearch, and each log agent gets an API key.
   * At most one of externalElasticsearch, eckElasticsearch and elasticCloud. The chart's
   * Kibana then needs `kibana.importCredentials`, or `deployKibana: false` when that
   * cluster's own Kibana reads the data.
   * @default - an in-cluster ElasticsearchCluster
   */
  readonly externalElasticsearch?: ExternalElasticsearchProps;

  /**
   * Ship to an Elasticsearch that ECK manages, by the name and namespace of its resource.
   * @default - an in-cluster ElasticsearchCluster
   */
  readonly eckElasticsearch?: EckElasticsearchProps;

  /**
   * Ship to an Elastic Cloud deployment, by its Cloud ID.
   * @default - an in-cluster ElasticsearchCluster
   */
  readonly elasticCloud?: ElasticCloudElasticsearchProps;

  /**
   * Kibana settings.
   * @default - 1 replica, 1 GiB memory
   */
  readonly kibana?: KibanaOptions;

  /**
   * Deploy Kibana, with the Jobs that import the dashboards and the detection rules into
   * it. Without it (a Kibana elsewhere reads this Elasticsearch), the stack still builds
   * `savedObjects` and the rules for an import of one's own, and `detectionRules` is off.
   * @default true
   */
  readonly deployKibana?: boolean;

  /**
   * The log agent on every node.
   * @default LogAgent.FLUENTD
   */
  readonly agent?: LogAgent;

  /**
   * Name of the Kubernetes cluster, in every document (`orchestrator.cluster.name`), for
   * the log agent and the events collector (their own `clusterName` wins): set it when
   * several clusters ship to one Elasticsearch.
   * @default 'default'
   */
  readonly clusterName?: string;

  /**
   * How every source's index family is named, for the log agent and the events collector
   * (the agent's own `indexNaming` wins): `<prefix>-<source>` (`seclog-falco`), or
   * Elastic's data stream scheme `logs-<dataset>-<namespace>`
   * (`logs-kubernetes.audit_logs-default`), which Elastic Security's prebuilt rules and the
   * integrations' dashboards search.
   * @default IndexNaming.PREFIX
   */
  readonly indexNaming?: IndexNaming;

  /**
   * The `<namespace>` of `logs-<dataset>-<namespace>` (IndexNaming.DATA_STREAM only).
   * @default 'default'
   */
  readonly dataStreamNamespace?: string;

  /**
   * Fluentd settings (with `agent: FLUENTD`).
   * @default - CRI container logs, 2 GiB file buffer per output
   */
  readonly fluentd?: FluentdDaemonSetOptions;

  /**
   * Fluent Bit settings (with `agent: FLUENT_BIT`).
   * @default - CRI container logs, 2 GiB of chunks per output on the node
   */
  readonly fluentBit?: FluentBitDaemonSetOptions;

  /**
   * Collect the kube-apiserver's audit log (the API server must be configured with
   * {@link SecurityLoggingChart.apiServerFiles}).
   * @default true
   */
  readonly auditLogs?: boolean;

  /**
   * Index family of the audit events (per namespace with Fluentd: `<family>-<namespace>`).
   * @default - '<prefix>-audit' (IndexNaming.DATA_STREAM: 'logs-kubernetes.audit_logs-<namespace>')
   */
  readonly auditIndexName?: string;

  /**
   * Run Falco on every node and index its alerts.
   * @default true
   */
  readonly falcoAlerts?: boolean;

  /**
   * Falco settings.
   * @default - modern eBPF, privileged, every runtime socket, every rule (priority DEBUG), default rules
   */
  readonly falco?: FalcoDaemonSetOptions;

  /**
   * Collect KubeArmor's alerts, logs and messages from its relay (the relay must be
   * told to print them: {@link SecurityLoggingChart.kubeArmorFiles}).
   * @default true
   */
  readonly kubeArmorAlerts?: boolean;

  /**
   * Where KubeArmor runs and where its events go.
   * @default - the `kubearmor` namespace, `<prefix>-kubearmor-alerts`, `-logs`, `-messages`
   */
  readonly kubeArmor?: KubeArmorRelayCollectorOptions;

  /**
   * Read each node's systemd journal (logins, sudo, kubelet, the container runtime) with
   * the log agent (on a node without journald, such as Talos, it reads nothing).
   * @default true
   */
  readonly nodeJournal?: boolean;

  /**
   * Which journal and which entries.
   * @default - `/var/log/journal`, NodeJournal.defaultMatches(), `<prefix>-journal`
   */
  readonly journal?: NodeJournalOptions;

  /**
   * Receive the nodes' syslog from their syslog daemons (each node's rsyslog must forward to
   * the agent: README snippet) into its own family. The node journal reads the same programs
   * without that; this is for what only the syslog daemon holds.
   * @default - no syslog input
   */
  readonly nodeSyslog?: NodeSyslogOptions;

  /**
   * Collect the cluster's Kubernetes events (a one-replica Fluent Bit Deployment in
   * the data namespace) into their own index family.
   * @default true
   */
  readonly kubernetesEvents?: boolean;

  /**
   * Kubernetes events collector settings.
   * @default - `<prefix>-events`, every namespace, a 1 GiB state volume
   */
  readonly kubernetesEventsCollector?: KubernetesEventsCollectorOptions;

  /**
   * Days each source's events are kept.
   * @default - containers 14, Falco 90, KubeArmor 90, audit 365, Kubernetes events 30, syslog 14, journal 30, detection alerts 365
   */
  readonly retention?: SecurityIndexRetention;

  /**
   * Before the upgrade from Elasticsearch 8.19 to 9.x: the setup Job fails, listing them,
   * while the deprecation API reports a critical deprecation, or while the cluster is not
   * on 8.19 (the README's upgrade steps). Only with an 8.19 `elasticsearch.version`.
   * @default false
   */
  readonly upgradeCheck?: boolean;

  /**
   * Import the built-in detection rules into Kibana's detection engine (a Job, once Kibana
   * answers), for the sources the stack collects; each rule's alerts also go, through a
   * preconfigured Index connector, into the data stream `<indexPrefix>-alerts`
   * (`seclog-alerts`), which the security overview shows.
   * @default true
   */
  readonly detectionRules?: boolean;

  /**
   * Namespaces that get a saved search of their container logs in Kibana.
   * @default - 'kube-system' and the stack's namespace
   */
  readonly containerLogNamespaces?: string[];

  /**
   * Audit policy and API server flags.
   * @default - AuditPolicy.production(), CIS retention (30 days, 10 files, 100 MB)
   */
  readonly audit?: KubeApiServerAuditProps;
}

/**
 * The security-logging stack in its own Namespace: Elasticsearch, Kibana and the
 * Fluentd agent, wired to each other. The Namespace comes first in the output, so
 * `kubectl apply -f` creates it before anything in it.
 */
export class SecurityLoggingChart extends Chart {
  /** The Namespace of Elasticsearch, Kibana and the Jobs. */
  public readonly namespaceObject: kplus.Namespace;
  /** The chart of the node agents, in their own namespace. */
  public readonly agentsChart: Chart;
  /** The agents' Namespace. */
  public readonly agentNamespaceObject: kplus.Namespace;
  /** The Elasticsearch every consumer of the stack uses: in the cluster, or elsewhere. */
  public readonly backend: ElasticsearchBackend;
  /** The in-cluster Elasticsearch. Throws when the stack ships to one elsewhere. */
  public get elasticsearch(): ElasticsearchCluster {
    if (!(this.backend instanceof ElasticsearchCluster)) {
      throw new Error(`chart runs no Elasticsearch: it ships to ${this.backend.connection.url}; use stack.backend`);
    }
    return this.backend;
  }
  private readonly _kibana?: Kibana;
  private readonly _savedObjectsImport?: KibanaSavedObjectsImport;
  /** The Fluentd agent, when `agent` is FLUENTD. */
  public readonly fluentd?: FluentdDaemonSet;
  /** The Fluent Bit agent, when `agent` is FLUENT_BIT. */
  public readonly fluentBit?: FluentBitDaemonSet;
  /** Falco, when it runs. */
  public readonly falcoDaemonSet?: FalcoDaemonSet;
  /** The Job that puts the sources' index templates and lifecycle policies. */
  public readonly elasticsearchSetup: ElasticsearchSetup;
  /** The index template of each source that runs, by family name. */
  public readonly indexTemplates: { [family: string]: IndexTemplate };
  /** The built-in Kibana data views, dashboards and searches. */
  public readonly savedObjects: KibanaSavedObjects;
  /** Kibana. Throws when the chart deploys none (`deployKibana: false`). */
  public get kibana(): Kibana {
    if (this._kibana === undefined) throw new Error('chart deploys no Kibana (deployKibana: false): there is no stack.kibana; import into your own Kibana');
    return this._kibana;
  }

  /** The Job that imports the saved objects into Kibana. Throws when the chart deploys no Kibana. */
  public get savedObjectsImport(): KibanaSavedObjectsImport {
    if (this._savedObjectsImport === undefined) throw new Error('chart deploys no Kibana (deployKibana: false): there is no saved-objects import; stack.savedObjects.renderNdjson() is the file to import');
    return this._savedObjectsImport;
  }
  /** The KubeArmor collector, when KubeArmor events are collected. */
  public readonly kubeArmorCollector?: KubeArmorRelayCollector;
  /** The Kubernetes events collector, when events are collected. */
  public readonly kubernetesEventsCollector?: KubernetesEventsCollector;
  /** The built-in detection rules for the sources collected, when they are imported. */
  public readonly detectionRules?: DetectionRules;
  /** The Job that imports them. */
  public readonly detectionRulesImport?: KibanaDetectionRulesImport;
  /** The Index connector the rules' alerts go through into their data stream, with the rules. */
  public readonly detectionAlertsConnector?: KibanaIndexConnector;

  /** The node syslog source, when the nodes' syslog is received. */
  public readonly nodeSyslog?: NodeSyslog;

  /** The node journal source, when the journal is read. */
  public readonly nodeJournal?: NodeJournal;

  /** The audit log source, when audit logs are collected. */
  public readonly kubernetesAuditLogs?: KubernetesAuditLogs;

  /** The API server's audit settings, when audit logs are collected. */
  public readonly apiServerAudit?: KubeApiServerAudit;

  constructor(scope: Construct, id: string, props: SecurityLoggingChartProps = {}) {
    const namespace = props.namespace ?? 'security-logging';
    validateDnsLabel('chart namespace', namespace);
    const agentNamespace = props.agentNamespace ?? `${namespace}-agents`;
    validateDnsLabel('chart agentNamespace', agentNamespace);
    if (agentNamespace === namespace) {
      throw new Error(`chart agentNamespace must differ from namespace: the privileged agents get a namespace of their own, got ${JSON.stringify(agentNamespace)} for both`);
    }
    (props.containerLogNamespaces ?? []).forEach((name, i) => validateDnsLabel(`chart containerLogNamespaces[${i}]`, name));
    (props.kibanaClientNamespaces ?? []).forEach((name, i) => validateDnsLabel(`chart kibanaClientNamespaces[${i}]`, name));
    (props.metricsClientNamespaces ?? []).forEach((name, i) => validateDnsLabel(`chart metricsClientNamespaces[${i}]`, name));
    (props.kibanaClientCidrs ?? []).forEach((cidr, i) => validateCidr(`chart kibanaClientCidrs[${i}]`, cidr));
    if (!Array.isArray(props.elasticsearchClientCidrs ?? [])) {
      throw new Error(`chart elasticsearchClientCidrs must be a list of CIDRs, got ${JSON.stringify(props.elasticsearchClientCidrs)}`);
    }
    (props.elasticsearchClientCidrs ?? []).forEach((cidr, i) => validateCidr(`chart elasticsearchClientCidrs[${i}]`, cidr));
    if (props.networkPolicies === false) {
      refuseUnused((['kibanaClientNamespaces', 'kibanaClientCidrs', 'elasticsearchClientCidrs', 'metricsClientNamespaces', 'apiServer'] as const).filter((k) => props[k] !== undefined),
        'networkPolicies', 'they only shape the NetworkPolicies; remove them, or keep the policies');
    }
    // Checked before anything is made.
    apiServerEgress(props.apiServer);
    super(scope, id, { ...props, namespace });
    checkScope(this);
    this.agentsChart = new Chart(scope, `${id}-agents`, { labels: props.labels, namespace: agentNamespace });

    // The strictest Pod Security Standard every pod of each namespace meets, set
    // explicitly so that a cluster-wide default does not reject (or wrongly admit) them:
    // restricted for the data namespace (unless elasticsearch.maxMapCount brings back the
    // privileged init container), privileged for the agents, which read the node's /var/log.
    // Each Namespace is its chart's first object (created first: no dependency edges,
    // which cdk8s resolves in time quadratic in the app's size).
    const maxMapCount = props.elasticsearch?.maxMapCount ?? ElasticsearchMaxMapCount.DISABLE_MMAP;
    this.namespaceObject = new SecurityLoggingNamespace(this, 'Namespace').namespace;
    this.agentNamespaceObject = new SecurityLoggingNamespace(this.agentsChart, 'Namespace').namespace;

    this.backend = createBackend(this, props, maxMapCount);
    // The detection rules' alerts get a data stream of their own, written by Kibana's Index
    // connector (preconfigured in kibana.yml, so the Kibana needs it now). Nothing writes it
    // before the setup Job has put its template: a rule alerts only on data, which the
    // agents cannot write before their templates are there either.
    const deployKibana = props.deployKibana ?? true;
    if (typeof deployKibana !== 'boolean') throw new Error(`chart deployKibana must be true or false, got ${JSON.stringify(props.deployKibana)}`);
    if (!deployKibana) {
      const kibanaProps: string[] = (['kibana', 'kibanaClientNamespaces', 'kibanaClientCidrs'] as const).filter((key) => props[key] !== undefined);
      if (props.detectionRules === true) kibanaProps.push('detectionRules');
      refuseUnused(kibanaProps, 'deployKibana', 'they configure the Kibana the chart would deploy; remove them, or deploy Kibana');
    }
    if (deployKibana && (props.detectionRules ?? true)) {
      const prefix = props.fluentd?.indexPrefix ?? props.fluentBit?.indexPrefix ?? 'seclog';
      const [template] = SecurityIndexTemplates.of([{
        family: `${prefix}-alerts`, fields: DETECTION_ALERT_FIELDS, retentionDays: resolveRetention(props.retention, 'chart retention').detectionAlertsDays,
        rolloverDays: 30, replicas: this.backend.indexReplicas,
      }]);
      this.detectionAlertsConnector = new KibanaIndexConnector({ template });
    }
    this._kibana = deployKibana ? new Kibana(this, 'Kibana', {
      ...props.kibana,
      indexConnectors: [...props.kibana?.indexConnectors ?? [], ...this.detectionAlertsConnector ? [this.detectionAlertsConnector] : []],
      elasticsearch: this.backend,
    }) : undefined;
    const agentKind = props.agent ?? LogAgent.FLUENTD;
    if (!Object.values(LogAgent).includes(agentKind)) {
      throw new Error(`chart agent must be one of ${Object.values(LogAgent).join(', ')}, got ${JSON.stringify(agentKind)}`);
    }
    if (agentKind === LogAgent.FLUENTD && props.fluentBit !== undefined) {
      throw new Error('chart fluentBit is set but agent is FLUENTD: remove fluentBit, or choose agent: LogAgent.FLUENT_BIT');
    }
    if (agentKind === LogAgent.FLUENT_BIT && props.fluentd !== undefined) {
      throw new Error('chart fluentd is set but agent is FLUENT_BIT: remove fluentd, or choose agent: LogAgent.FLUENTD');
    }
    const placed = ([['fluentd', props.fluentd], ['fluentBit', props.fluentBit], ['falco', props.falco]] as const)
      .filter(([, options]) => options?.placement !== undefined).map(([name]) => `${name}.placement`);
    if (placed.length > 0) {
      throw new Error(`chart ${placed.join(', ')} cannot be set: the chart places every node agent together, with agentPlacement`);
    }
    const placement = props.agentPlacement;
    if (props.clusterName !== undefined) validateClusterName('chart clusterName', props.clusterName);
    const shared = { clusterName: props.clusterName, indexNaming: props.indexNaming, dataStreamNamespace: props.dataStreamNamespace };
    if (agentKind === LogAgent.FLUENTD) {
      this.fluentd = new FluentdDaemonSet(this.agentsChart, 'Fluentd', { ...shared, ...props.fluentd, placement, elasticsearch: this.backend });
    } else {
      this.fluentBit = new FluentBitDaemonSet(this.agentsChart, 'FluentBit', { ...shared, ...props.fluentBit, placement, elasticsearch: this.backend });
    }
    const agent = this.agent;

    if (props.auditLogs ?? true) {
      this.apiServerAudit = new KubeApiServerAudit(props.audit);
      this.kubernetesAuditLogs = new KubernetesAuditLogs(this.agentsChart, 'AuditLogs', { agent, audit: this.apiServerAudit, indexName: props.auditIndexName });
    } else if (props.audit !== undefined || props.auditIndexName !== undefined) {
      throw new Error('chart audit or auditIndexName is set but auditLogs is false: remove them, or collect audit logs');
    }

    if (props.falcoAlerts ?? true) {
      this.falcoDaemonSet = new FalcoDaemonSet(this.agentsChart, 'Falco', { ...props.falco, agent });
    } else if (props.falco !== undefined) {
      throw new Error('chart falco is set but falcoAlerts is false: remove falco, or run Falco');
    }

    if (props.kubeArmorAlerts ?? true) {
      this.kubeArmorCollector = new KubeArmorRelayCollector(this, 'KubeArmor', { ...props.kubeArmor, agent });
    } else if (props.kubeArmor !== undefined) {
      throw new Error('chart kubeArmor is set but kubeArmorAlerts is false: remove kubeArmor, or collect KubeArmor events');
    }

    if (props.nodeJournal ?? true) {
      this.nodeJournal = new NodeJournal(this.agentsChart, 'Journal', { ...props.journal, agent });
    } else if (props.journal !== undefined) {
      throw new Error('chart journal is set but nodeJournal is false: remove journal, or read the node journal');
    }

    if (props.nodeSyslog !== undefined) this.nodeSyslog = new NodeSyslog(this.agentsChart, 'Syslog', { ...props.nodeSyslog, agent });

    if (props.kubernetesEvents ?? true) {
      this.kubernetesEventsCollector = new KubernetesEventsCollector(this, 'KubernetesEvents', {
        indexName: agent.familyName('events', DATASETS.kubernetesEvents),
        clusterName: props.clusterName,
        ...props.kubernetesEventsCollector,
        elasticsearch: this.backend,
      });
      const family = this.kubernetesEventsCollector.indexName;
      const clash = agent.writtenIndexFamilies().find((f) => familiesOverlap(f, family));
      if (clash !== undefined) {
        throw new Error(
          `chart kubernetesEventsCollector.indexName ${JSON.stringify(family)} overlaps the log agent's family ${JSON.stringify(clash)}: ` +
          'each source needs a family of its own that is not a prefix of another',
        );
      }
    } else if (props.kubernetesEventsCollector !== undefined) {
      throw new Error('chart kubernetesEventsCollector is set but kubernetesEvents is false: remove kubernetesEventsCollector, or collect the events');
    }

    // The setup Job puts a template and lifecycle policy for every family a writer registered.
    const alerts = this.detectionAlertsConnector?.template;
    const alertsClash = alerts && agent.writtenIndexFamilies().find((f) => familiesOverlap(f, alerts.name));
    if (alerts && alertsClash) {
      throw new Error(
        `chart: the detection alerts' data stream ${JSON.stringify(alerts.name)} overlaps the log agent's family ${JSON.stringify(alertsClash)}: ` +
        'rename that source\'s family, or set detectionRules: false',
      );
    }
    this.elasticsearchSetup = new ElasticsearchSetup(this, 'ElasticsearchSetup', {
      elasticsearch: this.backend, retention: props.retention, templates: alerts ? [alerts] : undefined, upgradeCheck: props.upgradeCheck,
    });
    this.indexTemplates = Object.fromEntries(this.elasticsearchSetup.templates.map((t) => [t.name, t]));
    const templateOf = (family: string | undefined) => (family === undefined ? undefined : this.indexTemplates[family]);
    const savedObjects = builtInSavedObjects({
      containers: templateOf(this.fluentd ? this.fluentd.indexNames.containers : this.fluentBit?.containersIndexName) as IndexTemplate,
      falco: templateOf(this.falcoDaemonSet?.indexName),
      kubeArmorAlerts: templateOf(this.kubeArmorCollector?.indexNames.alerts),
      audit: templateOf(this.kubernetesAuditLogs?.indexName),
      journal: templateOf(this.nodeJournal?.indexName),
      kubernetesEvents: templateOf(this.kubernetesEventsCollector?.indexName),
      syslog: templateOf(this.nodeSyslog?.indexName),
      detectionAlerts: alerts,
      namespaces: props.containerLogNamespaces ?? ['kube-system', this.namespace as string],
    });
    this.savedObjects = savedObjects;
    if (this._kibana) this._savedObjectsImport = new KibanaSavedObjectsImport(this, 'KibanaSavedObjects', { kibana: this._kibana, savedObjects });
    if (this._kibana && (props.detectionRules ?? true)) {
      const rules = BuiltInDetectionRules.of({
        falco: templateOf(this.falcoDaemonSet?.indexName),
        kubeArmorAlerts: templateOf(this.kubeArmorCollector?.indexNames.alerts),
        kubeArmorLogs: templateOf(this.kubeArmorCollector?.indexNames.logs),
        audit: templateOf(this.kubernetesAuditLogs?.indexName),
        kubernetesEvents: templateOf(this.kubernetesEventsCollector?.indexName),
        journal: templateOf(this.nodeJournal?.indexName),
      });
      if (this.detectionAlertsConnector) rules.addIndexAction(this.detectionAlertsConnector);
      this.detectionRules = rules;
      if (rules.rules.length > 0) this.detectionRulesImport = new KibanaDetectionRulesImport(this, 'KibanaDetectionRules', { kibana: this._kibana, rules });
    }
    if (props.networkPolicies ?? true) {
      // Deny by default in both namespaces, then allow what each component needs.
      new SecurityLoggingNetworkPolicies(this, 'NetworkPolicies', {
        elasticsearch: this.backend,
        falco: this.falcoDaemonSet ? [this.falcoDaemonSet] : [],
        kibanaClientNamespaces: props.kibanaClientNamespaces,
        kibanaClientCidrs: props.kibanaClientCidrs,
        elasticsearchClientCidrs: props.elasticsearchClientCidrs,
        metricsClientNamespaces: props.metricsClientNamespaces,
        apiServer: props.apiServer,
      });
    }
  }

  /** The log agent on every node (Fluentd or Fluent Bit). */
  private get agent(): FluentdDaemonSet | FluentBitDaemonSet {
    return (this.fluentd ?? this.fluentBit) as FluentdDaemonSet | FluentBitDaemonSet;
  }

  /**
   * Patches that make KubeArmor's relay print its events, and the command to apply
   * them, by file name (empty when KubeArmor events are not collected).
   */
  public kubeArmorFiles(): { [file: string]: string } {
    return this.kubeArmorCollector?.enableStdoutFiles() ?? {};
  }

  /**
   * Files for the control-plane nodes (the audit policy, the API server flags, kubeadm
   * patches and a README), by file name. They are not Kubernetes objects: write them
   * beside the manifests, where `kubectl apply -f dist/` does not read them.
   */
  public apiServerFiles(): { [file: string]: string } {
    return this.apiServerAudit?.files() ?? {};
  }
}

/** The remote backend prop that is set, if any (at most one). */
function remoteBackendProp(props: SecurityLoggingChartProps): string | undefined {
  const set = (['externalElasticsearch', 'eckElasticsearch', 'elasticCloud'] as const).filter((key) => props[key] !== undefined);
  if (set.length > 1) throw new Error(`chart ${set.join(' and ')} are set: the stack ships to one Elasticsearch; keep one`);
  return set[0];
}

/**
 * The stack's Elasticsearch: in the cluster (which refuses to auto-create its writers'
 * families until the setup Job has put their templates, which allow it; writes until
 * then are retried by the agent), or the one a remote prop names.
 */
function createBackend(chart: Chart, props: SecurityLoggingChartProps, maxMapCount: ElasticsearchMaxMapCount): ElasticsearchBackend {
  const remote = remoteBackendProp(props);
  if (remote !== undefined && props.elasticsearchClientCidrs !== undefined) {
    throw new Error(`chart elasticsearchClientCidrs is set with ${remote}: it lets clients into the in-cluster Elasticsearch, which ${remote} replaces; remove it`);
  }
  if (remote !== undefined && props.elasticsearch !== undefined) {
    throw new Error(`chart elasticsearch and ${remote} are set: elasticsearch configures the in-cluster Elasticsearch, which ${remote} replaces; remove one`);
  }
  if (props.externalElasticsearch !== undefined) return new ExternalElasticsearch(chart, 'Elasticsearch', props.externalElasticsearch);
  if (props.eckElasticsearch !== undefined) return new EckElasticsearch(chart, 'Elasticsearch', props.eckElasticsearch);
  if (props.elasticCloud !== undefined) return new ElasticCloudElasticsearch(chart, 'Elasticsearch', props.elasticCloud);
  return new ElasticsearchCluster(chart, 'Elasticsearch', {
    ...props.elasticsearch,
    maxMapCount,
    settings: {
      // Egress is denied: no GeoIP database downloads (the stack has no ingest pipeline using them).
      'ingest.geoip.downloader.enabled': false,
      ...props.elasticsearch?.settings,
    },
  });
}

/** Refuses props that are set while the switch that would use them is off, naming them and why. */
function refuseUnused(set: readonly string[], off: string, why: string): void {
  if (set.length > 0) throw new Error(`chart ${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set but ${off} is false: ${why}`);
}
