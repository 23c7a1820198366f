import { Construct } from 'constructs';
import { ExternalElasticsearch, ElasticsearchSetupCredentialsOptions } from './external-elasticsearch';
import { RemoteElasticsearchOptions } from './remote-elasticsearch';
import { describeValue } from '../common/validation';

/** Props of {@link ElasticCloudElasticsearch}. */
export interface ElasticCloudElasticsearchProps extends RemoteElasticsearchOptions, ElasticsearchSetupCredentialsOptions {
  /**
   * The deployment's Cloud ID, from its page in the Elastic Cloud console:
   * `<name>:<base64 of host$elasticsearch-id$kibana-id>`.
   */
  readonly cloudId: string;

  /**
   * Address ranges of the deployment's endpoint (its region's ingress addresses), for the
   * NetworkPolicies' egress of every consumer on 443.
   * @default ['0.0.0.0/0'] - any address, on the endpoint's port only
   */
  readonly egressCidrs?: string[];
}

/**
 * An Elastic Cloud deployment's Elasticsearch, by its Cloud ID: an
 * {@link ExternalElasticsearch} at the URL the Cloud ID gives
 * (`https://<elasticsearch-id>.<host>:<port>`, port 443 unless the ID names one), with a
 * publicly trusted certificate. The setup credentials are a deployment user that holds the
 * setup's privileges (or an API key, with `consumerCredentials: SUPPLIED`).
 * @see https://www.elastic.co/docs/deploy-manage/deploy/elastic-cloud/find-cloud-id
 */
export class ElasticCloudElasticsearch extends ExternalElasticsearch {
  /** The deployment's Cloud ID. */
  public readonly cloudId: string;

  constructor(scope: Construct, id: string, props: ElasticCloudElasticsearchProps) {
    super(scope, id, { ...props, url: elasticsearchUrlOfCloudId('elastic cloud elasticsearch cloudId', props?.cloudId) });
    this.cloudId = props.cloudId;
  }
}

/**
 * The Elasticsearch URL of a Cloud ID, decoded as Elastic's clients and Beats do: the part
 * after the last `:` is base64 of `host[:port]$elasticsearch-id[:port]$kibana-id[:port]`;
 * a port after the Elasticsearch id wins over the host's, and 443 is the default.
 * @internal
 */
export function elasticsearchUrlOfCloudId(prop: string, cloudId: string): string {
  const fail = (why: string): never => {
    throw new Error(`${prop} must be a Cloud ID (<name>:<base64 of host$elasticsearch-id$kibana-id>, from the deployment's page), ${why}, got ${describeValue(cloudId)}`);
  };
  if (typeof cloudId !== 'string' || cloudId.length === 0) return fail('a string');
  const encoded = cloudId.slice(cloudId.lastIndexOf(':') + 1);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return fail('its part after the last ":" is not base64');
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const words = decoded.split('$');
  if (words.length < 2 || words[0] === '' || words[1] === '') return fail(`it decodes to ${JSON.stringify(decoded)}, which lacks host$elasticsearch-id`);
  const [host, hostPort] = splitPort(words[0]);
  const [esId, esPort] = splitPort(words[1]);
  const port = esPort ?? hostPort ?? '443';
  if (!/^[a-z0-9.-]+$/i.test(host) || !/^[a-z0-9-]+$/i.test(esId) || !/^\d{1,5}$/.test(port)) return fail(`it decodes to ${JSON.stringify(decoded)}, which is no host and id`);
  return `https://${esId}.${host}:${port}`;
}

function splitPort(word: string): [string, string | undefined] {
  const i = word.lastIndexOf(':');
  return i < 0 ? [word, undefined] : [word.slice(0, i), word.slice(i + 1)];
}
