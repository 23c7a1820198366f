import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Chart } from 'cdk8s';
import { ConsumerKind, ElasticsearchBackend, ElasticsearchConsumerCredentials, validateBackend } from './elasticsearch-backend';
import { ElasticsearchConnection } from './elasticsearch-connection';
import { IndexTemplate, indexPatternMatches } from './index-template';
import { ELASTIC_STACK_8_VERSION } from '../images';
import { IngestPipeline } from './ingest-pipeline';
import { FAMILY_KINDS, SecurityIndexRetention, SecurityIndexSource, SecurityIndexTemplates, familyPipeline } from './security-index-templates';
import { resolveRetention } from './retention';
import { contentHash } from '../common/hash';
import { appLabels } from '../common/labels';
import { SECRET_FUNCTIONS, secretLabelsLine } from '../common/secret-script';
import { createSetupJob, waitForUrlScript } from '../common/setup-job';
import { secretWriterRole } from './elasticsearch-security';
import { checkScope } from '../common/app-checks';

/** Props of {@link ElasticsearchSetup}. */
export interface ElasticsearchSetupProps {
  /** The Elasticsearch to configure. */
  readonly elasticsearch: ElasticsearchBackend;
  /**
   * Index templates to put, with their lifecycle policies, beside those of the
   * writers' families. A template whose patterns match a writer's family replaces
   * the one the family's kind gives.
   * @default []
   */
  readonly templates?: IndexTemplate[];

  /**
   * Days each source's events are kept, for the templates of the writers' families.
   * @default - containers 14, Falco 90, KubeArmor 90, audit 365, Kubernetes events 30, syslog 14, journal 30
   */
  readonly retention?: SecurityIndexRetention;

  /**
   * Before an upgrade to the next major version (8.19 to 9.x): the Job first asks the
   * deprecation API (`GET /_migration/deprecations`) and fails, listing them, while it
   * reports any critical deprecation (what 9.x would refuse: a setting removed, an index
   * made by 7.x), or while the cluster is not on 8.19; it retries, so it completes once
   * they are fixed, and then it is safe to change the version. Turn it off again after
   * the upgrade (on 9.x the check looks ahead to 10).
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/migration-api-deprecation.html
   * @default false
   */
  readonly upgradeCheck?: boolean;
}

/**
 * A Job that puts the lifecycle policies and index templates into the cluster once
 * it is healthy (yellow or green), and, when security is on, gives each consumer
 * registered before it is created (log agents, Kibana) its credentials. PUT replaces, so running it again is harmless;
 * a change of any template or policy makes a new Job.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/index-templates.html
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/ilm-put-lifecycle.html
 */
export class ElasticsearchSetup extends Construct {
  /** The Job. */
  public readonly job: kplus.Job;
  /**
   * The privileges this Job's calls need (a role's body for `PUT /_security/role/<name>`):
   * grant them to the setup credentials of an Elasticsearch the library does not run.
   * Cluster: `monitor` (health, and the nodes' versions), `manage_index_templates`,
   * `manage_ilm`, `manage_pipeline` (which covers `_simulate`), `manage_own_api_key` when
   * the Job makes the writers' keys, `manage_service_account` for a Kibana's token, and
   * `manage` for the deprecation API (`upgradeCheck`). Indices, on every name the templates
   * claim: `manage` (read the data streams, roll them over), and `create_doc` and
   * `auto_configure` when the Job makes the writers' keys, which can hold only what their
   * owner holds. When the backend's `putTemplates` is false: `monitor`, `read_ilm` and
   * `read_pipeline` (to compare what another setup put), the key and token privileges, and
   * `create_doc` and `auto_configure` on the writers' families only.
   * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/security-privileges.html
   */
  public readonly requiredPrivileges: { [key: string]: any };
  private readonly _templates: IndexTemplate[];

  /**
   * The index templates the Job puts: the given ones, then one per writer family
   * (from its kind and the retention), named after the family; a copy.
   */
  public get templates(): IndexTemplate[] {
    return [...this._templates];
  }

  constructor(scope: Construct, id: string, props: ElasticsearchSetupProps) {
    super(scope, id);
    checkScope(this);
    validateBackend('elasticsearch setup elasticsearch', props?.elasticsearch, 'to configure');
    const given = props.templates ?? [];
    if (!Array.isArray(given) || given.some((t) => !(t instanceof IndexTemplate))) {
      throw new Error(`elasticsearch setup templates must be a list of IndexTemplate objects (new IndexTemplate({...})), got ${JSON.stringify(given)}`);
    }
    const es = props.elasticsearch;
    const templates = [...given, ...familyTemplates(es, given, props.retention)];
    // A given data stream's names too are made only from its template, never as a plain index by an early write.
    es._refuseAutoCreate(given.filter((t) => t.dataStream).flatMap((t) => t.indexPatterns));
    const names = templates.map((t) => t.name);
    if (new Set(names).size !== names.length) throw new Error(`elasticsearch setup templates must have unique names, got ${JSON.stringify(names)}`);
    this._templates = templates;
    const files: { [file: string]: string } = {};
    const calls: string[] = [];
    // Each policy and pipeline carries a hash of its content in _meta, and one whose hash
    // is there already is not put again. Elasticsearch skips an identical pipeline PUT, and
    // an identical ILM PUT since 8.0 (elastic/elasticsearch#82240) unless the stored security
    // headers differ: the setups of several clusters sharing one Elasticsearch, each with its
    // own credentials, would bump the policy's version at every run. (A hand edit that keeps
    // the _meta is then not repaired by a re-run.)
    const withHash = (body: { [key: string]: any }, at: 'policy' | 'top') => {
      const hash = contentHash(JSON.stringify(body));
      const meta = (m: { [key: string]: any } | undefined) => ({ ...m, content_hash: hash });
      return { hash, json: JSON.stringify(at === 'policy' ? { ...body, policy: { ...body.policy, _meta: meta(body.policy._meta) } } : { ...body, _meta: meta(body._meta) }, undefined, 2) + '\n' };
    };
    // A stack that leaves them to another's setup only checks that each is there with its hash.
    const puts = es.putsTemplates;
    const putOrCheck = (path: string, file: string, hash: string, json: string, put: string) => {
      if (puts) {
        files[file] = json;
        calls.push(put);
      } else {
        calls.push(`check_same '${path}' '${hash}'`);
      }
    };
    for (const template of templates) {
      const { hash, json } = withHash(template.lifecycle.toJson(), 'policy');
      const path = `/_ilm/policy/${template.lifecycle.name}`;
      const file = `policy-${template.lifecycle.name}.json`;
      putOrCheck(path, file, hash, json, `put_if_changed '${path}' '${file}' '${hash}'`);
    }
    // Each pipeline is proved on the real engine with its checks, then put, before the
    // template that names it: a template naming a missing pipeline makes every write fail,
    // and a pipeline that fails its checks never serves (a re-run's template names it already).
    const pipelines = new Map<string, IngestPipeline>();
    for (const template of templates) {
      const pipeline = template.pipeline;
      if (pipeline === undefined) continue;
      const seen = pipelines.get(pipeline.name);
      if (seen !== undefined && JSON.stringify(seen.toJson()) !== JSON.stringify(pipeline.toJson())) {
        throw new Error(`elasticsearch setup: two different ingest pipelines are named ${JSON.stringify(pipeline.name)}; give each its own name`);
      }
      if (seen !== undefined) continue;
      pipelines.set(pipeline.name, pipeline);
      if (puts && pipeline.checks.length > 0) {
        files[`simulate-${pipeline.name}.json`] = JSON.stringify(pipeline.simulateJson(), undefined, 2) + '\n';
        calls.push(`check_pipeline '${pipeline.name}' 'simulate-${pipeline.name}.json'`);
      }
      const { hash, json } = withHash(pipeline.toJson(), 'top');
      const path = `/_ingest/pipeline/${pipeline.name}`;
      const file = `pipeline-${pipeline.name}.json`;
      putOrCheck(path, file, hash, json, `put_if_changed '${path}' '${file}' '${hash}'`);
    }
    for (const template of templates) {
      // A template applies to new backing indices only: when its content changed, the
      // streams it matches roll over at their next write, so that the new mapping and
      // pipeline serve from then on instead of from the next scheduled rollover.
      const { hash, json } = withHash(template.toJson(), 'top');
      const file = `template-${template.name}.json`;
      putOrCheck(`/_index_template/${template.name}`, file, hash, json,
        `put_template '${template.name}' '${file}' '${hash}' ${template.indexPatterns.map((p) => `'${p}'`).join(' ')}`);
    }
    const secured = es.authenticated;
    const namespace = Chart.of(this).namespace;
    if (secured && namespace !== es.namespace) {
      throw new Error(
        `elasticsearch setup must be in the namespace of its Elasticsearch object (${JSON.stringify(es.namespace)}), whose Secrets it mounts, ` +
        `got ${JSON.stringify(namespace)}`,
      );
    }
    const access = es._setupAccess();
    const supplied = es.consumerCredentials === ElasticsearchConsumerCredentials.SUPPLIED;
    const caKeys = access.caFile === undefined ? [] : [ElasticsearchConnection.CA_KEY];
    const consumers = secured ? es._consumersForSetup() : [];
    if (templates.length === 0 && consumers.length === 0) {
      throw new Error('elasticsearch setup has nothing to do: pass templates, or create it after the Kibana and log agents that need credentials');
    }
    for (const consumer of consumers) {
      const families = consumer.indexFamilies?.() ?? [];
      if (consumer.kind !== ConsumerKind.KIBANA_TOKEN) {
        // The role lists the families as they are now; one added later would be refused.
        this.node.addValidation({
          validate: () => (consumer.indexFamilies?.() ?? []).filter((f) => !families.includes(f))
            .map((f) => `elasticsearch setup: writer ${consumer.principal} gained index family ${f} after the ElasticsearchSetup was created; create it after every source`),
        });
      }
      if (consumer.kind === ConsumerKind.WRITER_USER) {
        const role = `${consumer.principal}-writer`;
        files[`role-${role}.json`] = JSON.stringify(writerRole(families), undefined, 2) + '\n';
        calls.push(`put '/_security/role/${role}' 'role-${role}.json'`);
        calls.push(`ensure_user '${consumer.namespace}' '${consumer.secretName}' '${consumer.principal}' '${role}'`);
      } else if (consumer.kind === ConsumerKind.WRITER_API_KEY) {
        const key = consumer.principal as string;
        // What the key may do, and (supplied keys) what the Job asks Elasticsearch it may.
        files[`privileges-${key}.json`] = JSON.stringify({ index: [writerIndexPrivileges(families)] }, undefined, 2) + '\n';
        if (supplied) {
          calls.push(`check_supplied_key '${consumer.namespace}' '${consumer.secretName}' 'privileges-${key}.json' ${caKeys.join(' ')}`.trimEnd());
        } else {
          const body = { role_descriptors: { [`${key}-writer`]: writerRole(families) }, metadata: { managed_by: 'cdk8s-security-logging', namespace: consumer.namespace, secret: consumer.secretName } };
          files[`api-key-${key}.json`] = JSON.stringify({ name: key, ...body }, undefined, 2) + '\n';
          files[`api-key-update-${key}.json`] = JSON.stringify(body, undefined, 2) + '\n';
          calls.push(`ensure_api_key '${consumer.namespace}' '${consumer.secretName}' '${key}'`);
        }
      } else if (supplied) {
        calls.push(`check_supplied_token '${consumer.namespace}' '${consumer.secretName}' ${caKeys.join(' ')}`.trimEnd());
      } else {
        calls.push(`ensure_kibana_credentials '${consumer.namespace}' '${consumer.secretName}'`);
      }
    }
    const upgradeCheck = props.upgradeCheck ?? false;
    if (typeof upgradeCheck !== 'boolean') throw new Error(`elasticsearch setup upgradeCheck must be true or false, got ${JSON.stringify(props.upgradeCheck)}`);
    if (upgradeCheck && es.majorVersion !== 8) {
      throw new Error(`elasticsearch setup upgradeCheck is for the upgrade from 8.19 to 9.x, and the cluster is on ${es.version} already: turn it off`);
    }
    const makesKeys = !supplied && consumers.some((c) => c.kind === ConsumerKind.WRITER_API_KEY);
    // What the keys it makes carry, which their owner must hold to grant.
    const granted = makesKeys ? [...new Set(consumers.filter((c) => c.kind === ConsumerKind.WRITER_API_KEY)
      .flatMap((c) => writerIndexPrivileges(c.indexFamilies?.() ?? []).names))].sort() : [];
    this.requiredPrivileges = {
      cluster: [
        'monitor', ...puts ? ['manage_index_templates', 'manage_ilm', 'manage_pipeline'] : ['read_ilm', 'read_pipeline'],
        ...makesKeys ? ['manage_own_api_key'] : [],
        ...!supplied && consumers.some((c) => c.kind === ConsumerKind.KIBANA_TOKEN) ? ['manage_service_account'] : [],
        ...upgradeCheck ? ['manage'] : [],
      ],
      indices: puts ? [{
        names: [...new Set(templates.flatMap((t) => t.indexPatterns))].sort(),
        privileges: ['manage', ...makesKeys ? ['create_doc', 'auto_configure'] : []],
      }] : granted.length > 0 ? [{ names: granted, privileges: ['create_doc', 'auto_configure'] }] : [],
    };
    const name = `${es.name}-setup`;
    const labels = appLabels('elasticsearch-setup', es.name);
    const curlAuth = secured ? '--config /tmp/es-curl.conf' : '';
    files['run.sh'] = [
      '#!/usr/bin/env bash',
      !puts
        ? "# Checks that the lifecycle policies, pipelines and index templates another stack's setup puts are there\n" +
          "# with this stack's content, then gives each writer and Kibana credentials, in Secrets in their namespaces."
        : secured
          ? '# Puts the lifecycle policies, the index templates (which name them), then each writer\'s role and user and\n' +
            "# each Kibana's service account token, with their credentials in Secrets in the consumers' namespaces."
          : '# Puts the lifecycle policies, then the index templates (which name them).',
      'set -euo pipefail',
      ...(secured ? [
        'umask 077',
        SECRET_FUNCTIONS,
        secretLabelsLine(labels),
        access.curlConfig('/tmp/es-curl.conf'),
        `CA_FILE='${access.caFile ?? ''}'`,
      ] : []),
      `ES='${es.connection.url}'`,
      waitForUrlScript('Elasticsearch', `${es.connection.url}/_cluster/health?wait_for_status=yellow&timeout=5s`, curlAuth),
      // es METHOD PATH [BODY_FILE]: prints the HTTP status; the body is in /tmp/response.
      'es() {',
      `  local args=(${curlAuth ? `${curlAuth} ` : ''}--silent --show-error --max-time 30 --output /tmp/response --write-out '%{http_code}' -X "$1")`,
      `  if [ $# -ge 3 ]; then args+=(-H 'Content-Type: application/json' --data-binary "@$3"); fi`,
      '  curl "${args[@]}" "$ES$2"',
      '}',
      'put() {',
      '  echo "PUT $1"',
      '  local code',
      '  code=$(es PUT "$1" "/setup/$2")',
      '  cat /tmp/response; echo',
      '  if [ "$code" -ge 300 ]; then echo "PUT $1 answered $code" >&2; exit 1; fi',
      '}',
      ...(puts ? [PUT_IF_CHANGED_FUNCTION, ...(pipelines.size > 0 ? [CHECK_PIPELINE_FUNCTION] : []), PUT_TEMPLATE_FUNCTION] : [CHECK_SAME_FUNCTION]),
      ...consumerFunctions(consumers.map((c) => c.kind), supplied),
      ...(upgradeCheck ? [UPGRADE_CHECK_SCRIPT] : []),
      ...calls,
      'echo done',
      '',
    ].join('\n');
    let serviceAccount: kplus.ServiceAccount | undefined;
    if (consumers.length > 0 || access.readsSecrets !== undefined) {
      serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: { name, labels }, automountToken: false });
      const namespaces = [...new Set(consumers.map((c) => c.namespace))].sort();
      namespaces.forEach((ns, i) => secretWriterRole(this, `Consumers${i}`, {
        name, namespace: ns, labels, serviceAccount: serviceAccount as kplus.ServiceAccount, create: !supplied,
        secretNames: consumers.filter((c) => c.namespace === ns).map((c) => c.secretName),
      }));
      if (access.readsSecrets !== undefined) {
        secretWriterRole(this, 'Backend', {
          name: `${name}-backend`, namespace: access.readsSecrets.namespace, labels, serviceAccount, create: false, secretNames: access.readsSecrets.names,
        });
      }
    }
    this.job = createSetupJob(this, {
      name,
      image: es.setupImage,
      user: 1000,
      files,
      labels,
      serviceAccount,
      secretMounts: secured ? access.secretMounts : undefined,
    });
  }
}

/**
 * Refuses, before anything is put, while a node of the cluster is not on 8.19 (Elastic's
 * starting point for 9.x) or is on an 8.19 newer than ELASTIC_STACK_8_VERSION (released after
 * the default 9.x, which it could not upgrade to), or while the deprecation API reports a
 * critical issue (an entry of `"level": "critical"`, in any section: cluster, node, index,
 * data stream, ILM, templates), each printed with its message and URL.
 */
const UPGRADE_CHECK_SCRIPT = String.raw`echo "Upgrade check: every node on 8.19 (at most 8.19.MAX_PATCH), no critical deprecation"
code=$(es GET '/_nodes?filter_path=nodes.*.version')
if [ "$code" -ge 300 ]; then echo "GET /_nodes answered $code" >&2; exit 1; fi
versions=$(tr -d ' \n' < /tmp/response | grep -o '"version":"[^"]*"' | cut -d'"' -f4)
if [ -z "$versions" ]; then echo "Upgrade check: no node versions in the answer of GET /_nodes" >&2; exit 1; fi
for v in $versions; do
  case "$v" in
    8.19.*) if [ "$(echo "$v" | cut -d. -f3)" -gt MAX_PATCH ]; then echo "Upgrade check: a node runs $v, released after the 9.x this release deploys: upgrade to a newer release of the library, or stay on 8.19" >&2; exit 1; fi ;;
    *) echo "Upgrade check: a node runs $v, not 8.19: upgrade every node to 8.19.MAX_PATCH first" >&2; exit 1 ;;
  esac
done
code=$(es GET /_migration/deprecations)
if [ "$code" -ge 300 ]; then echo "GET /_migration/deprecations answered $code" >&2; exit 1; fi
tr -d '\n' < /tmp/response > /tmp/compact
if grep -q '"level" *: *"critical"' /tmp/compact; then
  echo "Upgrade check: fix these critical deprecations before the upgrade to 9.x (GET /_migration/deprecations):" >&2
  grep -o '[^{]\{0,300\}"level" *: *"critical"[^}]\{0,600\}' /tmp/compact >&2
  exit 1
fi
echo "Upgrade check: no critical deprecation; also clear Kibana's Upgrade Assistant (system indices, Kibana's deprecations), then upgrade to 9.x"`.replace(/MAX_PATCH/g, ELASTIC_STACK_8_VERSION.split('.')[2]);

/**
 * The templates of the writers' families that no given template covers: each from its
 * kind's mapping, rollover and retention, with a replica once a second node can hold
 * new data-stream indices. A family of no kind and no template would be created by
 * Elasticsearch as a plain index, without mapping, lifecycle or rollover, growing until
 * the disk fills: that is an error naming the family.
 */
function familyTemplates(es: ElasticsearchBackend, given: IndexTemplate[], retention: SecurityIndexRetention | undefined): IndexTemplate[] {
  const days = resolveRetention(retention);
  const replicas = es.indexReplicas;
  const covered = (family: string) => given.some((t) => t.indexPatterns.some((p) => indexPatternMatches(p, family)));
  const seen = new Set<string>();
  const sources: SecurityIndexSource[] = [];
  for (const { family, kind, writer } of es._writerFamilies()) {
    if (covered(family) || seen.has(family)) continue;
    seen.add(family);
    if (kind === undefined) {
      throw new Error(
        `elasticsearch setup: ${writer.node.path} writes index family ${JSON.stringify(family)}, which has no index template: ` +
        'Elasticsearch would create it as a plain index, without mapping, lifecycle or rollover, that grows until the disk fills; ' +
        'register it with its kind (registerIndexFamily(prop, family, IndexFamilyKind.CONTAINERS, ...)), or pass its template ' +
        'in the ElasticsearchSetup\'s templates',
      );
    }
    const spec = FAMILY_KINDS[kind];
    sources.push({
      family, fields: spec.fields, retentionDays: days[spec.retention], rolloverDays: spec.rolloverDays, replicas,
      pipeline: spec.normalization === undefined ? undefined : familyPipeline(family, spec.normalization),
    });
  }
  return SecurityIndexTemplates.of(sources);
}

/**
 * A writer's role: create documents in its families' data streams (and create the
 * streams on first write, from their templates), nothing else: no read, no delete,
 * no cluster privilege.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/security-privileges.html#privileges-list-indices
 */
function writerRole(families: string[]): object {
  return { cluster: [], indices: [writerIndexPrivileges(families)] };
}

/** Create documents in the families' data streams (and create the streams from their templates). */
function writerIndexPrivileges(families: string[]): { names: string[]; privileges: string[] } {
  if (families.length === 0) throw new Error('elasticsearch setup: a writer registered no index family');
  return { names: [...new Set(families)].sort().flatMap((f) => [f, `${f}-*`]), privileges: ['create_doc', 'auto_configure'] };
}

/** The bash functions the consumers' credentials need. */
function consumerFunctions(kinds: ConsumerKind[], supplied: boolean): string[] {
  const has = (kind: ConsumerKind) => kinds.includes(kind);
  return [
    ...(has(ConsumerKind.WRITER_USER) ? [ENSURE_USER_FUNCTION] : []),
    ...((supplied && kinds.length > 0) || has(ConsumerKind.WRITER_API_KEY) ? [AUTHENTICATES_AS_FUNCTION] : []),
    ...(supplied && kinds.length > 0 ? [CHECK_SUPPLIED_FUNCTION] : []),
    ...(!supplied && has(ConsumerKind.WRITER_API_KEY) ? [ENSURE_API_KEY_FUNCTION] : []),
    ...(!supplied && has(ConsumerKind.KIBANA_TOKEN) ? [ENSURE_KIBANA_TOKEN_FUNCTION] : []),
  ];
}

/**
 * `put_template NAME FILE HASH PATTERN...`: puts the template; when the one in the
 * cluster had other content (or none), every existing data stream it matches rolls
 * over lazily (at its next write, ES 8.13+), so that its write index takes the new
 * mappings and pipeline. Streams are found by name (`GET _data_stream/<pattern>`),
 * whose answer lists each as `"name":"...","timestamp_field"`.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/indices-rollover-index.html#rollover-lazy
 */
const PUT_TEMPLATE_FUNCTION = String.raw`put_template() {
  local name=$1 file=$2 hash=$3 code stream
  shift 3
  code=$(es GET "/_index_template/$name")
  local unchanged=false
  # Compacted to a file first: grep -q quitting early would break the pipe under pipefail.
  tr -d ' \n' < /tmp/response > /tmp/compact
  if [ "$code" = 200 ] && grep -q "\"content_hash\":\"$hash\"" /tmp/compact; then unchanged=true; fi
  put "/_index_template/$name" "$file"
  if [ "$unchanged" = true ]; then return; fi
  for pattern in "$@"; do
    # A name that is no data stream answers 404; a pattern that matches none, an empty list.
    code=$(es GET "/_data_stream/$pattern")
    if [ "$code" = 404 ]; then continue; fi
    if [ "$code" != 200 ]; then echo "GET /_data_stream/$pattern answered $code" >&2; cat /tmp/response >&2; echo >&2; exit 1; fi
    tr -d ' \n' < /tmp/response > /tmp/compact
    for stream in $(grep -o '"name":"[^"]*","timestamp_field"' /tmp/compact | sed 's/^"name":"\([^"]*\)".*/\1/'); do
      echo "POST /$stream/_rollover?lazy=true (template $name changed)"
      code=$(es POST "/$stream/_rollover?lazy=true")
      cat /tmp/response; echo
      if [ "$code" -ge 300 ]; then
        echo "POST /$stream/_rollover?lazy=true answered $code" >&2
        # The retry must roll over again: the template in the cluster says it is not done.
        sed "s/\"content_hash\": \"$hash\"/\"content_hash\": \"rollover-pending\"/" "/setup/$file" > /tmp/template-pending.json
        es PUT "/_index_template/$name" /tmp/template-pending.json > /dev/null || true
        exit 1
      fi
    done
  done
}`;

/**
 * `put_if_changed PATH FILE HASH`: PUT, unless what the cluster has at PATH carries the
 * content hash already (`"content_hash":"HASH"` in its `_meta`).
 */
const PUT_IF_CHANGED_FUNCTION = String.raw`put_if_changed() {
  local code
  code=$(es GET "$1")
  tr -d ' \n' < /tmp/response > /tmp/compact
  if [ "$code" = 200 ] && grep -q "\"content_hash\":\"$3\"" /tmp/compact; then echo "$1 unchanged"; return; fi
  put "$1" "$2"
}`;

/**
 * `check_same PATH HASH`: what the cluster has at PATH (a policy, pipeline or template that
 * another stack's setup puts) must carry the content hash HASH in its `_meta`; else the Job
 * fails, saying which and why, and retries until that setup has put it.
 */
const CHECK_SAME_FUNCTION = String.raw`check_same() {
  local code
  code=$(es GET "$1")
  tr -d ' 
' < /tmp/response > /tmp/compact
  if [ "$code" = 404 ]; then
    echo "$1 is not in the Elasticsearch yet: the setup that puts the templates (putTemplates true, e.g. the central cluster's) must put it first, from a stack with the same sources" >&2
    exit 1
  fi
  if [ "$code" != 200 ]; then echo "GET $1 answered $code" >&2; cat /tmp/response >&2; echo >&2; exit 1; fi
  if ! grep -q "\"content_hash\":\"$2\"" /tmp/compact; then
    echo "$1 in the Elasticsearch differs from this stack's (content hash $2): give every cluster's stack the same library release, version, indexReplicas and retention" >&2
    exit 1
  fi
  echo "$1: as this stack has it"
}`;

/**
 * `check_pipeline NAME FILE`: runs the pipeline's check documents through its
 * processors on the cluster (`_simulate`, before the pipeline is put); a document
 * whose fields differ, or that a processor fails on, comes back as an `error` (a
 * `root_cause` beside the document), and the Job fails with the answer.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/simulate-pipeline-api.html
 */
const CHECK_PIPELINE_FUNCTION = String.raw`check_pipeline() {
  echo "checking pipeline $1"
  local code
  code=$(es POST '/_ingest/pipeline/_simulate' "/setup/$2")
  tr -d ' \n' < /tmp/response > /tmp/compact
  if [ "$code" -ge 300 ] || grep -q '"error":{"root_cause"' /tmp/compact; then
    echo "pipeline $1 does not give its check documents the expected fields (answer $code):" >&2
    cat /tmp/response >&2; echo >&2
    exit 1
  fi
  echo "pipeline $1: every check passed"
}`;

/**
 * `ensure_user NAMESPACE SECRET USERNAME ROLE`: the writer's password from its Secret,
 * or a new one stored in a new Secret (with the CA); then PUT the user with it, which
 * changes nothing when the user exists with that password.
 */
const ENSURE_USER_FUNCTION = String.raw`ensure_user() {
  if secret_get "$1" "$2"; then
    secret_key password > /tmp/password
  else
    printf '%s' "$3" > /tmp/username
    random_password > /tmp/password
    if ! create_secret "$1" "$2" ${"$"}{CA_FILE:+ca.crt=$CA_FILE} username=/tmp/username password=/tmp/password; then
      secret_get "$1" "$2" || exit 1
      secret_key password > /tmp/password
    fi
  fi
  printf '{"password":"%s","roles":["%s"],"full_name":"log writer %s/%s"}' "$(cat /tmp/password)" "$4" "$1" "$2" > /tmp/user.json
  rm -f /tmp/password
  echo "PUT /_security/user/$3"
  local code
  code=$(es PUT "/_security/user/$3" /tmp/user.json)
  rm -f /tmp/user.json
  cat /tmp/response; echo
  if [ "$code" -ge 300 ]; then echo "PUT /_security/user/$3 answered $code" >&2; exit 1; fi
}`;

/**
 * `ensure_kibana_credentials NAMESPACE SECRET`: when Kibana's Secret is missing, create a
 * token of the elastic/kibana service account (a new name each time, so no existing
 * token is touched) and store it with the CA; if the Secret appeared meanwhile, or
 * the attempt fails before the token is stored, delete the new token again.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/security-api-create-service-token.html
 */
const ENSURE_KIBANA_TOKEN_FUNCTION = String.raw`ensure_kibana_credentials() {
  if secret_get "$1" "$2"; then echo "Secret $1/$2 exists: kept as it is"; return; fi
  local name code
  name="$1-$2-$(date +%s)"
  code=$(es POST "/_security/service/elastic/kibana/credential/token/$name")
  if [ "$code" != 200 ]; then echo "creating token $name answered $code" >&2; cat /tmp/response >&2; exit 1; fi
  # Until the Secret holds it, a failure deletes the token again (no orphan per retry).
  trap "es DELETE '/_security/service/elastic/kibana/credential/token/$name' > /dev/null || true" EXIT
  sed -n 's/.*"value" *: *"\([^"]*\)".*/\1/p' /tmp/response | tr -d '\n' > /tmp/token
  rm -f /tmp/response
  if [ ! -s /tmp/token ]; then echo "no token value in the answer" >&2; exit 1; fi
  if ! create_secret "$1" "$2" token=/tmp/token ${"$"}{CA_FILE:+ca.crt=$CA_FILE}; then
    es DELETE "/_security/service/elastic/kibana/credential/token/$name" > /dev/null
  fi
  trap - EXIT
  rm -f /tmp/token
}`;

/**
 * `ensure_api_key NAMESPACE SECRET NAME`: when the writer's Secret exists, update its API
 * key (the `id` it holds) to the privileges of `api-key-update-NAME.json`, which changes
 * nothing when they are the same (`"updated":false`) and fails, saying what to do, when
 * the key is gone (invalidated, expired, or owned by other setup credentials); else
 * create a key from `api-key-NAME.json` and store it (`api_key`, the encoded form, and
 * `id`) with the CA in a new Secret, after invalidating the keys of that name that this
 * setup's credentials own (a Secret deleted to get a new key left its key valid). A key whose Secret could not be stored, or that
 * lost the race to a Secret made meanwhile, is invalidated again (by id with `"owner": true`,
 * the form a user with only manage_own_api_key may use).
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/security-api-create-api-key.html
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/security-api-update-api-key.html
 */
const ENSURE_API_KEY_FUNCTION = String.raw`ensure_api_key() {
  local code id
  if secret_get "$1" "$2"; then
    id=$(secret_key id)
    if [ -z "$id" ]; then echo "Secret $1/$2 has no id of an API key: delete it (kubectl -n $1 delete secret $2), and the Job makes a new key" >&2; exit 1; fi
    echo "PUT /_security/api_key/$id ($3)"
    code=$(es PUT "/_security/api_key/$id" "/setup/api-key-update-$3.json")
    cat /tmp/response; echo
    if [ "$code" -ge 300 ]; then
      echo "the API key $id of Secret $1/$2 cannot be updated (answer $code: invalidated, expired, or owned by other setup credentials): delete the Secret (kubectl -n $1 delete secret $2), and the Job makes a new key" >&2
      exit 1
    fi
    key_holds_privileges "$1" "$2" "$3" "$(secret_key api_key)"
    return
  fi
  # Keys of this name that no Secret holds any more (one was deleted) would stay valid: invalidate them first.
  printf '{"name":"%s","owner":true}' "$3" > /tmp/invalidate.json
  code=$(es DELETE /_security/api_key /tmp/invalidate.json)
  if [ "$code" != 200 ] && [ "$code" != 404 ]; then echo "invalidating old API keys named $3 answered $code" >&2; cat /tmp/response >&2; exit 1; fi
  echo "invalidated old API keys named $3: $(tr -d ' \n' < /tmp/response)"
  echo "POST /_security/api_key ($3)"
  code=$(es POST /_security/api_key "/setup/api-key-$3.json")
  if [ "$code" != 200 ]; then echo "creating API key $3 answered $code" >&2; cat /tmp/response >&2; exit 1; fi
  tr -d ' \n' < /tmp/response > /tmp/compact
  id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' /tmp/compact)
  sed -n 's/.*"encoded":"\([^"]*\)".*/\1/p' /tmp/compact | tr -d '\n' > /tmp/api-key
  printf '%s' "$id" > /tmp/api-key-id
  rm -f /tmp/response /tmp/compact
  if [ -z "$id" ] || [ ! -s /tmp/api-key ]; then echo "no id or encoded key in the answer" >&2; exit 1; fi
  printf '{"ids":["%s"],"owner":true}' "$id" > /tmp/invalidate.json
  # Until the Secret holds it, a failure invalidates the key again (no orphan per retry).
  trap "es DELETE /_security/api_key /tmp/invalidate.json > /dev/null || true" EXIT
  if ! create_secret "$1" "$2" api_key=/tmp/api-key id=/tmp/api-key-id ${"$"}{CA_FILE:+ca.crt=$CA_FILE}; then
    es DELETE /_security/api_key /tmp/invalidate.json > /dev/null
  fi
  trap - EXIT
  key_holds_privileges "$1" "$2" "$3" "$(cat /tmp/api-key)"
  rm -f /tmp/api-key /tmp/api-key-id /tmp/invalidate.json
}
# key_holds_privileges NAMESPACE SECRET NAME KEY: a key holds only what its owner holds, so
# one made by setup credentials without create_doc or auto_configure on the families could
# write nothing: fail, naming what is missing, instead of leaving the writer to fail later.
key_holds_privileges() {
  if ! authenticates_as "ApiKey $4" "/setup/privileges-$3.json"; then
    echo "the API key of Secret $1/$2 lacks privileges of /setup/privileges-$3.json: the setup credentials must hold them to grant them (ElasticsearchSetup.requiredPrivileges):" >&2
    cat /tmp/response >&2; echo >&2
    exit 1
  fi
}`;

/**
 * `authenticates_as HEADER [PRIVILEGES_FILE]`: 0 when a request with the Authorization
 * header HEADER (`ApiKey ...`, `Bearer ...`) authenticates (`GET /_security/_authenticate`)
 * and, with PRIVILEGES_FILE, holds every privilege it lists (`has_all_requested` of
 * `_has_privileges`, which needs no privilege of its own); the answer is in /tmp/response.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/security-api-has-privileges.html
 */
const AUTHENTICATES_AS_FUNCTION = String.raw`authenticates_as() {
  local code
  { grep '^cacert' /tmp/es-curl.conf || true; printf 'header = "Authorization: %s"\n' "$1"; } > /tmp/consumer-curl.conf
  code=$(curl --config /tmp/consumer-curl.conf --silent --show-error --max-time 30 --output /tmp/response --write-out '%{http_code}' "$ES/_security/_authenticate")
  if [ "$code" = 200 ] && [ $# -ge 2 ]; then
    code=$(curl --config /tmp/consumer-curl.conf --silent --show-error --max-time 30 --output /tmp/response --write-out '%{http_code}' \
      -X POST -H 'Content-Type: application/json' --data-binary "@$2" "$ES/_security/user/_has_privileges")
    tr -d ' \n' < /tmp/response > /tmp/compact
    if [ "$code" = 200 ] && ! grep -q '"has_all_requested":true' /tmp/compact; then code=403; fi
  fi
  rm -f /tmp/consumer-curl.conf
  [ "$code" = 200 ]
}`;

/**
 * `check_supplied_key NAMESPACE SECRET PRIVILEGES_FILE [ca.crt]` and
 * `check_supplied_token NAMESPACE SECRET [ca.crt]`: the Secret you supply must exist with
 * its keys, and its API key (or Kibana's token) must authenticate, the key with every
 * privilege the writer needs; else the Job fails, naming the Secret and what is wrong,
 * and retries.
 */
const CHECK_SUPPLIED_FUNCTION = String.raw`supplied_secret() {
  local key
  if ! secret_get "$1" "$2"; then
    echo "Secret $1/$2 is missing: create it with the keys $3 (consumerCredentials SUPPLIED: you make each consumer's credentials)" >&2
    exit 1
  fi
  for key in $3; do
    if [ -z "$(secret_key "$key")" ]; then echo "Secret $1/$2 has no key $key (it needs $3)" >&2; exit 1; fi
  done
}
check_supplied_key() {
  supplied_secret "$1" "$2" "api_key ${"$"}{4:-}"
  # Only base64 (the encoded form), no newline: Fluentd decodes it strictly, Fluent Bit sends it as it is.
  secret_key api_key > /tmp/supplied-key
  if [ "$(tr -d 'A-Za-z0-9+/=' < /tmp/supplied-key | wc -c)" -ne 0 ]; then
    rm -f /tmp/supplied-key
    echo "the api_key of Secret $1/$2 is not only base64 (a newline, or not the encoded form): store the encoded value alone (kubectl create secret generic ... --from-literal=api_key=<encoded>)" >&2
    exit 1
  fi
  rm -f /tmp/supplied-key
  if ! authenticates_as "ApiKey $(secret_key api_key)" "/setup/$3"; then
    echo "the api_key of Secret $1/$2 does not authenticate, or lacks privileges of /setup/$3 (it must be the encoded form):" >&2
    cat /tmp/response >&2; echo >&2
    exit 1
  fi
  echo "Secret $1/$2: its API key authenticates and may write its families"
}
check_supplied_token() {
  supplied_secret "$1" "$2" "token ${"$"}{3:-}"
  if ! authenticates_as "Bearer $(secret_key token)" || ! tr -d ' \n' < /tmp/response > /tmp/compact || ! grep -q '"username":"elastic/kibana"' /tmp/compact; then
    echo "the token of Secret $1/$2 does not authenticate as the elastic/kibana service account:" >&2
    cat /tmp/response >&2; echo >&2
    exit 1
  fi
  echo "Secret $1/$2: its token authenticates"
}`;
