/** URL scheme of the Elasticsearch HTTP API. */
export enum ElasticsearchScheme {
  /** Plain HTTP. */
  HTTP = 'http',
  /** HTTP over TLS. */
  HTTPS = 'https',
}

/** Where and how to reach an Elasticsearch cluster's HTTP API. */
export interface ElasticsearchConnectionProps {
  /** Host name of the client Service (`<service>.<namespace>.svc`). */
  readonly host: string;
  /** HTTP port of the client Service. */
  readonly port: number;
  /** URL scheme. */
  readonly scheme: ElasticsearchScheme;
}

/**
 * Everything a consumer (Kibana, a log agent, a setup Job) needs to reach an
 * Elasticsearch cluster. Consumers read this object instead of building host names
 * from strings, so when the cluster gains TLS and credentials, they arrive here and
 * no consumer changes.
 */
export class ElasticsearchConnection {
  /** Host name of the client Service (`<service>.<namespace>.svc`, or the bare Service name when the chart has no namespace). */
  public readonly host: string;
  /** HTTP port. */
  public readonly port: number;
  /** URL scheme. */
  public readonly scheme: ElasticsearchScheme;

  constructor(props: ElasticsearchConnectionProps) {
    this.host = props.host;
    this.port = props.port;
    this.scheme = props.scheme;
  }

  /** The base URL, e.g. `http://elasticsearch.security-logging.svc:9200`. */
  public get url(): string {
    return `${this.scheme}://${this.host}:${this.port}`;
  }
}
