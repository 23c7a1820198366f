import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ElasticsearchBackend, ElasticsearchConsumerCredentials } from './elasticsearch-backend';
import { ElasticsearchAuthentication } from './elasticsearch-connection';
import { parseStackVersion } from './stack-version';
import { checkScope } from '../common/app-checks';
import { describeValue, validateDnsLabel, validateInteger } from '../common/validation';
import { ELASTICSEARCH_IMAGE_REPOSITORY } from '../images';

/** Props shared by the backends the library does not run. */
export interface RemoteElasticsearchOptions {
  /**
   * The cluster's Elasticsearch version (`MAJOR.MINOR.PATCH`), which the consumers'
   * clients must fit (the Fluentd image variant, Kibana's image).
   */
  readonly version: string;

  /**
   * Who makes the log agents' API keys and Kibana's token.
   * @default ElasticsearchConsumerCredentials.CREATED_BY_SETUP
   */
  readonly consumerCredentials?: ElasticsearchConsumerCredentials;

  /**
   * Replica shards of the data streams' indices (`index.number_of_replicas` in the setup's
   * templates): 1 keeps each shard on two nodes.
   * @default 1
   */
  readonly indexReplicas?: number;

  /**
   * Whether this stack's setup puts the lifecycle policies, ingest pipelines and index
   * templates. Turn it off in the workload clusters of a central Elasticsearch whose own
   * stack (or one chosen workload) puts them: the setup then only checks, on every run, that
   * each one is there with this stack's content (the hash in its `_meta`), failing and
   * retrying while one is missing or differs, and makes the writers' keys. Its credentials
   * then need no `manage` on the indices and no `manage_*` on templates, policies or
   * pipelines, so a workload cluster cannot delete or rewrite the logs of another
   * (`requiredPrivileges` shows the smaller role).
   * @default true
   */
  readonly putTemplates?: boolean;

  /**
   * Name of the setup Job (`<name>-setup`) and of its ServiceAccount and Roles.
   * @default 'elasticsearch'
   */
  readonly name?: string;
}

/**
 * An Elasticsearch the library does not run ({@link ExternalElasticsearch},
 * {@link EckElasticsearch}, {@link ElasticCloudElasticsearch}): the setup Job runs in this
 * object's namespace with credentials you grant, and every writer gets an API key.
 */
export abstract class RemoteElasticsearch extends ElasticsearchBackend {
  public readonly name: string;
  public readonly version: string;
  public readonly majorVersion: number;
  public readonly namespace: string;
  public readonly authenticated = true;
  public readonly indexReplicas: number;
  public readonly consumerCredentials: ElasticsearchConsumerCredentials;
  public readonly putsTemplates: boolean;
  /** The Elasticsearch image of the cluster's version (bash and curl). */
  public readonly setupImage: string;
  protected readonly writerAuthentication = ElasticsearchAuthentication.API_KEY;
  /** What errors call this backend: its class name in words (`external elasticsearch`). */
  protected readonly kind: string;

  protected constructor(scope: Construct, id: string, props: RemoteElasticsearchOptions) {
    super(scope, id);
    checkScope(this);
    const kind = new.target.name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
    this.kind = kind;
    if (props === null || typeof props !== 'object') throw new Error(`${kind} props are required, got ${describeValue(props)}`);
    this.name = props.name ?? 'elasticsearch';
    validateDnsLabel(`${kind} name`, this.name, 40);
    this.version = props.version;
    this.majorVersion = parseStackVersion(`${kind} version`, this.version).major;
    const namespace = Chart.of(this).namespace;
    if (namespace === undefined) {
      throw new Error(`${kind} needs its chart to have a namespace (new Chart(app, id, { namespace })): its setup Job runs there and mounts its Secrets`);
    }
    this.namespace = namespace;
    this.indexReplicas = props.indexReplicas ?? 1;
    validateInteger(`${kind} indexReplicas`, this.indexReplicas, 0, 10);
    this.consumerCredentials = props.consumerCredentials ?? ElasticsearchConsumerCredentials.CREATED_BY_SETUP;
    if (!Object.values(ElasticsearchConsumerCredentials).includes(this.consumerCredentials)) {
      throw new Error(`${kind} consumerCredentials must be one of ${Object.values(ElasticsearchConsumerCredentials).join(', ')}, got ${describeValue(this.consumerCredentials)}`);
    }
    this.putsTemplates = props.putTemplates ?? true;
    if (typeof this.putsTemplates !== 'boolean') throw new Error(`${kind} putTemplates must be true or false, got ${describeValue(props.putTemplates)}`);
    this.setupImage = `${ELASTICSEARCH_IMAGE_REPOSITORY}:${this.version}`;
  }
}
