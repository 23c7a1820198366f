import { Duration, Yaml } from 'cdk8s';
import { validateInstances, validateSettings } from '../common/validation';
import { KibanaIndexConnector } from './kibana-index-connector';

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
   * `elasticsearch.serviceAccountToken`, as the name of the environment variable that
   * holds the token (kibana.yml reads it as `${NAME}`; the file holds no secret).
   * @default - none (Elasticsearch security disabled)
   */
  readonly elasticsearchServiceAccountTokenEnv?: string;

  /**
   * `elasticsearch.ssl.certificateAuthorities`: the PEM file of the CA that signed the
   * cluster's certificate; with it, `elasticsearch.ssl.verificationMode: full`.
   * @default - none (Elasticsearch security disabled)
   */
  readonly elasticsearchCertificateAuthority?: string;

  /**
   * Serve HTTPS: `server.ssl.enabled` with these PEM files.
   * @default - plain HTTP
   */
  readonly serverTls?: KibanaServerTls;

  /**
   * The encryption keys (`xpack.encryptedSavedObjects.encryptionKey`,
   * `xpack.security.encryptionKey`, `xpack.reporting.encryptionKey`), as the names of the
   * environment variables that hold them (kibana.yml reads each as `${NAME}`; the file
   * holds no secret).
   * @default - none: Kibana disables alerting, connectors and the detection engine, and
   * sessions end on every restart
   */
  readonly encryptionKeyEnvs?: KibanaEncryptionKeyEnvs;

  /**
   * `elasticsearch.requestTimeout`.
   * @default Duration.seconds(30)
   */
  readonly elasticsearchRequestTimeout?: Duration;

  /**
   * `telemetry.optIn`: whether Kibana sends usage data to Elastic.
   * @default false
   */
  readonly telemetryOptIn?: boolean;

  /**
   * Further settings, rendered after the managed ones (nested objects become dotted
   * keys). They may not set a managed key, nor anything that looks like a credential:
   * the file is a ConfigMap.
   * @default {}
   */
  readonly extraSettings?: { [key: string]: any };
  /**
   * Index connectors preconfigured in `kibana.yml` (`xpack.actions.preconfigured`),
   * such as the one the detection rules' alerts go through.
   * @default []
   */
  readonly indexConnectors?: KibanaIndexConnector[];
}

/**
 * The environment variables that hold Kibana's encryption keys (each at least 32
 * characters).
 * @see https://www.elastic.co/guide/en/kibana/8.19/using-kibana-with-security.html#security-configure-settings
 * @see https://www.elastic.co/guide/en/kibana/8.19/xpack-security-secure-saved-objects.html
 */
export interface KibanaEncryptionKeyEnvs {
  /** `xpack.encryptedSavedObjects.encryptionKey`: encrypts alerting rules, connectors and other saved objects' secrets. */
  readonly encryptedSavedObjects: string;
  /** `xpack.security.encryptionKey`: encrypts session cookies (the same on every replica, across restarts). */
  readonly security: string;
  /** `xpack.reporting.encryptionKey`: encrypts the credentials of queued reports. */
  readonly reporting: string;
}

/** PEM files of Kibana's server certificate. */
export interface KibanaServerTls {
  /** `server.ssl.certificate`. */
  readonly certificate: string;
  /** `server.ssl.key`. */
  readonly key: string;
}

/** Keys {@link KibanaConfig} manages. */
const MANAGED_KEYS = [
  'server.name', 'server.host', 'server.port', 'server.publicBaseUrl', 'elasticsearch.hosts',
  'elasticsearch.requestTimeout', 'telemetry.optIn',
  // Kibana 8 refuses the `elastic` superuser: it authenticates with a service account
  // token (credential keys are refused as credentials).
  'elasticsearch.username',
  // From a Secret the Kibana bootstrap Job makes once.
  'xpack.encryptedSavedObjects.encryptionKey', 'xpack.security.encryptionKey', 'xpack.reporting.encryptionKey',
];

/**
 * A `kibana.yml` file.
 * @see https://www.elastic.co/guide/en/kibana/8.19/settings.html
 */
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
    if (props.serverTls !== undefined) {
      settings['server.ssl.enabled'] = true;
      settings['server.ssl.certificate'] = props.serverTls.certificate;
      settings['server.ssl.key'] = props.serverTls.key;
    }
    settings['elasticsearch.hosts'] = [...props.elasticsearchHosts];
    if (props.elasticsearchServiceAccountTokenEnv !== undefined) {
      settings['elasticsearch.serviceAccountToken'] = `\${${envName('kibana elasticsearchServiceAccountTokenEnv', props.elasticsearchServiceAccountTokenEnv)}}`;
    }
    if (props.elasticsearchCertificateAuthority !== undefined) {
      settings['elasticsearch.ssl.certificateAuthorities'] = [props.elasticsearchCertificateAuthority];
      settings['elasticsearch.ssl.verificationMode'] = 'full';
    }
    if (props.encryptionKeyEnvs !== undefined) {
      const envs = props.encryptionKeyEnvs;
      for (const [setting, env] of [
        ['xpack.encryptedSavedObjects.encryptionKey', envs.encryptedSavedObjects],
        ['xpack.security.encryptionKey', envs.security],
        ['xpack.reporting.encryptionKey', envs.reporting],
      ]) {
        settings[setting] = `\${${envName('kibana encryptionKeyEnvs', env)}}`;
      }
    }
    const timeout = (props.elasticsearchRequestTimeout ?? Duration.seconds(30)).toMilliseconds();
    if (!Number.isInteger(timeout) || timeout < 1) {
      throw new Error(`kibana elasticsearchRequestTimeout must be a positive whole number of milliseconds, got ${timeout}`);
    }
    settings['elasticsearch.requestTimeout'] = timeout;
    settings['telemetry.optIn'] = props.telemetryOptIn ?? false;
    const connectors = props.indexConnectors ?? [];
    validateInstances('kibana indexConnectors', connectors, KibanaIndexConnector, "new KibanaIndexConnector({ template: stack.indexTemplates['seclog-alerts'] })");
    const preconfigured: { [key: string]: any } = {};
    for (const connector of connectors) {
      if (connector.id in preconfigured) throw new Error(`kibana indexConnectors: connector id ${connector.id} is given twice`);
      preconfigured[connector.id] = connector._preconfigured();
    }
    const extra = validateSettings('kibana settings', props.extraSettings, MANAGED_KEYS, ['server.ssl.', 'elasticsearch.ssl.'],
      'Kibana\'s encryption keys come from the Secret its bootstrap Job makes; for another secret, give the Kibana container a variable from a ' +
      'Secret (kibana.deployment) and set the setting to ${NAME}, which kibana.yml reads from the environment');
    for (const key of Object.keys(extra)) {
      const id = Object.keys(preconfigured).find((c) => key === `xpack.actions.preconfigured.${c}` || key.startsWith(`xpack.actions.preconfigured.${c}.`));
      if (id !== undefined) throw new Error(`kibana settings must not set ${JSON.stringify(key)}: connector ${id} is one of the indexConnectors; give another connector another id`);
    }
    Object.assign(settings, extra);
    // After the user's settings, so that one block of kibana.yml holds the connectors.
    for (const [id, connector] of Object.entries(preconfigured)) settings[`xpack.actions.preconfigured.${id}`] = connector;
    this.settings = settings;
  }

  /** Renders `kibana.yml`. */
  public render(): string {
    return Yaml.stringify(this.settings);
  }
}

/** Checks an environment variable name for a `${NAME}` reference in kibana.yml. */
function envName(prop: string, name: string): string {
  if (!/^[A-Z_][A-Z0-9_]*$/.test(name ?? '')) {
    throw new Error(`${prop} must be an environment variable name (A-Z, 0-9, _), got ${JSON.stringify(name)}`);
  }
  return name;
}
