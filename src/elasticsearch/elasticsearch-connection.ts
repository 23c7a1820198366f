import { parseStackVersion } from './stack-version';

/** URL scheme of the Elasticsearch HTTP API. */
export enum ElasticsearchScheme {
  /** Plain HTTP. */
  HTTP = 'http',
  /** HTTP over TLS. */
  HTTPS = 'https',
}

/** How a consumer authenticates to Elasticsearch. */
export enum ElasticsearchAuthentication {
  /** None: security is disabled (development only). */
  NONE = 'none',
  /** A native user: `username` and `password` keys of the consumer's Secret. */
  BASIC = 'basic',
  /** A service account token: the `token` key of the consumer's Secret. */
  SERVICE_ACCOUNT_TOKEN = 'service-account-token',
  /**
   * An API key: the `api_key` key of the consumer's Secret, in the `encoded` form the
   * create API key API answers (base64 of `id:api_key`, Kibana's "Encoded" format).
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/security-api-create-api-key.html
   */
  API_KEY = 'api-key',
}

/** Where and how to reach an Elasticsearch cluster's HTTP API. */
export interface ElasticsearchConnectionProps {
  /** Host name of the client Service (`<service>.<namespace>.svc`). */
  readonly host: string;
  /** HTTP port of the client Service. */
  readonly port: number;
  /** URL scheme. */
  readonly scheme: ElasticsearchScheme;
  /**
   * The cluster's Elasticsearch version (`MAJOR.MINOR.PATCH`), which the consumers'
   * clients must fit (Kibana's image, the Fluentd image variant).
   */
  readonly version: string;
  /**
   * How the consumer authenticates.
   * @default ElasticsearchAuthentication.NONE
   */
  readonly authentication?: ElasticsearchAuthentication;
  /**
   * The consumer's Secret, in the consumer's namespace: `ca.crt` (the CA that signed
   * the cluster's certificate) and the credentials. Created in the cluster by the
   * setup Job; never part of the manifests.
   * @default - none (security disabled)
   */
  readonly secretName?: string;

  /**
   * The cluster's certificate is signed by a public CA, which the consumers' images
   * trust already: their Secret holds no `ca.crt` (Elastic Cloud, an external cluster
   * behind a publicly trusted certificate).
   * @default false
   */
  readonly publicCa?: boolean;
}

/**
 * Everything a consumer (Kibana, a log agent, a setup Job) needs to reach an
 * Elasticsearch cluster: where, over which scheme, which CA to trust, and which
 * Secret holds its own credentials. Consumers read this object instead of building
 * host names from strings, so TLS and credentials reach them with no code change.
 */
export class ElasticsearchConnection {
  /** Key of the CA certificate (PEM) in the consumer's Secret. */
  public static readonly CA_KEY = 'ca.crt';
  /** Key of the username in the consumer's Secret. */
  public static readonly USERNAME_KEY = 'username';
  /** Key of the password in the consumer's Secret. */
  public static readonly PASSWORD_KEY = 'password';
  /** Key of the service account token in the consumer's Secret. */
  public static readonly TOKEN_KEY = 'token';
  /** Key of the API key (`encoded` form) in the consumer's Secret. */
  public static readonly API_KEY_KEY = 'api_key';

  /** Host name of the client Service (`<service>.<namespace>.svc`). */
  public readonly host: string;
  /** HTTP port. */
  public readonly port: number;
  /** URL scheme. */
  public readonly scheme: ElasticsearchScheme;
  /** The cluster's Elasticsearch version. */
  public readonly version: string;
  /** Its major version (8 or 9). */
  public readonly majorVersion: number;
  /** How the consumer authenticates. */
  public readonly authentication: ElasticsearchAuthentication;
  /** The consumer's Secret (CA and credentials), when security is on. */
  public readonly secretName?: string;
  /** Whether the consumers trust the cluster's certificate through their images' public CAs (no `ca.crt` in their Secret). */
  public readonly publicCa: boolean;

  constructor(props: ElasticsearchConnectionProps) {
    this.host = props.host;
    this.port = props.port;
    this.scheme = props.scheme;
    this.version = props.version;
    this.majorVersion = parseStackVersion('elasticsearch connection version', props.version).major;
    this.authentication = props.authentication ?? ElasticsearchAuthentication.NONE;
    this.secretName = props.secretName;
    this.publicCa = props.publicCa ?? false;
    if (this.publicCa && this.scheme !== ElasticsearchScheme.HTTPS) {
      throw new Error(`elasticsearch connection publicCa is for HTTPS, got scheme ${JSON.stringify(this.scheme)}`);
    }
    if ((this.authentication === ElasticsearchAuthentication.NONE) !== (this.secretName === undefined)) {
      throw new Error(`elasticsearch connection secretName must be set exactly when authentication is not none, got ${JSON.stringify(props)}`);
    }
  }

  /** The base URL, e.g. `https://elasticsearch.security-logging.svc:9200`. */
  public get url(): string {
    return `${this.scheme}://${this.host}:${this.port}`;
  }

  /** Whether the consumer must verify TLS and send credentials. */
  public get secured(): boolean {
    return this.secretName !== undefined;
  }

  /** Whether the consumer verifies TLS with the `ca.crt` of its Secret (secured, and no public CA). */
  public get caInSecret(): boolean {
    return this.secured && !this.publicCa;
  }
}
