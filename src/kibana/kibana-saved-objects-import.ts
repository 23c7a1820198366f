import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Kibana } from './kibana';
import { KibanaSavedObjects } from './saved-objects';
import { appLabels } from '../common/labels';
import { basicCurlConfigScript, caCurlConfigScript, createSetupJob, waitForUrlScript } from '../common/setup-job';

/** Where the import Jobs mount the credentials they log in to Kibana with. */
const IMPORT_USER_DIR = '/import-user';
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
    this.job = kibanaImportJob(this, {
      kibana: props.kibana,
      name: props.name ?? `${props.kibana.name}-saved-objects`,
      component: 'kibana-saved-objects',
      file: 'saved-objects.ndjson',
      content: props.savedObjects.renderNdjson(),
      path: '/api/saved_objects/_import?overwrite=true',
    });
  }
}

/**
 * A Job that posts one NDJSON file to a Kibana import API once Kibana's status API
 * answers: as the Kibana's import user (the in-cluster Elasticsearch's `elastic` user, or
 * `importCredentials`) from a curl config file (so the password stays out of the process
 * list), trusting Kibana's CA. A reply of 300 or
 * more, or one without `"success":true` (the import APIs answer 200 when some objects
 * fail), fails the Job, which then retries. @internal
 */
export function kibanaImportJob(scope: Construct, options: {
  readonly kibana: Kibana;
  readonly name: string;
  readonly component: string;
  readonly file: string;
  readonly content: string;
  readonly path: string;
}): kplus.Job {
  const { kibana } = options;
  const url = kibana.url;
  const secured = kibana.secured;
  const curlAuth = secured ? '--config /tmp/kibana-curl.conf ' : '';
  const files = {
    [options.file]: options.content,
    'run.sh': [
      '#!/usr/bin/env bash',
      'set -euo pipefail',
      ...(secured ? [
        'umask 077',
        caCurlConfigScript('/kibana/ca.crt', '/tmp/kibana-curl.conf'),
        basicCurlConfigScript(IMPORT_USER_DIR, '/tmp/kibana-curl.conf'),
      ] : []),
      // /api/status answers 503 until Kibana is available.
      waitForUrlScript('Kibana', `${url}/api/status`, curlAuth.trim()),
      `code=$(curl ${curlAuth}--silent --show-error --max-time 120 --output /tmp/response --write-out '%{http_code}' -X POST '${url}${options.path}' \\`,
      `  -H 'kbn-xsrf: true' --form file=@/setup/${options.file})`,
      'response=$(cat /tmp/response)',
      'echo "$response"',
      'if [ "$code" -ge 300 ]; then echo "import answered $code" >&2; exit 1; fi',
      // The import APIs answer 200 with success false when some objects fail.
      'case "$response" in *\'"success":true\'*) echo done ;; *) echo \'import failed\' >&2; exit 1 ;; esac',
      '',
    ].join('\n'),
  };
  return createSetupJob(scope, {
    name: options.name,
    image: kibana.image,
    user: 1000,
    files,
    labels: appLabels(options.component, kibana.name),
    secretMounts: secured ? {
      [IMPORT_USER_DIR]: { secretName: kibana.importCredentialsSecretName as string, keys: ['username', 'password'] },
      '/kibana': { secretName: kibana.certificateSecretName as string, keys: ['ca.crt'] },
    } : undefined,
  });
}
