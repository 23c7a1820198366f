import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ElasticsearchCluster } from './elasticsearch-cluster';
import { IndexTemplate } from './index-template';
import { appLabels } from '../common/labels';
import { createSetupJob, waitForUrlScript } from '../common/setup-job';

/** Props of {@link ElasticsearchSetup}. */
export interface ElasticsearchSetupProps {
  /** The cluster to configure. */
  readonly elasticsearch: ElasticsearchCluster;
  /** Index templates to put, with their lifecycle policies. */
  readonly templates: IndexTemplate[];
}

/**
 * A Job that puts the lifecycle policies and index templates into the cluster once
 * it is healthy (yellow or green). PUT replaces, so running it again is harmless;
 * a change of any template or policy makes a new Job.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/index-templates.html
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/ilm-put-lifecycle.html
 */
export class ElasticsearchSetup extends Construct {
  /** The Job. */
  public readonly job: kplus.Job;

  constructor(scope: Construct, id: string, props: ElasticsearchSetupProps) {
    super(scope, id);
    if (!props || !(props.elasticsearch instanceof ElasticsearchCluster)) {
      throw new Error('elasticsearch setup elasticsearch is required: pass the ElasticsearchCluster to configure');
    }
    if (props.templates.length === 0) throw new Error('elasticsearch setup templates must not be empty');
    const names = props.templates.map((t) => t.name);
    if (new Set(names).size !== names.length) throw new Error(`elasticsearch setup templates must have unique names, got ${JSON.stringify(names)}`);
    const es = props.elasticsearch;
    const files: { [file: string]: string } = {};
    const calls: string[] = [];
    for (const template of props.templates) {
      files[`policy-${template.lifecycle.name}.json`] = JSON.stringify(template.lifecycle.toJson(), undefined, 2) + '\n';
      calls.push(`put '/_ilm/policy/${template.lifecycle.name}' 'policy-${template.lifecycle.name}.json'`);
    }
    for (const template of props.templates) {
      files[`template-${template.name}.json`] = JSON.stringify(template.toJson(), undefined, 2) + '\n';
      calls.push(`put '/_index_template/${template.name}' 'template-${template.name}.json'`);
    }
    files['run.sh'] = [
      '#!/usr/bin/env bash',
      '# Puts the lifecycle policies, then the index templates (which name them).',
      'set -euo pipefail',
      `ES='${es.connection.url}'`,
      waitForUrlScript('Elasticsearch', `${es.connection.url}/_cluster/health?wait_for_status=yellow&timeout=5s`),
      'put() {',
      '  echo "PUT $1"',
      "  code=$(curl --silent --show-error --max-time 30 --output /tmp/response --write-out '%{http_code}' -X PUT -H 'Content-Type: application/json' \"$ES$1\" --data-binary \"@/setup/$2\")",
      '  cat /tmp/response; echo',
      '  if [ "$code" -ge 300 ]; then echo "PUT $1 answered $code" >&2; exit 1; fi',
      '}',
      ...calls,
      'echo done',
      '',
    ].join('\n');
    this.job = createSetupJob(this, {
      name: `${es.name}-setup`,
      image: es.image,
      user: 1000,
      files,
      labels: appLabels('elasticsearch-setup', es.name),
    });
  }
}
