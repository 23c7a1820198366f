import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { BackendEgress, BackendSetupAccess } from './elasticsearch-backend';
import { ELASTICSEARCH_HTTP_PORT } from './elasticsearch-cluster';
import { ElasticsearchAuthentication, ElasticsearchConnection, ElasticsearchScheme } from './elasticsearch-connection';
import { setupCredentials } from './external-elasticsearch';
import { RemoteElasticsearch, RemoteElasticsearchOptions } from './remote-elasticsearch';
import { validateDnsLabel } from '../common/validation';
import { caCurlConfigScript, curlConfigValue } from '../common/setup-job';
import { namespacePeer } from '../charts/network-policies';

/** Props of {@link EckElasticsearch}. */
export interface EckElasticsearchProps extends RemoteElasticsearchOptions {
  /** `metadata.name` of ECK's `Elasticsearch` resource. */
  readonly elasticsearchName: string;

  /** Namespace of ECK's `Elasticsearch` resource. */
  readonly elasticsearchNamespace: string;

  /**
   * Secret in this object's namespace with the setup Job's own credentials (`username`
   * and `password`, or `api_key` with `setupAuthentication: API_KEY`), when it should not
   * use ECK's `elastic` superuser.
   * @default - the `elastic` user of ECK's Secret `<name>-es-elastic-user`, read through the Kubernetes API
   */
  readonly setupCredentials?: kplus.ISecret;

  /**
   * What `setupCredentials` holds.
   * @default ElasticsearchAuthentication.BASIC
   */
  readonly setupAuthentication?: ElasticsearchAuthentication;
}

/** Where the setup Job writes the CA it reads from ECK's Secret. */
const CA_FILE = '/tmp/eck-ca.crt';

/**
 * An Elasticsearch that ECK (Elastic Cloud on Kubernetes) manages, by the name and
 * namespace of its `Elasticsearch` resource, through the names ECK documents: the HTTP
 * Service `<name>-es-http` on 9200, the CA that signed its HTTP certificate in the Secret
 * `<name>-es-http-certs-public`, and the `elastic` user's password in
 * `<name>-es-elastic-user`. ECK's CRDs are not imported (they are under the Elastic
 * License): nothing here creates or changes ECK's objects.
 *
 * The setup Job reads both Secrets through the Kubernetes API (a Role in ECK's namespace
 * that may get those two Secrets only), then works as with an {@link ExternalElasticsearch}:
 * templates, then an API key per writer and a token per Kibana. The consumers' egress
 * goes to ECK's Elasticsearch pods on 9200; if ECK's namespace denies ingress, allow it
 * from the consumers' namespaces there.
 *
 * @see https://www.elastic.co/docs/deploy-manage/deploy/cloud-on-k8s/accessing-services
 * @see https://www.elastic.co/docs/deploy-manage/security/k8s-https-settings
 */
export class EckElasticsearch extends RemoteElasticsearch {
  public readonly connection: ElasticsearchConnection;
  /** `metadata.name` of ECK's Elasticsearch resource. */
  public readonly elasticsearchName: string;
  /** Its namespace. */
  public readonly elasticsearchNamespace: string;
  private readonly access: BackendSetupAccess;

  constructor(scope: Construct, id: string, props: EckElasticsearchProps) {
    super(scope, id, props);
    const kind = this.kind;
    validateDnsLabel(`${kind} elasticsearchName`, props.elasticsearchName, 36);
    validateDnsLabel(`${kind} elasticsearchNamespace`, props.elasticsearchNamespace);
    this.elasticsearchName = props.elasticsearchName;
    this.elasticsearchNamespace = props.elasticsearchNamespace;
    // ECK's self-signed HTTP certificate names <name>-es-http.<namespace>.svc (and the
    // short forms), not the .svc.cluster.local form.
    this.connection = new ElasticsearchConnection({
      host: `${this.elasticsearchName}-es-http.${this.elasticsearchNamespace}.svc`,
      port: ELASTICSEARCH_HTTP_PORT,
      scheme: ElasticsearchScheme.HTTPS,
      version: this.version,
    });
    const caSecret = `${this.elasticsearchName}-es-http-certs-public`;
    const elasticUser = `${this.elasticsearchName}-es-elastic-user`;
    const own = props.setupCredentials === undefined ? undefined : setupCredentials(kind, props as { setupCredentials: kplus.ISecret }, this.consumerCredentials);
    if (own === undefined && props.setupAuthentication !== undefined) {
      throw new Error(`${kind} setupAuthentication is set but setupCredentials is not: it says what your setupCredentials hold; remove it, or pass them`);
    }
    const ns = this.elasticsearchNamespace;
    this.access = {
      secretMounts: own?.mounts ?? {},
      curlConfig: (file) => [
        // The CA that signed the HTTP certificate: ca.crt, or, for a certificate of your own
        // without one, the chain in tls.crt (ECK copies what the certificate Secret has).
        `secret_get '${ns}' '${caSecret}' || { echo "Secret ${ns}/${caSecret} (ECK's HTTP CA) is missing: is ${ns}/${this.elasticsearchName} an ECK Elasticsearch with TLS?" >&2; exit 1; }`,
        `secret_key ca.crt > ${CA_FILE}`,
        `if [ ! -s ${CA_FILE} ]; then secret_key tls.crt > ${CA_FILE}; fi`,
        caCurlConfigScript(CA_FILE, file),
        own !== undefined ? own.curlConfig(file) : [
          `secret_get '${ns}' '${elasticUser}' || { echo "Secret ${ns}/${elasticUser} (ECK's elastic user) is missing" >&2; exit 1; }`,
          `printf 'user = "elastic:%s"\\n' ${curlConfigValue('secret_key elastic')} >> ${file}`,
        ].join('\n'),
      ].join('\n'),
      caFile: CA_FILE,
      readsSecrets: { namespace: ns, names: own !== undefined ? [caSecret] : [caSecret, elasticUser] },
    };
  }

  /** @internal */
  public _setupAccess(): BackendSetupAccess {
    return this.access;
  }

  /** ECK's Elasticsearch pods (its labels), on 9200. @internal */
  public _egress(): BackendEgress {
    return {
      peers: [{
        ...namespacePeer(this.elasticsearchNamespace),
        podSelector: { matchLabels: { 'common.k8s.elastic.co/type': 'elasticsearch', 'elasticsearch.k8s.elastic.co/cluster-name': this.elasticsearchName } },
      }],
      port: ELASTICSEARCH_HTTP_PORT,
    };
  }
}
