import { IndexFieldType } from './index-template';
import { IngestCondition, IngestProcessor } from './ingest-pipeline';

/**
 * The Kubernetes workload of an event in ECS (`orchestrator.*`, as Elastic's
 * integrations set it) and in the `kubernetes.*` fields of Elastic's Kubernetes
 * integration, so that one query pivots across every source.
 */
export const ECS_POD_FIELDS: { [path: string]: IndexFieldType } = {
  'orchestrator.type': IndexFieldType.KEYWORD,
  'orchestrator.namespace': IndexFieldType.KEYWORD,
  'orchestrator.resource.type': IndexFieldType.KEYWORD,
  'orchestrator.resource.name': IndexFieldType.KEYWORD,
  'kubernetes.namespace': IndexFieldType.KEYWORD,
  'kubernetes.pod.name': IndexFieldType.KEYWORD,
};

/**
 * What every family with an ingest pipeline maps besides its own fields: the ingest
 * time, and the marks a document a processor failed on gets (so that they can be found
 * and read: the templates map nothing dynamically).
 */
export const PIPELINE_FIELDS: { [path: string]: IndexFieldType } = {
  'event.ingested': IndexFieldType.DATE,
  'data_stream.type': IndexFieldType.CONSTANT_KEYWORD,
  'data_stream.dataset': IndexFieldType.CONSTANT_KEYWORD,
  'data_stream.namespace': IndexFieldType.CONSTANT_KEYWORD,
  'error.message': IndexFieldType.MATCH_ONLY_TEXT,
  'tags': IndexFieldType.KEYWORD,
};

/** Sets {@link ECS_POD_FIELDS} from a source's namespace and pod name fields. */
export function podProcessors(namespaceField: string, podField: string): IngestProcessor[] {
  return [
    IngestProcessor.copy(namespaceField, 'orchestrator.namespace'),
    IngestProcessor.copy(namespaceField, 'kubernetes.namespace'),
    IngestProcessor.copy(podField, 'orchestrator.resource.name'),
    IngestProcessor.copy(podField, 'kubernetes.pod.name'),
    IngestProcessor.set('orchestrator.resource.type', '"pod"', { when: IngestCondition.present(podField) }),
    IngestProcessor.set('orchestrator.type', '"kubernetes"', { when: IngestCondition.present(podField) }),
  ];
}
