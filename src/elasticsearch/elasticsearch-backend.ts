import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { ElasticsearchAuthentication, ElasticsearchConnection } from './elasticsearch-connection';
import { IndexFamilyKind } from '../pipeline/index-families';
import { ResolvedPlacement, placementsDisjoint } from '../common/node-placement';
import { SecretMount } from '../common/setup-job';
import { describeValue, validateClusterName, validateDnsLabel } from '../common/validation';

/**
 * Something that writes documents to the cluster (a log agent). It gets credentials of
 * its own, allowed only to create documents in its own index families.
 */
export interface IElasticsearchWriter extends IConstruct {
  /** Short name; its credentials Secret is `<name>-elasticsearch` in its namespace. */
  readonly writerName: string;
  /**
   * The Kubernetes cluster it runs in (`orchestrator.cluster.name`), in the name of its
   * API key, so that the keys of several clusters that ship to one Elasticsearch differ.
   */
  readonly clusterName: string;
  /** The index families (data-stream names or name prefixes) it writes, complete at synth time. */
  writtenIndexFamilies(): string[];
}

/** Who makes the credentials of the log agents and Kibana on an Elasticsearch the library does not run. */
export enum ElasticsearchConsumerCredentials {
  /**
   * The setup Job: an API key per writer (only `create_doc` and `auto_configure` on its
   * own families) and a service account token per Kibana, each stored in a Secret in
   * the consumer's namespace. The setup credentials need the privileges the README's
   * "Setup credentials" lists.
   */
  CREATED_BY_SETUP = 'created-by-setup',
  /**
   * You, ahead of the setup Job, which may then not manage API keys or tokens at all:
   * each writer's Secret `<writer>-elasticsearch` holds `api_key` (the `encoded` form),
   * each Kibana's holds `token`, and both hold `ca.crt` unless the cluster's certificate
   * is publicly trusted. The setup Job checks that they are there and fails, naming the
   * Secret and the keys, until they are.
   */
  SUPPLIED = 'supplied',
}

/** What a consumer's credentials are. @internal */
export enum ConsumerKind {
  /** A native user the setup Job puts (as a superuser of the cluster it runs). */
  WRITER_USER = 'writer-user',
  /** An API key of a writer. */
  WRITER_API_KEY = 'writer-api-key',
  /** A token of the elastic/kibana service account. */
  KIBANA_TOKEN = 'kibana-token',
}

/** A consumer the setup Job makes (or checks) credentials for. @internal */
export interface ElasticsearchConsumer {
  /** Namespace of the consumer (and of its Secret). */
  readonly namespace: string;
  /** Its Secret. */
  readonly secretName: string;
  readonly kind: ConsumerKind;
  /** A writer's username or API key name. */
  readonly principal?: string;
  /** A writer's index families. */
  readonly indexFamilies?: () => string[];
}

/** How the setup Job reaches a backend and as whom. @internal */
export interface BackendSetupAccess {
  /** Secrets of the Job's namespace it mounts, by path. */
  readonly secretMounts: { [path: string]: SecretMount };
  /**
   * Bash, run after `umask 077` and the Secret functions, that writes the curl config
   * file `file`: the CA to trust and the setup credentials.
   */
  readonly curlConfig: (file: string) => string;
  /** The CA file in the Job that goes into each consumer's Secret as `ca.crt`; none when the certificate is publicly trusted. */
  readonly caFile?: string;
  /** Secrets of another namespace the Job reads through the Kubernetes API. */
  readonly readsSecrets?: { readonly namespace: string; readonly names: string[] };
}

/** Where a backend's consumers connect to, for their NetworkPolicies' egress. @internal */
export interface BackendEgress {
  readonly peers: kplus.k8s.NetworkPolicyPeer[];
  readonly port: number;
}

/**
 * An Elasticsearch that the stack's consumers (log agents, the events collector,
 * Kibana, the setup Job) ship to and read from: the in-cluster
 * {@link ElasticsearchCluster}, an {@link ExternalElasticsearch} by URL, an
 * {@link EckElasticsearch} that ECK manages, or an {@link ElasticCloudElasticsearch}.
 * Consumers take this object, never a host name, and register with it; the
 * {@link ElasticsearchSetup} then gives each its credentials and puts the templates.
 */
export abstract class ElasticsearchBackend extends Construct {
  /** Name of the backend: of the cluster, and the prefix of its setup Job. */
  public abstract readonly name: string;
  /** The cluster's Elasticsearch version. */
  public abstract readonly version: string;
  /** Its major version (8 or 9). */
  public abstract readonly majorVersion: number;
  /** Where and how to reach its HTTP API (without a consumer's credentials). */
  public abstract readonly connection: ElasticsearchConnection;
  /** Namespace of the backend object: where the setup Job runs and its Secrets are. */
  public abstract readonly namespace: string;
  /** Whether consumers authenticate, and verify TLS (false only for a development cluster without security). */
  public abstract readonly authenticated: boolean;
  /** Replica shards of every data stream's indices the setup's templates make. */
  public abstract readonly indexReplicas: number;
  /** Who makes the consumers' credentials. */
  public abstract readonly consumerCredentials: ElasticsearchConsumerCredentials;
  /**
   * Whether this stack's setup puts the lifecycle policies, pipelines and index templates;
   * false: another stack's setup does, and this one checks that they are there with its content.
   */
  public abstract readonly putsTemplates: boolean;
  /** Image of the setup Job (bash and curl; the cluster's Elasticsearch version). */
  public abstract readonly setupImage: string;
  /** How the writers authenticate: users of the cluster (in-cluster) or API keys. */
  protected abstract readonly writerAuthentication: ElasticsearchAuthentication;

  private readonly _consumers: ElasticsearchConsumer[] = [];
  private readonly _writers: IElasticsearchWriter[] = [];
  private readonly _kibanaNames: string[] = [];
  private readonly _refusedPatterns: string[] = [];
  /** Consumers an ElasticsearchSetup has taken, or undefined before one did. */
  private consumersInSetup?: number;

  protected constructor(scope: Construct, id: string) {
    super(scope, id);
    this.node.addValidation({
      validate: () => {
        const missing = this._consumers.slice(this.consumersInSetup ?? 0).map((c) => `${c.namespace}/${c.secretName}`);
        return missing.length > 0
          ? [`elasticsearch ${this.name}: the credentials Secrets ${missing.join(', ')} are made by no ElasticsearchSetup: ` +
            'add new ElasticsearchSetup(scope, id, { elasticsearch }) after every Kibana and log agent of the cluster, or use SecurityLoggingChart']
          : [];
      },
    });
  }

  /** How the setup Job reaches the backend. @internal */
  public abstract _setupAccess(): BackendSetupAccess;

  /** Where the consumers connect to. @internal */
  public abstract _egress(): BackendEgress;

  /**
   * Registers a writer and returns its connection: credentials of its own (a user, or an
   * API key named `<clusterName>-<namespace>-<writerName>`) that can only create
   * documents in the writer's index families, in the Secret `<writerName>-elasticsearch`
   * of the writer's namespace.
   */
  public addWriter(writer: IElasticsearchWriter): ElasticsearchConnection {
    const namespace = Chart.of(writer).namespace;
    if (namespace === undefined) throw new Error(`elasticsearch writer ${writer.writerName} needs its chart to have a namespace`);
    // JavaScript writers have no type checker: the name goes into key names, files and scripts.
    validateDnsLabel(`elasticsearch writer ${writer.node.path} writerName`, writer.writerName);
    validateClusterName(`elasticsearch writer ${writer.node.path} clusterName`, writer.clusterName);
    if (this._writers.length === 0) this.node.addValidation({ validate: () => this.writersShippingTwice() });
    this._writers.push(writer);
    const apiKey = this.writerAuthentication === ElasticsearchAuthentication.API_KEY;
    return this.addConsumer({
      namespace,
      secretName: `${writer.writerName}-elasticsearch`,
      kind: apiKey ? ConsumerKind.WRITER_API_KEY : ConsumerKind.WRITER_USER,
      principal: apiKey ? `${writer.clusterName}-${namespace}-${writer.writerName}` : `${namespace}-${writer.writerName}`,
      indexFamilies: () => writer.writtenIndexFamilies(),
    }, this.writerAuthentication);
  }

  /**
   * Registers a Kibana and returns its connection: a token of the `elastic/kibana`
   * service account in the Secret `<kibanaName>-elasticsearch` of Kibana's namespace.
   */
  public addKibana(kibana: IConstruct, kibanaName: string): ElasticsearchConnection {
    const namespace = Chart.of(kibana).namespace;
    if (namespace === undefined) throw new Error(`elasticsearch kibana ${kibanaName} needs its chart to have a namespace`);
    this._kibanaNames.push(kibanaName);
    return this.addConsumer({ namespace, secretName: `${kibanaName}-elasticsearch`, kind: ConsumerKind.KIBANA_TOKEN }, ElasticsearchAuthentication.SERVICE_ACCOUNT_TOKEN);
  }

  /**
   * Names that only a data-stream template the setup puts may create (a family no writer
   * of ours registers, such as the detection alerts Kibana writes). @internal
   */
  public _refuseAutoCreate(patterns: string[]): void {
    this._refusedPatterns.push(...patterns);
  }

  /** The names refused so far; a copy. @internal */
  public _refusedAutoCreatePatterns(): string[] {
    return [...this._refusedPatterns];
  }

  /**
   * Every family a writer of this backend writes, with what it holds when the writer
   * knows (which gives its template). @internal
   */
  public _writerFamilies(): { family: string; kind?: IndexFamilyKind; writer: IElasticsearchWriter }[] {
    return this._writers.flatMap((writer) => writer.writtenIndexFamilies().map((family) => ({
      family, writer, kind: '_indexFamilyKind' in writer ? (writer as { _indexFamilyKind(f: string): IndexFamilyKind | undefined })._indexFamilyKind(family) : undefined,
    })));
  }

  /** The writers registered so far; a copy. @internal */
  public _registeredWriters(): IElasticsearchWriter[] {
    return [...this._writers];
  }

  /** The names of the Kibanas registered so far; a copy. @internal */
  public _registeredKibanas(): string[] {
    return [...this._kibanaNames];
  }

  /** The registered consumers, for the one ElasticsearchSetup; a copy. @internal */
  public _consumersForSetup(): ElasticsearchConsumer[] {
    if (this.consumersInSetup !== undefined) throw new Error(`elasticsearch ${this.name} has an ElasticsearchSetup already: one per cluster`);
    this.consumersInSetup = this._consumers.length;
    return [...this._consumers];
  }

  private addConsumer(consumer: ElasticsearchConsumer, authentication: ElasticsearchAuthentication): ElasticsearchConnection {
    if (!this.authenticated) return this.connection;
    if (this._consumers.some((c) => c.namespace === consumer.namespace && c.secretName === consumer.secretName)) {
      throw new Error(`elasticsearch ${this.name}: a consumer with Secret ${consumer.namespace}/${consumer.secretName} is registered already; consumer names must be unique per namespace`);
    }
    this._consumers.push(consumer);
    const base = this.connection;
    return new ElasticsearchConnection({
      host: base.host, port: base.port, scheme: base.scheme, version: this.version, authentication, secretName: consumer.secretName, publicCa: base.publicCa,
    });
  }

  /**
   * Two writers that would index the same events twice: two that write one family,
   * and two log agents on the same nodes (both tail every container's log file).
   */
  private writersShippingTwice(): string[] {
    const errors: string[] = [];
    const families = new Map<string, IElasticsearchWriter>();
    for (const writer of this._writers) {
      for (const family of writer.writtenIndexFamilies()) {
        const other = [...families.entries()].find(([f]) => f === family || family.startsWith(`${f}-`) || f.startsWith(`${family}-`));
        if (other !== undefined && other[1] !== writer) {
          errors.push(
            `elasticsearch ${this.name}: ${writer.node.path} and ${other[1].node.path} both write index family ${JSON.stringify(family)}` +
            (family === other[0] ? '' : ` (overlapping ${JSON.stringify(other[0])})`) +
            ': every event would be indexed twice, or their documents mixed; give each writer its own families (indexPrefix), or keep one',
          );
        }
        families.set(family, writer);
      }
    }
    // Node log agents carry their placement.
    const agents = this._writers.filter((w): w is IElasticsearchWriter & { _placement: ResolvedPlacement } => '_placement' in w);
    agents.forEach((agent, i) => {
      for (const other of agents.slice(0, i)) {
        if (!placementsDisjoint(agent._placement, other._placement)) {
          errors.push(
            `elasticsearch ${this.name}: the log agents ${other.node.path} and ${agent.node.path} can run on the same nodes, where both ` +
            'tail every container\'s log file: every line would be indexed twice; run one agent, or give each its own nodes ' +
            '(placement.nodeSelector with a different value of one label)',
          );
        }
      }
    });
    return errors;
  }
}

/**
 * Throws unless `value` is an Elasticsearch backend object (JavaScript callers have no
 * type checker): `what` says what the consumer does with it.
 */
export function validateBackend(prop: string, value: unknown, what: string): ElasticsearchBackend {
  if (!(value instanceof ElasticsearchBackend)) {
    throw new Error(
      `${prop} is required: pass the Elasticsearch ${what}, an ElasticsearchCluster, ExternalElasticsearch, EckElasticsearch or ` +
      `ElasticCloudElasticsearch object (never a host name), got ${describeValue(value)}`,
    );
  }
  return value;
}
