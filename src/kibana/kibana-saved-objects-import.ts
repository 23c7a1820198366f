import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Kibana } from './kibana';
import { KibanaSavedObjects } from './saved-objects';
import { appLabels } from '../common/labels';
import { createSetupJob, elasticCurlConfigScript, elasticPasswordMount, waitForUrlScript } from '../common/setup-job';
import { validateDnsLabel } from '../common/validation';
import { checkScope } from '../common/app-checks';

/** Props of {@link KibanaSavedObjectsImport}. */
export interface KibanaSavedObjectsImportProps {
  /** The Kibana to import into. */
  readonly kibana: Kibana;
  /** The saved objects (checked against their mappings when rendered). */
  readonly savedObjects: KibanaSavedObjects;

  /**
   * Name prefix of the Job (a hash of the content follows); set it for a second set
   * of objects beside the built-in one.
   * @default '<kibana name>-saved-objects'
   */
  readonly name?: string;
}

/**
 * A Job that imports saved objects into Kibana once its status API answers
 * `available`: `POST /api/saved_objects/_import?overwrite=true`, so running it again
 * updates them in place. A failed import fails the Job.
 * @see https://www.elastic.co/guide/en/kibana/8.19/saved-objects-api-import.html
 */
export class KibanaSavedObjectsImport extends Construct {
  /** The Job. */
  public readonly job: kplus.Job;

  constructor(scope: Construct, id: string, props: KibanaSavedObjectsImportProps) {
    super(scope, id);
    checkScope(this);
    if (!props || !(props.kibana instanceof Kibana)) {
      throw new Error('kibana saved objects import kibana is required: pass the Kibana to import into');
    }
    if (props.name !== undefined) validateDnsLabel('kibana saved objects import name', props.name, 40);
    const url = props.kibana.url;
    const es = props.kibana.elasticsearch;
    const secured = es.security.enabled;
    // As the `elastic` user (the Job's only credential), trusting Kibana's CA; a curl
    // config file keeps the password out of the process list.
    const curlAuth = secured ? '--config /tmp/kibana-curl.conf ' : '';
    const files = {
      'saved-objects.ndjson': props.savedObjects.renderNdjson(),
      'run.sh': [
        '#!/usr/bin/env bash',
        'set -euo pipefail',
        ...(secured ? [
          'umask 077',
          elasticCurlConfigScript('/kibana/ca.crt', '/tmp/kibana-curl.conf'),
        ] : []),
        // /api/status answers 503 until Kibana is available.
        waitForUrlScript('Kibana', `${url}/api/status`, curlAuth.trim()),
        `code=$(curl ${curlAuth}--silent --show-error --max-time 120 --output /tmp/response --write-out '%{http_code}' -X POST '${url}/api/saved_objects/_import?overwrite=true' \\`,
        "  -H 'kbn-xsrf: true' --form file=@/setup/saved-objects.ndjson)",
        'response=$(cat /tmp/response)',
        'echo "$response"',
        'if [ "$code" -ge 300 ]; then echo "import answered $code" >&2; exit 1; fi',
        // The API answers 200 with success false when some objects fail.
        'case "$response" in *\'"success":true\'*) echo done ;; *) echo \'import failed\' >&2; exit 1 ;; esac',
        '',
      ].join('\n'),
    };
    this.job = createSetupJob(this, {
      name: props.name ?? `${props.kibana.name}-saved-objects`,
      image: props.kibana.image,
      user: 1000,
      files,
      labels: appLabels('kibana-saved-objects', props.kibana.name),
      secretMounts: secured ? {
        ...elasticPasswordMount(es.elasticCredentialsSecretName as string),
        '/kibana': { secretName: props.kibana.certificateSecretName as string, keys: ['ca.crt'] },
      } : undefined,
    });
  }
}
