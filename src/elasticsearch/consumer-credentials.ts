import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ElasticsearchAuthentication, ElasticsearchConnection } from './elasticsearch-connection';

/** Environment variables that carry a log agent's Elasticsearch credentials. */
export const ELASTICSEARCH_USER_ENV = 'FLUENT_ELASTICSEARCH_USER';
export const ELASTICSEARCH_PASSWORD_ENV = 'FLUENT_ELASTICSEARCH_PASSWORD';
/** The environment variable of a log agent's API key (the encoded form). */
export const ELASTICSEARCH_API_KEY_ENV = 'FLUENT_ELASTICSEARCH_API_KEY';

/**
 * The consumer's Elasticsearch credentials as environment variables from its Secret
 * (`secretKeyRef`): username and password, or the API key; and the CA mounted at
 * `caDir` unless the cluster's certificate is publicly trusted. Nothing when security is off.
 */
export function addElasticsearchCredentials(scope: Construct, container: kplus.Container, connection: ElasticsearchConnection, caDir: string): void {
  if (!connection.secured) return;
  const secret = kplus.Secret.fromSecretName(scope, 'ElasticsearchSecret', connection.secretName as string);
  if (connection.authentication === ElasticsearchAuthentication.API_KEY) {
    container.env.addVariable(ELASTICSEARCH_API_KEY_ENV, kplus.EnvValue.fromSecretValue({ secret, key: ElasticsearchConnection.API_KEY_KEY }));
  } else {
    container.env.addVariable(ELASTICSEARCH_USER_ENV, kplus.EnvValue.fromSecretValue({ secret, key: ElasticsearchConnection.USERNAME_KEY }));
    container.env.addVariable(ELASTICSEARCH_PASSWORD_ENV, kplus.EnvValue.fromSecretValue({ secret, key: ElasticsearchConnection.PASSWORD_KEY }));
  }
  if (connection.caInSecret) mountElasticsearchCa(scope, container, secret, caDir);
}

/** The cluster's CA from a consumer's Secret (its `ca.crt` key only), mounted read-only at `caDir`. */
export function mountElasticsearchCa(scope: Construct, container: kplus.Container, secret: kplus.ISecret, caDir: string): void {
  container.mount(caDir, kplus.Volume.fromSecret(scope, 'ElasticsearchCaVolume', secret, {
    name: 'elasticsearch-ca', items: { [ElasticsearchConnection.CA_KEY]: { path: ElasticsearchConnection.CA_KEY } },
  }), { readOnly: true });
}
