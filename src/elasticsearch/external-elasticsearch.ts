import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { BackendEgress, BackendSetupAccess, ElasticsearchConsumerCredentials } from './elasticsearch-backend';
import { ElasticsearchAuthentication, ElasticsearchConnection, ElasticsearchScheme } from './elasticsearch-connection';
import { RemoteElasticsearch, RemoteElasticsearchOptions } from './remote-elasticsearch';
import { validateCidr } from '../charts/network-policies';
import { SecretMount, basicCurlConfigScript, caCurlConfigScript } from '../common/setup-job';
import { describeValue, validateDnsSubdomain } from '../common/validation';

/** How the setup Job authenticates. */
export interface ElasticsearchSetupCredentialsOptions {
  /**
   * Secret in the backend object's namespace with the credentials the setup Job uses, and
   * only it: `username` and `password` (BASIC), or `api_key` in the encoded form
   * (API_KEY). The README's "Setup credentials" lists the privileges they need.
   */
  readonly setupCredentials: kplus.ISecret;

  /**
   * What `setupCredentials` holds. An API key cannot create API keys that carry
   * privileges, so API_KEY needs `consumerCredentials: SUPPLIED`.
   * @default ElasticsearchAuthentication.BASIC
   */
  readonly setupAuthentication?: ElasticsearchAuthentication;
}

/** Props of {@link ExternalElasticsearch}. */
export interface ExternalElasticsearchProps extends RemoteElasticsearchOptions, ElasticsearchSetupCredentialsOptions {
  /**
   * The cluster's HTTPS endpoint, `https://<host>[:<port>]` (port 443 when none), with no
   * path: what every consumer connects to. Plain HTTP is refused: the consumers send
   * credentials.
   */
  readonly url: string;

  /**
   * Secret in the backend object's namespace whose `ca.crt` is the CA that signed the
   * cluster's certificate; the setup Job copies it into every consumer's Secret.
   * @default - the certificate is publicly trusted: the consumers' images' CAs verify it
   */
  readonly caSecret?: kplus.ISecret;

  /**
   * Address ranges of the cluster's endpoint, for the NetworkPolicies' egress of every
   * consumer (on the URL's port). NetworkPolicies cannot name a host.
   * @default ['0.0.0.0/0'] - any address, on the URL's port only
   */
  readonly egressCidrs?: string[];
}

/** Where the setup Job mounts the setup credentials and the CA. */
const CREDENTIALS_DIR = '/setup-credentials';
const CA_DIR = '/elasticsearch';

/**
 * An Elasticsearch the library does not run, reached by URL: a platform team's cluster,
 * a central cluster that several Kubernetes clusters ship to, a managed service.
 *
 * With setup credentials you grant it, the setup Job puts the templates, lifecycle
 * policies and pipelines (a content hash each, so several clusters' setups with the same
 * content change nothing), then gives each log agent an API key of its own that may only
 * create documents in its families, and each Kibana a service account token. Or you
 * make those yourself (`consumerCredentials: SUPPLIED`) and the Job checks them.
 *
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/security-api-create-api-key.html
 */
export class ExternalElasticsearch extends RemoteElasticsearch {
  public readonly connection: ElasticsearchConnection;
  /** The address ranges the consumers' egress allows. */
  public readonly egressCidrs: string[];
  private readonly access: BackendSetupAccess;

  constructor(scope: Construct, id: string, props: ExternalElasticsearchProps) {
    super(scope, id, props);
    const prop = (name: string) => `${this.kind} ${name}`;
    const { host, port } = parseHttpsUrl(prop('url'), props.url);
    const ca = props.caSecret === undefined ? undefined : validateSecret(prop('caSecret'), props.caSecret);
    if (!Array.isArray(props.egressCidrs ?? [])) throw new Error(`${prop('egressCidrs')} must be a list of CIDRs, got ${describeValue(props.egressCidrs)}`);
    this.egressCidrs = [...props.egressCidrs ?? ['0.0.0.0/0']];
    if (this.egressCidrs.length === 0) throw new Error(`${prop('egressCidrs')} must list at least one CIDR: with none, no consumer could reach the cluster`);
    this.egressCidrs.forEach((cidr, i) => validateCidr(`${prop('egressCidrs')}[${i}]`, cidr));
    this.connection = new ElasticsearchConnection({ host, port, scheme: ElasticsearchScheme.HTTPS, version: this.version, publicCa: ca === undefined });
    const credentials = setupCredentials(this.kind, props, this.consumerCredentials);
    this.access = {
      secretMounts: { ...credentials.mounts, ...ca ? { [CA_DIR]: { secretName: ca.name, keys: [ElasticsearchConnection.CA_KEY] } } : {} },
      curlConfig: (file) => [
        ca ? caCurlConfigScript(`${CA_DIR}/${ElasticsearchConnection.CA_KEY}`, file) : `: > ${file}`,
        credentials.curlConfig(file),
      ].join('\n'),
      caFile: ca ? `${CA_DIR}/${ElasticsearchConnection.CA_KEY}` : undefined,
    };
  }

  /** @internal */
  public _setupAccess(): BackendSetupAccess {
    return this.access;
  }

  /** The egress CIDRs, on the URL's port. @internal */
  public _egress(): BackendEgress {
    return { peers: this.egressCidrs.map((cidr) => ({ ipBlock: { cidr } })), port: this.connection.port };
  }
}

/** The setup credentials' mounts and the curl config lines they give. @internal */
export function setupCredentials(kind: string, props: ElasticsearchSetupCredentialsOptions, consumers: ElasticsearchConsumerCredentials): {
  mounts: { [path: string]: SecretMount };
  curlConfig: (file: string) => string;
} {
  const secret = validateSecret(`${kind} setupCredentials`, props.setupCredentials);
  const authentication = props.setupAuthentication ?? ElasticsearchAuthentication.BASIC;
  if (authentication === ElasticsearchAuthentication.BASIC) {
    return {
      mounts: { [CREDENTIALS_DIR]: { secretName: secret.name, keys: [ElasticsearchConnection.USERNAME_KEY, ElasticsearchConnection.PASSWORD_KEY] } },
      curlConfig: (file) => basicCurlConfigScript(CREDENTIALS_DIR, file),
    };
  }
  if (authentication === ElasticsearchAuthentication.API_KEY) {
    if (consumers !== ElasticsearchConsumerCredentials.SUPPLIED) {
      throw new Error(
        `${kind} setupAuthentication API_KEY needs consumerCredentials SUPPLIED: an API key cannot create the writers' API keys ` +
        '(a key made by a key gets no privileges); give the setup a user (BASIC), or supply each consumer\'s Secret',
      );
    }
    return {
      mounts: { [CREDENTIALS_DIR]: { secretName: secret.name, keys: [ElasticsearchConnection.API_KEY_KEY] } },
      curlConfig: (file) => `printf 'header = "Authorization: ApiKey %s"\\n' "$(cat ${CREDENTIALS_DIR}/${ElasticsearchConnection.API_KEY_KEY})" >> ${file}`,
    };
  }
  throw new Error(`${kind} setupAuthentication must be BASIC or API_KEY, got ${describeValue(authentication)}`);
}

/** Throws unless `secret` is a cdk8s-plus Secret (by shape) with a valid name; returns it. @internal */
export function validateSecret(prop: string, secret: kplus.ISecret): kplus.ISecret {
  if (secret === null || typeof secret !== 'object' || typeof (secret as kplus.ISecret).name !== 'string') {
    throw new Error(`${prop} must be a Secret (kplus.Secret.fromSecretName(this, id, name)), got ${describeValue(secret)}`);
  }
  validateDnsSubdomain(`${prop} name`, secret.name);
  return secret;
}

/** Host and port of an `https://host[:port]` URL with nothing after it; throws naming the prop. @internal */
export function parseHttpsUrl(prop: string, url: string): { host: string; port: number } {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '' ||
      (parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search !== '' || parsed.hash !== '' || !/^https:\/\/[^/]+\/?$/.test(url)) {
    throw new Error(
      `${prop} must be https://<host>[:<port>] with no path, credentials or query (consumers send credentials, so plain HTTP is refused), ` +
      `got ${describeValue(url)}`,
    );
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: parsed.port === '' ? 443 : Number(parsed.port) };
}
