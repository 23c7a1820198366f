import { ECS_POD_FIELDS, eventProcessors, sourceNamespace } from '../elasticsearch/ecs-processors';
import { IndexFieldType } from '../elasticsearch/index-template';
import { IngestCondition as C, IngestConvertType, IngestDateFormat, IngestProcessor as P } from '../elasticsearch/ingest-pipeline';
import type { SourceNormalization } from '../elasticsearch/security-index-templates';
import { DATASETS } from '../pipeline/index-families';

const K = IndexFieldType.KEYWORD;
const T = IndexFieldType.TEXT;
const B = IndexFieldType.BOOLEAN;
const I = IndexFieldType.INTEGER;
const FL = IndexFieldType.FLATTENED;

/**
 * The audit event's fields under `kubernetes.audit.*`, with the names and types of
 * Elastic's Kubernetes integration (`kubernetes` package, data stream `audit_logs`,
 * `fields/fields.yml`), which Elastic Security's prebuilt Kubernetes rules query.
 * Elastic maps `user.extra.*` as keyword leaves through a dynamic template; here it is
 * one `flattened` field, which matches the same keyed queries. Added to Elastic's:
 * `requestObject.roleRef.name` (the cluster-admin binding rule queries it, Elastic's
 * mapping lacks it) and `requestObject.roleRef.kind`, the init and ephemeral containers'
 * `securityContext.privileged` (the privileged-pod rule reads them), and `timestamp` of v1beta1 events.
 * @see https://github.com/elastic/integrations/blob/main/packages/kubernetes/data_stream/audit_logs/fields/fields.yml
 */
const AUDIT_FIELDS: { [field: string]: IndexFieldType } = {
  'apiVersion': K, 'kind': K, 'level': K, 'auditID': K, 'stage': K, 'requestURI': K, 'verb': K,
  'user.groups': T, 'user.username': K, 'user.uid': K, 'user.extra': FL,
  'impersonatedUser.groups': T, 'impersonatedUser.username': K, 'impersonatedUser.uid': K, 'impersonatedUser.extra': FL,
  'sourceIPs': T, 'userAgent': K,
  'objectRef.resource': K, 'objectRef.namespace': K, 'objectRef.name': K, 'objectRef.uid': K, 'objectRef.apiGroup': K,
  'objectRef.apiVersion': K, 'objectRef.resourceVersion': K, 'objectRef.subresource': K,
  'responseStatus.code': I, 'responseStatus.status': K, 'responseStatus.message': T, 'responseStatus.reason': K,
  'requestObject.spec.type': K, 'requestObject.spec.serviceAccountName': K, 'requestObject.spec.restartPolicy': K,
  'requestObject.spec.hostNetwork': B, 'requestObject.spec.hostIPC': B, 'requestObject.spec.hostPID': B,
  'requestObject.spec.volumes.hostPath': FL,
  'requestObject.spec.securityContext.runAsUser': I, 'requestObject.spec.securityContext.runAsGroup': I,
  'requestObject.spec.securityContext.runAsNonRoot': B,
  'requestObject.spec.containers.image': T, 'requestObject.spec.containers.volumeMounts': FL,
  'requestObject.spec.containers.securityContext.privileged': B,
  'requestObject.spec.containers.securityContext.allowPrivilegeEscalation': B,
  'requestObject.spec.containers.securityContext.runAsUser': I, 'requestObject.spec.containers.securityContext.runAsGroup': I,
  'requestObject.spec.containers.securityContext.runAsNonRoot': B, 'requestObject.spec.containers.securityContext.procMount': K,
  'requestObject.spec.containers.securityContext.capabilities.add': K,
  'requestObject.spec.initContainers.securityContext.privileged': B, 'requestObject.spec.ephemeralContainers.securityContext.privileged': B,
  'requestObject.rules': IndexFieldType.NESTED,
  'requestObject.roleRef.kind': K, 'requestObject.roleRef.name': K,
  'responseObject.spec.hostNetwork': B, 'responseObject.spec.hostIPC': B, 'responseObject.spec.hostPID': B,
  'responseObject.spec.volumes.hostPath': FL, 'responseObject.spec.restartPolicy': K,
  'responseObject.spec.containers.volumeMounts': FL, 'responseObject.spec.containers.securityContext.privileged': B,
  'responseObject.spec.containers.securityContext.allowPrivilegeEscalation': B,
  'responseObject.spec.containers.securityContext.runAsUser': I,
  'responseObject.rules': IndexFieldType.NESTED, 'responseObject.roleRef.kind': K,
  'requestReceivedTimestamp': IndexFieldType.DATE_NANOS, 'stageTimestamp': IndexFieldType.DATE_NANOS, 'timestamp': IndexFieldType.DATE_NANOS,
  'annotations.authorization_k8s_io/decision': K, 'annotations.authorization_k8s_io/reason': T,
};

/** The ECS fields the audit pipeline sets (Elastic's integration's, and the common ones of this library). */
const AUDIT_ECS_FIELDS: { [path: string]: IndexFieldType } = {
  'event.kind': K, 'event.category': K, 'event.type': K, 'event.action': K, 'event.outcome': K,
  'event.dataset': K, 'event.module': K,
  // Mapped so that the two rules that name it find the type they expect; like Elastic's
  // integration without preserve_original_event, the pipeline does not keep the line.
  'event.original': K,
  'user.name': K, 'user.id': K, 'user_agent.original': K, 'source.ip': IndexFieldType.IP, 'client.ip': IndexFieldType.IP,
  'orchestrator.api_version': K,
  ...ECS_POD_FIELDS,
};

/** The event's keys under `kubernetes.audit.*`; v1beta1's `metadata` is kept there unmapped. */
const OWN = sourceNamespace('kubernetes.audit', AUDIT_FIELDS, ['metadata']);

/** The mapping of the audit family: the event under `kubernetes.audit.*`, and the ECS fields. */
export const AUDIT_MAPPING: { [path: string]: IndexFieldType } = {
  ...OWN.mapping,
  ...AUDIT_ECS_FIELDS,
};

const A = (field: string) => `kubernetes.audit.${field}`;
/** The annotations Elastic's integration maps, with their dots made `_` (as its pipeline does). */
const ANNOTATIONS = ['authorization.k8s.io/decision', 'authorization.k8s.io/reason'];
const DECISION = A('annotations.authorization_k8s_io/decision');

/** Verbs as ECS `event.type` of the `api` category. */
const VERBS: Array<[string[], string]> = [
  [['create'], 'creation'],
  [['update', 'patch'], 'change'],
  [['delete', 'deletecollection'], 'deletion'],
  [['get', 'list', 'watch'], 'access'],
];

/**
 * How Kubernetes audit events are normalized, as Elastic's `audit_logs` pipeline does:
 * the event moves under `kubernetes.audit.*`, `event.action` is the verb, the
 * authorizer's decision is `event.outcome` (else the response code), `user.name`,
 * `user.id`, `user_agent.original`, `source.ip` and `client.ip` (the first of
 * `sourceIPs`); and the library's common fields: `event.category: api` with a type
 * by verb, the object as `orchestrator.*` and, for pods, `kubernetes.pod.name`.
 * Unlike Elastic's pipeline, `container.image.name` is not copied from
 * `requestObject.spec.containers.image`: `containers` is a list, which an ingest field
 * path cannot walk (the copy fails on every pod creation); the rules query the list
 * field itself. `requestObject.metadata.managedFields` is dropped (server-side apply bookkeeping,
 * often the largest part of an event); Elastic's integration drops all of both
 * bodies' `metadata`.
 * @see https://github.com/elastic/integrations/blob/main/packages/kubernetes/data_stream/audit_logs/elasticsearch/ingest_pipeline/default.yml
 */
export const AUDIT_NORMALIZATION: SourceNormalization = {
  processors: [
    ...OWN.processors,
    // dot_expander fails on a missing path: an event without annotations (a 401, some 403s) skips it.
    ...ANNOTATIONS.flatMap((key) => [
      P.dotExpander(key, A('annotations'), { when: C.isMap(A('annotations')) }),
      P.rename(A(`annotations.${key}`), A(`annotations.${key.replace(/\./g, '_')}`)),
    ]),
    P.remove([A('requestObject.metadata.managedFields'), A('responseObject.metadata.managedFields')]),
    // A custom resource's spec.type may be an object, which the keyword mapping would refuse (and lose the event).
    // A JSON patch's body is a list: nothing below reads into it.
    P.rename(A('requestObject.spec.type'), A('requestObject.spec.type_value'), {
      when: C.and(C.isMap(A('requestObject')), C.isMap(A('requestObject.spec')), C.present(A('requestObject.spec.type')), C.not(C.isString(A('requestObject.spec.type')))),
    }),
    P.date(A('timestamp'), '@timestamp', [IngestDateFormat.ISO8601]),
    P.date(A('stageTimestamp'), '@timestamp', [IngestDateFormat.ISO8601]),
    ...eventProcessors('event', 'kubernetes', DATASETS.audit),
    P.set('event.category', '["api"]'),
    ...VERBS.map(([verbs, type]) => P.set('event.type', JSON.stringify([type]), { when: C.oneOf(A('verb'), verbs) })),
    P.set('event.type', '["info"]', { override: false }),
    P.copy(A('verb'), 'event.action'),
    P.set('event.outcome', '"success"', { when: C.is(DECISION, 'allow') }),
    P.set('event.outcome', '"failure"', { when: C.is(DECISION, 'forbid') }),
    P.set('event.outcome', '"success"', { when: C.below(A('responseStatus.code'), 400), override: false }),
    P.set('event.outcome', '"failure"', { when: C.atLeast(A('responseStatus.code'), 400), override: false }),
    P.copy(A('user.username'), 'user.name'),
    P.copy(A('user.uid'), 'user.id'),
    P.copy(A('userAgent'), 'user_agent.original'),
    P.convert(A('sourceIPs'), IngestConvertType.IP, 'source.ip'),
    P.copy('source.ip', 'client.ip'),
    P.set('orchestrator.type', '"kubernetes"'),
    P.copy(A('objectRef.namespace'), 'orchestrator.namespace'),
    P.copy(A('objectRef.namespace'), 'kubernetes.namespace'),
    // The resource as the other sources name it: singular (pods is pod, networkpolicies networkpolicy).
    P.gsub(A('objectRef.resource'), '(ies)$', 'y', 'orchestrator.resource.type'),
    P.gsub('orchestrator.resource.type', '(ss|x|ch|sh)es$', '$1'),
    P.gsub('orchestrator.resource.type', '([^s])s$', '$1'),
    P.copy(A('objectRef.name'), 'orchestrator.resource.name'),
    P.copy(A('objectRef.apiVersion'), 'orchestrator.api_version'),
    P.copy(A('objectRef.name'), 'kubernetes.pod.name', { when: C.and(C.is(A('objectRef.resource'), 'pods'), C.absent(A('objectRef.subresource'))) }),
  ],
  checks: [
    {
      description: 'Kubernetes audit.k8s.io/v1: a Secret created (falcosecurity/falco test trace)',
      document: {
        'kind': 'Event', 'apiVersion': 'audit.k8s.io/v1', 'level': 'Metadata', 'auditID': '55a81824-ab56-46c5-8b02-96336f5e78d7', 'stage': 'ResponseComplete',
        'requestURI': '/api/v1/namespaces/default/secrets', 'verb': 'create',
        'user': { username: 'minikube-user', groups: ['system:masters', 'system:authenticated'] }, 'sourceIPs': ['192.168.64.1'],
        'userAgent': 'kubectl/v1.17.3 (darwin/amd64) kubernetes/06ad960',
        'objectRef': { resource: 'secrets', namespace: 'default', name: 'example-secret', apiVersion: 'v1' },
        'responseStatus': { metadata: {}, code: 201 },
        'requestReceivedTimestamp': '2020-04-21T17:57:05.541358Z', 'stageTimestamp': '2020-04-21T17:57:05.548299Z',
        'annotations': { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
        '@timestamp': '2020-04-21T17:57:05.548299000Z',
      },
      expected: {
        'event.action': 'create', 'event.outcome': 'success', 'event.type': ['creation'], 'user.name': 'minikube-user', 'source.ip': ['192.168.64.1'],
        'kubernetes.audit.annotations.authorization_k8s_io/decision': 'allow', 'kubernetes.audit.objectRef.resource': 'secrets',
        'orchestrator.namespace': 'default', 'user_agent.original': 'kubectl/v1.17.3 (darwin/amd64) kubernetes/06ad960',
      },
    },
    {
      description: 'an unauthenticated request (no annotations: the authorizer never ran)',
      document: {
        'kind': 'Event', 'apiVersion': 'audit.k8s.io/v1', 'level': 'Metadata', 'auditID': '0c1e2d3f-4a5b-4c6d-8e7f-901234567890', 'stage': 'ResponseStarted',
        'requestURI': '/api/v1/secrets', 'verb': 'list', 'user': { username: 'system:anonymous', groups: ['system:unauthenticated'] },
        'sourceIPs': ['203.0.113.9'], 'responseStatus': { metadata: {}, status: 'Failure', reason: 'Unauthorized', code: 401 },
        'requestReceivedTimestamp': '2026-07-29T15:00:00.100000Z', 'stageTimestamp': '2026-07-29T15:00:00.101000Z', '@timestamp': '2026-07-29T15:00:00.101000000Z',
      },
      expected: { 'event.outcome': 'failure', 'event.action': 'list', 'user.name': 'system:anonymous', 'source.ip': ['203.0.113.9'] },
    },
    {
      description: 'a JSON patch (its request body a list of operations)',
      document: {
        'kind': 'Event', 'apiVersion': 'audit.k8s.io/v1', 'level': 'RequestResponse', 'auditID': '1d2e3f40-5a6b-4c7d-9e8f-012345678901', 'stage': 'ResponseComplete',
        'requestURI': '/apis/apps/v1/namespaces/shop/deployments/web', 'verb': 'patch', 'user': { username: 'ops' }, 'sourceIPs': ['10.0.0.5'],
        'objectRef': { resource: 'deployments', namespace: 'shop', name: 'web', apiGroup: 'apps', apiVersion: 'v1' },
        'requestObject': [{ op: 'replace', path: '/spec/replicas', value: 3 }], 'responseStatus': { metadata: {}, code: 200 },
        'annotations': { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
        'stageTimestamp': '2026-07-29T15:00:01.000000Z', '@timestamp': '2026-07-29T15:00:01.000000000Z',
      },
      expected: { 'event.type': ['change'], 'event.outcome': 'success', 'orchestrator.resource.type': 'deployment', 'orchestrator.resource.name': 'web' },
    },
  ],
};
