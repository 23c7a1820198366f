import { ECS_POD_FIELDS, eventProcessors, podProcessors, sourceNamespace } from '../elasticsearch/ecs-processors';
import { IndexFieldType } from '../elasticsearch/index-template';
import { IngestCondition as C, IngestDateFormat, IngestProcessor as P } from '../elasticsearch/ingest-pipeline';
import type { SourceNormalization } from '../elasticsearch/security-index-templates';
import { DATASETS } from './index-families';

const K = IndexFieldType.KEYWORD;
const L = IndexFieldType.LONG;

/**
 * A Kubernetes Event's own fields, kept under `kubernetes.event.*` (as Elastic's
 * Kubernetes integration keeps its events there): `source.*` and `type` would clash
 * with ECS.
 */
const EVENT_FIELDS: { [field: string]: IndexFieldType } = {
  'kind': K, 'apiVersion': K, 'metadata.name': K, 'metadata.namespace': K, 'metadata.uid': K, 'metadata.resourceVersion': K,
  'metadata.creationTimestamp': IndexFieldType.DATE, 'metadata.labels': IndexFieldType.FLATTENED, 'metadata.annotations': IndexFieldType.FLATTENED,
  'involvedObject.kind': K, 'involvedObject.namespace': K, 'involvedObject.name': K, 'involvedObject.uid': K,
  'involvedObject.apiVersion': K, 'involvedObject.resourceVersion': K, 'involvedObject.fieldPath': K,
  'reason': K, 'message': IndexFieldType.MATCH_ONLY_TEXT, 'type': K, 'count': L,
  'firstTimestamp': IndexFieldType.DATE, 'lastTimestamp': IndexFieldType.DATE, 'eventTime': IndexFieldType.DATE_NANOS,
  'source.component': K, 'source.host': K, 'reportingComponent': K, 'reportingInstance': K, 'action': K,
  'series.count': L, 'series.lastObservedTime': IndexFieldType.DATE_NANOS, 'related': IndexFieldType.FLATTENED,
};

const OWN = sourceNamespace('kubernetes.event', EVENT_FIELDS);

/** The mapping of Kubernetes events: the Event under `kubernetes.event.*`, and the ECS fields. */
export const KUBERNETES_EVENT_MAPPING: { [path: string]: IndexFieldType } = {
  ...OWN.mapping,
  'message': IndexFieldType.MATCH_ONLY_TEXT, 'log.level': K,
  'event.kind': K, 'event.category': K, 'event.type': K, 'event.action': K, 'event.dataset': K, 'event.module': K,
  'kubernetes.node.name': K, 'host.name': K,
  ...ECS_POD_FIELDS,
};

const E = (field: string) => `kubernetes.event.${field}`;

/**
 * How Kubernetes events (Fluent Bit's `kubernetes_events` input) are normalized: the
 * Event moves under `kubernetes.event.*`; its newest time is `@timestamp`; the reason
 * is `event.action`, a `Warning` is `log.level: warning`; the object it is about is
 * `orchestrator.*` (and `kubernetes.pod.name` for pods).
 */
export const KUBERNETES_EVENT_NORMALIZATION: SourceNormalization = {
  processors: [
    ...OWN.processors,
    // From the oldest to the newest time the Event carries: the last that is set wins.
    P.date(E('metadata.creationTimestamp'), '@timestamp', [IngestDateFormat.ISO8601]),
    P.date(E('firstTimestamp'), '@timestamp', [IngestDateFormat.ISO8601]),
    P.date(E('lastTimestamp'), '@timestamp', [IngestDateFormat.ISO8601]),
    P.date(E('eventTime'), '@timestamp', [IngestDateFormat.ISO8601]),
    P.date(E('series.lastObservedTime'), '@timestamp', [IngestDateFormat.ISO8601]),
    ...eventProcessors('event', 'kubernetes', DATASETS.kubernetesEvents),
    P.set('event.category', '["configuration"]'),
    P.set('event.type', '["info"]'),
    P.copy(E('reason'), 'event.action'),
    P.copy(E('message'), 'message'),
    P.set('log.level', '"warning"', { when: C.is(E('type'), 'Warning') }),
    P.set('log.level', '"info"', { when: C.is(E('type'), 'Normal') }),
    ...podProcessors(E('involvedObject.namespace'), E('involvedObject.name')),
    // podProcessors names any object a pod; correct the type from the Event's kind.
    P.lowercase(E('involvedObject.kind'), 'orchestrator.resource.type', { when: C.present(E('involvedObject.kind')) }),
    P.remove(['kubernetes.pod.name'], { when: C.not(C.is(E('involvedObject.kind'), 'Pod')) }),
    P.copy(E('source.host'), 'kubernetes.node.name'),
    P.copy(E('source.host'), 'host.name'),
  ],
  checks: [
    {
      description: 'a Warning Event of a pod (BackOff), as Fluent Bit\'s kubernetes_events input ships it',
      document: {
        'kind': 'Event', 'apiVersion': 'v1', 'metadata': { name: 'web-5b8d7c6f4-9hq2m.17f1', namespace: 'shop', creationTimestamp: '2026-07-29T15:40:00Z' },
        'involvedObject': { kind: 'Pod', namespace: 'shop', name: 'web-5b8d7c6f4-9hq2m', fieldPath: 'spec.containers{web}' },
        'reason': 'BackOff', 'message': 'Back-off restarting failed container web in pod web-5b8d7c6f4-9hq2m_shop', 'type': 'Warning', 'count': 7,
        'firstTimestamp': '2026-07-29T15:40:00Z', 'lastTimestamp': '2026-07-29T15:52:10Z', 'source': { component: 'kubelet', host: 'worker-3' },
        '@timestamp': '2026-07-29T15:52:10.000000000Z',
      },
      expected: {
        'event.action': 'BackOff', 'log.level': 'warning', 'kubernetes.pod.name': 'web-5b8d7c6f4-9hq2m', 'orchestrator.resource.type': 'pod',
        'kubernetes.node.name': 'worker-3', 'kubernetes.event.reason': 'BackOff', '@timestamp': '2026-07-29T15:52:10.000000000Z',
      },
    },
  ],
};
