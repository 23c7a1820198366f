import { ECS_POD_FIELDS, eventProcessors, podProcessors } from '../elasticsearch/ecs-processors';
import { IndexFieldType } from '../elasticsearch/index-template';
import { IngestCondition as C, IngestProcessor as P } from '../elasticsearch/ingest-pipeline';
import type { SourceNormalization } from '../elasticsearch/security-index-templates';
import { DATASETS } from './index-families';

const K = IndexFieldType.KEYWORD;

/**
 * The mapping of container logs: the line and its stream, the JSON payload, and the
 * workload in the `kubernetes.*` and `container.*` fields of Elastic's Kubernetes
 * integration (`kubernetes.pod.name`, `kubernetes.container.name`, ...).
 */
export const CONTAINER_LOG_MAPPING: { [path: string]: IndexFieldType } = {
  'message': IndexFieldType.MATCH_ONLY_TEXT,
  'stream': K,
  'payload': IndexFieldType.FLATTENED,
  'log.level': K,
  'event.kind': K, 'event.dataset': K, 'event.module': K,
  'kubernetes.container.name': K, 'kubernetes.pod.uid': K, 'kubernetes.pod.ip': IndexFieldType.IP, 'kubernetes.node.name': K,
  'kubernetes.namespace_uid': K, 'kubernetes.labels': IndexFieldType.FLATTENED, 'kubernetes.namespace_labels': IndexFieldType.FLATTENED,
  'kubernetes.annotations': IndexFieldType.FLATTENED,
  'container.id': K, 'container.image.name': K, 'container.image.hash.all': K, 'host.name': K,
  ...ECS_POD_FIELDS,
};

/** What each agent's Kubernetes metadata names a field (fluent-plugin-kubernetes_metadata_filter, Fluent Bit's kubernetes filter) and its ECS name. */
const METADATA: Array<[string, string]> = [
  ['kubernetes.container_name', 'kubernetes.container.name'],
  ['kubernetes.pod_id', 'kubernetes.pod.uid'],
  ['kubernetes.pod_ip', 'kubernetes.pod.ip'],
  ['kubernetes.host', 'kubernetes.node.name'],
  ['kubernetes.namespace_id', 'kubernetes.namespace_uid'],
  ['kubernetes.container_image', 'container.image.name'],
  ['kubernetes.container_image_id', 'container.image.hash.all'],
  ['docker.container_id', 'container.id'],
  ['kubernetes.docker_id', 'container.id'],
  ['kubernetes.container_hash', 'container.image.hash.all'],
];

/**
 * How container log lines are normalized: the agents' Kubernetes metadata fields get
 * the names of Elastic's Kubernetes integration; an application's JSON `level` is
 * `log.level`. The line stays in `message`, its JSON in `payload`.
 */
export const CONTAINER_NORMALIZATION: SourceNormalization = {
  processors: [
    ...podProcessors('kubernetes.namespace_name', 'kubernetes.pod_name'),
    P.remove(['kubernetes.namespace_name', 'kubernetes.pod_name', 'kubernetes.master_url']),
    ...METADATA.map(([from, to]) => P.rename(from, to, { when: C.absent(to) })),
    P.remove(['docker']),
    P.copy('kubernetes.node.name', 'host.name'),
    ...eventProcessors('event', 'kubernetes', DATASETS.containers),
    P.lowercase('payload.level', 'log.level', { when: C.isString('payload.level') }),
  ],
  checks: [
    {
      description: 'a JSON log line of a pod, with kubernetes_metadata (Fluentd)',
      document: {
        'message': '{"level":"WARN","msg":"slow request"}', 'stream': 'stdout', 'payload': { level: 'WARN', msg: 'slow request' },
        'docker': { container_id: '4e6de1a83332' },
        'kubernetes': { container_name: 'web', namespace_name: 'shop', pod_name: 'web-5b8d7c6f4-9hq2m', pod_id: '0f6c0f7a-6a1e-4d7e-9b9e-1c2d3e4f5a6b', host: 'worker-3', container_image: 'registry.example.com/shop/web:2.4.1', labels: { app: 'web' } },
        '@timestamp': '2026-07-29T15:41:07.907127734+00:00', 'tag': 'kubernetes.var.log.containers.web-5b8d7c6f4-9hq2m_shop_web-4e6de1a83332.log',
      },
      expected: {
        'kubernetes.pod.name': 'web-5b8d7c6f4-9hq2m', 'kubernetes.namespace': 'shop', 'kubernetes.container.name': 'web', 'kubernetes.node.name': 'worker-3',
        'container.id': '4e6de1a83332', 'container.image.name': 'registry.example.com/shop/web:2.4.1', 'log.level': 'warn', 'event.dataset': 'kubernetes.container_logs',
      },
    },
  ],
};
