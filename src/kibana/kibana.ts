import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { KibanaConfig, KibanaEncryptionKeyEnvs } from './kibana-config';
import { KibanaIndexConnector } from './kibana-index-connector';
import { contentHash } from '../common/hash';
import { appLabels, selectorLabels } from '../common/labels';
import { applyPodTemplateExtras, dropAllCapabilities, unprivilegedContainer } from '../common/pod';
import {
  validateCpu, validateDnsLabel, validateDnsSubdomain, validateImageRepository, validateInteger, validateMinimumSize,
} from '../common/validation';
import { ElasticsearchCluster } from '../elasticsearch/elasticsearch-cluster';
import { ElasticsearchConnection } from '../elasticsearch/elasticsearch-connection';
import { ElasticsearchBackend, validateBackend } from '../elasticsearch/elasticsearch-backend';
import { validateSecret } from '../elasticsearch/external-elasticsearch';
import { ElasticsearchSecurity, ServerCertificate, createBootstrapJob, serviceDnsNames } from '../elasticsearch/elasticsearch-security';
import { mountElasticsearchCa } from '../elasticsearch/consumer-credentials';
import { KIBANA_IMAGE_REPOSITORY } from '../images';
import { checkScope } from '../common/app-checks';

/** Options of {@link Kibana}, everything but the cluster (what a chart passes through). */
export interface KibanaOptions {
  /**
   * Name of the Deployment, the Service and `server.name`.
   * @default 'kibana'
   */
  readonly name?: string;

  /**
   * Number of Kibana instances.
   * @default 1
   */
  readonly replicas?: number;

  /**
   * Image repository (for a mirror); the tag is always the cluster's version, since
   * Kibana refuses to run against a different Elasticsearch version.
   * @default 'docker.elastic.co/kibana/kibana'
   */
  readonly imageRepository?: string;

  /**
   * Memory request and limit.
   * @default Size.gibibytes(1)
   */
  readonly memoryLimit?: Size;

  /**
   * CPU request (no CPU limit is set).
   * @default kplus.Cpu.millis(500)
   */
  readonly cpuRequest?: kplus.Cpu;

  /**
   * `server.publicBaseUrl`: the URL users reach Kibana at.
   * @default - none
   */
  readonly publicBaseUrl?: string;

  /**
   * Extra `kibana.yml` settings. Managed keys (server.name, elasticsearch.hosts, ...)
   * cannot be overridden, and credentials are refused: the file is a ConfigMap.
   * @default {}
   */
  readonly settings?: { [key: string]: any };

  /**
   * PriorityClass of the pods.
   * @default - none
   */
  readonly priorityClassName?: string;

  /**
   * Index connectors preconfigured in `kibana.yml` (the security chart adds the one its
   * detection rules' alerts go through).
   * @default []
   */
  readonly indexConnectors?: KibanaIndexConnector[];

  /**
   * Secret in Kibana's namespace with the `username` and `password` of the Kibana user the
   * import Jobs (saved objects, detection rules) log in as: it needs the `kibana_admin`
   * role, and for the detection rules the Security feature's `all` privilege and
   * `create_doc` and `auto_configure` on the detection alerts' data stream (the rules' Index
   * actions write as the user that imported them).
   * @default - the `elastic` user of an in-cluster ElasticsearchCluster; required with another backend
   */
  readonly importCredentials?: kplus.ISecret;
}

/** Props of {@link Kibana}. */
export interface KibanaProps extends KibanaOptions {
  /** The Elasticsearch Kibana reads from and writes its saved objects to. */
  readonly elasticsearch: ElasticsearchBackend;
}

const PORT = 5601;
/** The variable kibana.yml reads the service account token from (`${...}`); not a name Kibana's image maps to a command-line flag. */
const TOKEN_ENV = 'KIBANA_ELASTICSEARCH_SERVICE_TOKEN';
const KIBANA_HOME = '/usr/share/kibana';
/**
 * The variables kibana.yml reads the encryption keys from (`${...}`), by the key's
 * name in the Secret. Not the names the image's kibana-docker script maps to
 * command-line flags (`XPACK_SECURITY_ENCRYPTIONKEY`, ...), which would put the keys
 * into the process's arguments.
 */
const ENCRYPTION_KEY_ENVS: KibanaEncryptionKeyEnvs = {
  encryptedSavedObjects: 'KIBANA_ENCRYPTED_SAVED_OBJECTS_KEY',
  security: 'KIBANA_SECURITY_ENCRYPTION_KEY',
  reporting: 'KIBANA_REPORTING_ENCRYPTION_KEY',
};

/**
 * Kibana: a Deployment and a Service on 5601, wired to an {@link ElasticsearchCluster}
 * through its connection, with `kibana.yml` rendered from {@link KibanaConfig}.
 *
 * Readiness is Kibana's status API (`/api/status` answers 503 until Kibana is
 * available, since 8.9); liveness only checks the port, so an Elasticsearch outage
 * does not restart Kibana. The root filesystem is read-only: data, logs and /tmp are
 * emptyDirs.
 *
 * @see https://www.elastic.co/guide/en/kibana/8.19/docker.html
 * @see https://www.elastic.co/guide/en/kibana/8.19/access.html#status
 */
export class Kibana extends Construct {
  /** Name of the Deployment and Service. */
  public readonly name: string;
  /** Full image reference (same version as the cluster). */
  public readonly image: string;
  /** The rendered configuration model. */
  public readonly config: KibanaConfig;
  /** The Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The Service (5601). */
  public readonly service: kplus.Service;
  /** Service port. */
  public readonly port: number = PORT;
  /**
   * Name of the Service (in Kibana's namespace), for what refers to it by name and port:
   * an Ingress of another cdk8s-plus version (cdk8s-plus-33's `Service` type is not this
   * library's cdk8s-plus-27 one), or a Gateway API route.
   */
  public readonly serviceName: string;
  /** Base URL of the Service, e.g. `https://kibana.security-logging.svc:5601`. */
  public readonly url: string;
  /** How Kibana reaches Elasticsearch: HTTPS, its CA, and a service account token. */
  public readonly connection: ElasticsearchConnection;
  /** Secret with Kibana's server certificate (`ca.crt`, `tls.crt`, `tls.key`), when Elasticsearch security is on. */
  public readonly certificateSecretName?: string;
  /**
   * The Job that makes, once, the Secret of Kibana's encryption keys and (when the
   * bootstrap Job makes certificates) its server certificate.
   */
  public readonly bootstrapJob: kplus.Job;
  /**
   * Secret with Kibana's three encryption keys (`encryptedSavedObjects`, `security`,
   * `reporting`), made in the cluster by the bootstrap Job and never replaced.
   */
  public readonly encryptionKeysSecretName: string;
  /** The Elasticsearch. */
  public readonly elasticsearch: ElasticsearchBackend;
  /** Whether Kibana serves HTTPS and authenticates to Elasticsearch (the backend's security). */
  public readonly secured: boolean;
  /** The Secret (`username`, `password`) the import Jobs log in to Kibana with, when secured. */
  public readonly importCredentialsSecretName?: string;

  constructor(scope: Construct, id: string, props: KibanaProps) {
    super(scope, id);
    checkScope(this);
    const es = validateBackend('kibana elasticsearch', props?.elasticsearch, 'Kibana reads and writes');
    const inCluster = es instanceof ElasticsearchCluster ? es : undefined;
    this.name = props.name ?? 'kibana';
    validateDnsLabel('kibana name', this.name, 40);
    this.serviceName = this.name;
    const replicas = props.replicas ?? 1;
    validateInteger('kibana replicas', replicas, 1);
    const memory = props.memoryLimit ?? Size.gibibytes(1);
    validateMinimumSize('kibana memoryLimit', memory, 512, 'Kibana 8 needs about 1 GiB');
    if (props.imageRepository !== undefined) validateImageRepository('kibana imageRepository', props.imageRepository);
    if (props.priorityClassName !== undefined) validateDnsSubdomain('kibana priorityClassName', props.priorityClassName);
    this.image = `${props.imageRepository ?? KIBANA_IMAGE_REPOSITORY}:${es.version}`;
    this.elasticsearch = es;
    const namespace = Chart.of(this).namespace;
    const secured = es.authenticated;
    this.secured = secured;
    if (props.importCredentials !== undefined) {
      if (!secured) throw new Error('kibana importCredentials is set but the Elasticsearch has no security: nothing logs in; remove them');
      this.importCredentialsSecretName = validateSecret('kibana importCredentials', props.importCredentials).name;
    } else if (inCluster?.security.enabled) {
      this.importCredentialsSecretName = inCluster.elasticCredentialsSecretName;
    } else if (secured) {
      throw new Error(
        `kibana importCredentials is required with a backend other than an in-cluster ElasticsearchCluster (${es.connection.url}): ` +
        'a Secret with the username and password of a Kibana user the import Jobs log in as (kplus.Secret.fromSecretName(this, id, name)); ' +
        'deploy this Kibana only when no other Kibana uses that Elasticsearch (Kibanas sharing one must share their encryption keys), ' +
        'else use that Kibana (the chart\'s deployKibana: false)',
      );
    }
    if (inCluster !== undefined && secured && namespace !== es.namespace) {
      throw new Error(
        `kibana must be in the namespace of its Elasticsearch cluster (${JSON.stringify(es.namespace)}) when security is on: ` +
        `its certificate is signed there and its Jobs use the cluster's Secrets, got namespace ${JSON.stringify(namespace)}`,
      );
    }
    this.url = `${secured ? 'https' : 'http'}://${namespace ? `${this.name}.${namespace}.svc` : this.name}:${PORT}`;
    this.connection = es.addKibana(this, this.name);
    const labels = appLabels('kibana', this.name);
    if (namespace === undefined) {
      throw new Error(`kibana needs its chart to have a namespace (new Chart(app, id, { namespace })): its bootstrap Job makes Secrets there`);
    }
    // The encryption keys: without them Kibana turns off alerting rules, connectors and
    // the Security detection engine, and sessions end on every restart and differ
    // between replicas. Made once in the cluster, never replaced (a new saved-objects
    // key makes the objects it encrypted unreadable), never in a manifest.
    this.encryptionKeysSecretName = `${this.name}-encryption-keys`;
    const certificates: ServerCertificate[] = [];
    if (secured) {
      this.certificateSecretName = `${this.name}-certs`;
      certificates.push({
        secretName: this.certificateSecretName, name: 'kibana', labels,
        dnsNames: serviceDnsNames(this.name, namespace, inCluster?.clusterDomain ?? 'cluster.local'),
      });
    }
    this.bootstrapJob = createBootstrapJob(new Construct(this, 'Bootstrap'), {
      name: `${this.name}-bootstrap`,
      instance: this.name,
      image: es.setupImage,
      namespace,
      // Beside an in-cluster Elasticsearch its CA signs Kibana's certificate; else a CA of Kibana's own.
      security: inCluster?.security ?? ElasticsearchSecurity.bootstrapJob(),
      caSecretName: inCluster ? inCluster.caSecretName : `${this.name}-ca`,
      // Made by the Job, or cert-manager Certificates.
      certificates,
      passwords: {},
      randomKeys: { [this.encryptionKeysSecretName]: Object.keys(ENCRYPTION_KEY_ENVS) },
      secretLabels: labels,
    });

    this.config = new KibanaConfig({
      serverName: this.name,
      publicBaseUrl: props.publicBaseUrl,
      elasticsearchHosts: [es.connection.url],
      elasticsearchServiceAccountTokenEnv: secured ? TOKEN_ENV : undefined,
      elasticsearchCertificateAuthority: this.connection.caInSecret ? `${KIBANA_HOME}/config/elasticsearch/${ElasticsearchConnection.CA_KEY}` : undefined,
      serverTls: secured ? { certificate: `${KIBANA_HOME}/config/tls/tls.crt`, key: `${KIBANA_HOME}/config/tls/tls.key` } : undefined,
      encryptionKeyEnvs: ENCRYPTION_KEY_ENVS,
      extraSettings: props.settings,
      indexConnectors: props.indexConnectors,
    });
    const kibanaYml = this.config.render();

    const configMap = new kplus.ConfigMap(this, 'Config', {
      metadata: { name: `${this.name}-config`, labels },
      data: { 'kibana.yml': kibanaYml },
    });

    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { name: this.name, labels },
      podMetadata: { labels, annotations: { 'checksum/config': contentHash(kibanaYml) } },
      replicas,
      // Kibana instances of different versions must not run side by side while
      // saved objects migrate on an upgrade: stop the old ones first.
      strategy: kplus.DeploymentStrategy.recreate(),
      // A selector from our labels, not from the construct path: it is immutable.
      select: false,
      automountServiceAccountToken: false,
      securityContext: { user: 1000, group: 1000, fsGroup: 1000, ensureNonRoot: true },
    });
    applyPodTemplateExtras(this.deployment, { priorityClassName: props.priorityClassName });
    this.deployment.select(kplus.LabelSelector.of({ labels: selectorLabels(labels) }));

    const container = this.deployment.addContainer({
      name: 'kibana',
      image: this.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: [{ name: 'http', number: PORT }],
      resources: {
        cpu: { request: validateCpu('kibana cpuRequest', props.cpuRequest ?? kplus.Cpu.millis(500)) },
        memory: { request: memory, limit: memory },
      },
      // With security on, the status API wants credentials; the login page answers
      // once Kibana serves requests (ECK probes it the same way).
      readiness: kplus.Probe.fromHttpGet(secured ? '/login' : '/api/status', {
        port: PORT,
        scheme: secured ? kplus.ConnectionScheme.HTTPS : kplus.ConnectionScheme.HTTP,
        periodSeconds: Duration.seconds(10),
        timeoutSeconds: Duration.seconds(5),
        failureThreshold: 3,
      }),
      // Kibana migrates saved objects on start, which can take minutes.
      startup: kplus.Probe.fromTcpSocket({
        port: PORT,
        periodSeconds: Duration.seconds(10),
        failureThreshold: 30,
      }),
      liveness: kplus.Probe.fromTcpSocket({
        port: PORT,
        periodSeconds: Duration.seconds(20),
        failureThreshold: 3,
      }),
      securityContext: unprivilegedContainer(1000, true),
    });
    dropAllCapabilities(this.deployment, [0]);
    container.mount(`${KIBANA_HOME}/config/kibana.yml`,
      kplus.Volume.fromConfigMap(this, 'ConfigVolume', configMap, { name: 'config' }),
      { subPath: 'kibana.yml', readOnly: true });
    const keys = kplus.Secret.fromSecretName(this, 'EncryptionKeys', this.encryptionKeysSecretName);
    for (const [key, env] of Object.entries(ENCRYPTION_KEY_ENVS)) {
      container.env.addVariable(env, kplus.EnvValue.fromSecretValue({ secret: keys, key }));
    }
    if (secured) {
      const consumerSecret = kplus.Secret.fromSecretName(this, 'ElasticsearchSecret', this.connection.secretName as string);
      container.env.addVariable(TOKEN_ENV, kplus.EnvValue.fromSecretValue({ secret: consumerSecret, key: ElasticsearchConnection.TOKEN_KEY }));
      if (this.connection.caInSecret) mountElasticsearchCa(this, container, consumerSecret, `${KIBANA_HOME}/config/elasticsearch`);
      container.mount(`${KIBANA_HOME}/config/tls`, kplus.Volume.fromSecret(this, 'TlsVolume',
        kplus.Secret.fromSecretName(this, 'Certs', this.certificateSecretName as string), {
          name: 'tls', items: { 'tls.crt': { path: 'tls.crt' }, 'tls.key': { path: 'tls.key' } },
        }), { readOnly: true });
    }
    for (const [volumeId, volumeName, path] of [
      ['DataVolume', 'data', `${KIBANA_HOME}/data`],
      ['LogsVolume', 'logs', `${KIBANA_HOME}/logs`],
      ['TmpVolume', 'tmp', '/tmp'],
    ]) {
      container.mount(path, kplus.Volume.fromEmptyDir(this, volumeId, volumeName));
    }

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: this.name, labels },
      ports: [{ name: 'http', port: PORT, targetPort: PORT }],
    });
    for (const [key, value] of Object.entries(selectorLabels(labels))) this.service.selectLabel(key, value);
  }
}
