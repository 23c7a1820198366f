import { Yaml } from 'cdk8s';

/**
 * The `kibana.yml` settings the library manages, as a typed model.
 * @see https://www.elastic.co/guide/en/kibana/8.19/settings.html
 */
export interface KibanaConfigProps {
  /** `server.name`: the name shown in Kibana and its logs. */
  readonly serverName: string;

  /**
   * `server.host`: the address Kibana listens on.
   * @default '0.0.0.0'
   */
  readonly serverHost?: string;

  /**
   * `server.port`.
   * @default 5601
   */
  readonly serverPort?: number;

  /**
   * `server.publicBaseUrl`: the URL users reach Kibana at (protocol, host, port; no trailing slash).
   * @default - none
   */
  readonly publicBaseUrl?: string;

  /** `elasticsearch.hosts`: URLs of the cluster's HTTP API. */
  readonly elasticsearchHosts: string[];

  /**
   * `elasticsearch.requestTimeout` in milliseconds.
   * @default 30000
   */
  readonly elasticsearchRequestTimeoutMillis?: number;

  /**
   * `telemetry.optIn`: whether Kibana sends usage data to Elastic.
   * @default false
   */
  readonly telemetryOptIn?: boolean;

  /**
   * Further settings, rendered after the managed ones; they may not repeat a managed key.
   * @default {}
   */
  readonly extraSettings?: { [key: string]: any };
}

/** Keys {@link KibanaConfig} manages. */
const MANAGED_KEYS = [
  'server.name', 'server.host', 'server.port', 'server.publicBaseUrl', 'elasticsearch.hosts',
  'elasticsearch.requestTimeout', 'telemetry.optIn',
];

/** A `kibana.yml` file. */
export class KibanaConfig {
  /** The settings, in render order. */
  public readonly settings: { [key: string]: any };

  constructor(props: KibanaConfigProps) {
    if (props.elasticsearchHosts.length === 0) {
      throw new Error('kibana elasticsearchHosts must list at least one URL');
    }
    if (props.publicBaseUrl !== undefined && !/^https?:\/\/[^/\s]+(\/[^\s]*[^/\s])?$/.test(props.publicBaseUrl)) {
      throw new Error(
        `kibana publicBaseUrl must be an http(s) URL with protocol and host and no trailing slash, got ${JSON.stringify(props.publicBaseUrl)}`,
      );
    }
    const settings: { [key: string]: any } = {
      'server.name': props.serverName,
      'server.host': props.serverHost ?? '0.0.0.0',
      'server.port': props.serverPort ?? 5601,
    };
    if (props.publicBaseUrl !== undefined) settings['server.publicBaseUrl'] = props.publicBaseUrl;
    settings['elasticsearch.hosts'] = [...props.elasticsearchHosts];
    settings['elasticsearch.requestTimeout'] = props.elasticsearchRequestTimeoutMillis ?? 30000;
    settings['telemetry.optIn'] = props.telemetryOptIn ?? false;
    for (const [key, value] of Object.entries(props.extraSettings ?? {})) {
      if (MANAGED_KEYS.includes(key)) {
        throw new Error(`kibana settings must not set ${JSON.stringify(key)}: it is managed; use the matching prop instead`);
      }
      if (value !== undefined) settings[key] = value;
    }
    this.settings = settings;
  }

  /** Renders `kibana.yml`. */
  public render(): string {
    return Yaml.stringify(this.settings);
  }
}
