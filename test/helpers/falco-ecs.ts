import { get } from './ingest-model';
import { ElasticsearchSetup } from '../../src';

/** The Falco family's ingest pipeline, as the setup Job puts it. */
export function falcoPipeline(setup: ElasticsearchSetup): any {
  const pipeline = setup.templates.find((t) => t.name === 'seclog-falco')?.pipeline;
  if (!pipeline) throw new Error('no Falco pipeline');
  return pipeline.toJson();
}

/**
 * The ECS fields each Falco sample must have after its agent and the family's ingest
 * pipeline, written from the samples themselves (test/fixtures/falco-alerts-0.44.jsonl,
 * then falco-events-legacy.jsonl), in file order. `null`: the field must be absent.
 */
export const FALCO_ECS_EXPECTED: Array<{ [field: string]: unknown }> = [
  // Falco 0.44.1, rules 5.x, with upstream's suggested output fields.
  { 'event.kind': 'alert', 'event.category': ['process'], 'event.type': ['start'], 'event.action': 'execve', 'event.severity': 2, 'rule.name': 'Terminal shell in container',
    'host.name': 'worker-2', 'process.name': 'sh', 'user.name': null, 'container.id': '4e6de1a83332', 'container.image.name': 'docker.io/nginxinc/nginx-unprivileged',
    'kubernetes.namespace': 'demo', 'kubernetes.pod.name': 'nginx-775678cbbd-q7ddt', 'orchestrator.type': 'kubernetes', '@timestamp': '2026-07-29T15:13:32.047577782Z' },
  { 'event.kind': 'alert', 'event.category': ['network'], 'event.type': ['connection'], 'event.action': 'connect', 'event.severity': 2, 'rule.name': 'Contact K8S API Server From Container',
    'host.name': 'worker-1', 'process.name': 'curl', 'user.name': 'curl_user', 'container.id': '7f3c2a9e1b4d', 'container.image.name': 'docker.io/curlimages/curl',
    'kubernetes.namespace': 'default', 'kubernetes.pod.name': 'api-client-6d9f7c9b8-x2x7k', 'orchestrator.type': 'kubernetes', '@timestamp': '2026-07-29T15:20:11.482913005Z' },
  { 'event.kind': 'alert', 'event.category': ['process'], 'event.type': ['start'], 'event.action': 'execve', 'event.severity': 5, 'rule.name': 'Drop and execute new binary in container',
    'host.name': 'worker-3', 'process.name': 'xmrig', 'user.name': 'root', 'container.id': 'b91d3c0e27aa', 'container.image.name': 'registry.example.com/shop/web',
    'kubernetes.namespace': 'shop', 'kubernetes.pod.name': 'web-5b8d7c6f4-9hq2m', 'orchestrator.type': 'kubernetes', '@timestamp': '2026-07-29T15:41:07.907127734Z' },
  // A process on the node itself: the container plugin's "host", no pod.
  { 'event.kind': 'alert', 'event.category': ['file'], 'event.type': ['access'], 'event.action': 'openat', 'event.severity': 3, 'rule.name': 'Read sensitive file untrusted',
    'host.name': 'worker-1', 'process.name': 'cat', 'user.name': 'root', 'container.id': null, 'container.image.name': null,
    'kubernetes.namespace': null, 'kubernetes.pod.name': null, 'orchestrator.type': null, '@timestamp': '2026-03-27T03:35:05.162396887Z' },
  { 'event.kind': 'event', 'event.category': ['host'], 'event.type': ['info'], 'event.action': null, 'event.severity': 0, 'rule.name': 'Falco internal: syscall event drop',
    'host.name': 'worker-1', 'process.name': null, 'container.id': null, 'kubernetes.pod.name': null, '@timestamp': '2026-07-29T15:30:02.118734552Z' },
  { 'event.kind': 'event', 'event.category': ['host'], 'event.type': ['info'], 'event.severity': 1, 'rule.name': 'Falco internal: metrics snapshot',
    'host.name': 'worker-1', '@timestamp': '2026-07-29T16:00:00.004512337Z' },
  // Older layouts (before 0.39, and 0.39+ without the suggested fields).
  { 'event.kind': 'alert', 'event.category': ['process'], 'event.type': ['info'], 'event.severity': 5, 'host.name': 'falco-xczjd', 'process.name': 'sh', 'user.name': 'root',
    'container.id': 'ee97d9c4186f', 'kubernetes.namespace': 'default', 'kubernetes.pod.name': 'kubecon', '@timestamp': '2023-05-25T13:44:05.478445995Z' },
  { 'event.kind': 'alert', 'event.severity': 2, 'host.name': null, 'process.name': 'sh', 'container.id': '5892b41bcf46', 'kubernetes.pod.name': 'alpine', '@timestamp': '2021-01-14T23:39:44.834631763Z' },
  { 'event.kind': 'alert', 'event.severity': 2, 'process.name': 'sh', 'container.id': 'cbd3133ccac6', 'kubernetes.namespace': 'default', '@timestamp': '2021-07-21T10:36:32.750441241Z' },
  // The k8saudit plugin's alerts: API requests.
  { 'event.kind': 'alert', 'event.category': ['api'], 'event.severity': 1, 'rule.name': 'K8s Serviceaccount Created', 'user.name': 'system:node:ip-192-168-34-135.ec2.internal',
    'kubernetes.namespace': 'default', 'kubernetes.pod.name': null, '@timestamp': '2023-05-10T14:09:17.699479000Z' },
  { 'event.kind': 'alert', 'event.category': ['api'], 'event.severity': 2, 'rule.name': 'Attach/Exec Pod', 'user.name': 'kubernetes-admin', 'kubernetes.namespace': 'default' },
  { 'event.kind': 'alert', 'event.category': ['api'], 'event.action': 'patch', 'event.severity': 3, 'user.name': 'csi-cinder-controller', 'kubernetes.namespace': null },
  { 'event.kind': 'alert', 'event.category': ['api'], 'event.severity': 2, 'user.name': 'kubernetes-admin', 'kubernetes.namespace': 'hello-app', 'host.name': 'my-pool-1-node-921b61' },
  { 'event.kind': 'event', 'event.category': ['host'], 'event.severity': 1, 'rule.name': 'Falco internal: metrics snapshot', 'host.name': 'test' },
];

/** `field: actual` for each expected field that differs (an absent field reads as null). */
export function ecsDifferences(doc: { [key: string]: any }, expected: { [field: string]: unknown }): string[] {
  return Object.entries(expected)
    .filter(([field, value]) => JSON.stringify(get(doc, field) ?? null) !== JSON.stringify(value))
    .map(([field]) => `${field}: ${JSON.stringify(get(doc, field) ?? null)}`);
}
