import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ElasticsearchConnection } from './elasticsearch-connection';

/** Environment variables that carry a log agent's Elasticsearch credentials. */
export const ELASTICSEARCH_USER_ENV = 'FLUENT_ELASTICSEARCH_USER';
export const ELASTICSEARCH_PASSWORD_ENV = 'FLUENT_ELASTICSEARCH_PASSWORD';

/**
 * The consumer's Elasticsearch credentials as environment variables from its Secret
 * (`secretKeyRef`), and the CA mounted at `caDir`; nothing when security is off.
 */
export function addElasticsearchCredentials(scope: Construct, container: kplus.Container, connection: ElasticsearchConnection, caDir: string): void {
  if (!connection.secured) return;
  const secret = kplus.Secret.fromSecretName(scope, 'ElasticsearchSecret', connection.secretName as string);
  container.env.addVariable(ELASTICSEARCH_USER_ENV, kplus.EnvValue.fromSecretValue({ secret, key: ElasticsearchConnection.USERNAME_KEY }));
  container.env.addVariable(ELASTICSEARCH_PASSWORD_ENV, kplus.EnvValue.fromSecretValue({ secret, key: ElasticsearchConnection.PASSWORD_KEY }));
  mountElasticsearchCa(scope, container, secret, caDir);
}

/** The cluster's CA from a consumer's Secret (its `ca.crt` key only), mounted read-only at `caDir`. */
export function mountElasticsearchCa(scope: Construct, container: kplus.Container, secret: kplus.ISecret, caDir: string): void {
  container.mount(caDir, kplus.Volume.fromSecret(scope, 'ElasticsearchCaVolume', secret, {
    name: 'elasticsearch-ca', items: { [ElasticsearchConnection.CA_KEY]: { path: ElasticsearchConnection.CA_KEY } },
  }), { readOnly: true });
}
