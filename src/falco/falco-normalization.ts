import { ECS_POD_FIELDS, podProcessors } from '../elasticsearch/ecs-processors';
import { IndexFieldType } from '../elasticsearch/index-template';
import { IngestCondition as C, IngestDateFormat, IngestProcessor as P } from '../elasticsearch/ingest-pipeline';
import type { SourceNormalization } from '../elasticsearch/security-index-templates';
import { DATASETS } from '../pipeline/index-families';

/**
 * The ECS fields of a Falco alert, as Elastic's `falco` integration names and types
 * them (elastic/integrations packages/falco, data stream `alerts`), set by the family's
 * ingest pipeline from the alert as either agent ships it: Falco's own fields at the
 * top level, `output_fields` keys de-dotted (`k8s.pod.name` is `k8s_pod_name`).
 * @see https://github.com/elastic/integrations/tree/main/packages/falco/data_stream/alerts
 */
export const FALCO_ECS_FIELDS: { [path: string]: IndexFieldType } = {
  'event.kind': IndexFieldType.KEYWORD,
  'event.category': IndexFieldType.KEYWORD,
  'event.type': IndexFieldType.KEYWORD,
  'event.action': IndexFieldType.KEYWORD,
  'event.severity': IndexFieldType.LONG,
  'event.dataset': IndexFieldType.KEYWORD,
  'event.module': IndexFieldType.KEYWORD,
  'event.provider': IndexFieldType.KEYWORD,
  'rule.name': IndexFieldType.KEYWORD,
  'observer.hostname': IndexFieldType.KEYWORD,
  'host.name': IndexFieldType.KEYWORD,
  'process.name': IndexFieldType.KEYWORD,
  'process.executable': IndexFieldType.KEYWORD,
  'process.command_line': IndexFieldType.WILDCARD,
  'process.working_directory': IndexFieldType.KEYWORD,
  'process.pid': IndexFieldType.LONG,
  'process.parent.name': IndexFieldType.KEYWORD,
  'process.parent.executable': IndexFieldType.KEYWORD,
  'process.user.name': IndexFieldType.KEYWORD,
  'user.name': IndexFieldType.KEYWORD,
  'container.id': IndexFieldType.KEYWORD,
  'container.name': IndexFieldType.KEYWORD,
  'container.image.name': IndexFieldType.KEYWORD,
  'container.image.tag': IndexFieldType.KEYWORD,
  'kubernetes.node.name': IndexFieldType.KEYWORD,
  ...ECS_POD_FIELDS,
};

/**
 * Falco's priorities as `event.severity`, Elastic's integration's numbers: higher is
 * worse (Emergency 7 to Debug 0), as for KubeArmor's severity, so that one range query
 * finds the serious events of every source.
 */
const SEVERITY: Array<[string, number]> = [
  ['Emergency', 7], ['Alert', 6], ['Critical', 5], ['Error', 4], ['Warning', 3], ['Notice', 2], ['Informational', 1], ['Debug', 0],
];

/** System calls by what they do (ECS `event.category` and `event.type`); anything else is a process event. */
const SYSCALL_CATEGORIES: Array<[string[], string, string]> = [
  [['execve', 'execveat'], 'process', 'start'],
  [['connect', 'accept', 'accept4', 'listen', 'bind', 'sendto', 'sendmsg', 'recvfrom', 'recvmsg'], 'network', 'connection'],
  [['open', 'openat', 'openat2'], 'file', 'access'],
  [['creat', 'mkdir', 'mkdirat', 'symlink', 'symlinkat', 'link', 'linkat'], 'file', 'creation'],
  [['unlink', 'unlinkat', 'rmdir'], 'file', 'deletion'],
  [['rename', 'renameat', 'renameat2', 'chmod', 'fchmod', 'fchmodat'], 'file', 'change'],
];

/** Falco's own fields, which the pipeline moves under `falco.*` (as Elastic's integration keeps them). */
const FALCO_FIELDS = ['time', 'rule', 'priority', 'source', 'output', 'output_fields', 'hostname', 'tags', 'uuid'];
const F = (field: string) => `falco.${field}`;
const OF = (field: string) => `falco.output_fields.${field}`;

/**
 * How Falco alerts are normalized: the ECS fields above, from Falco's fields and the
 * alert's output fields (the k8saudit plugin's `ka.*` ones too); Falco's own fields
 * move under `falco.*`. Falco's own alerts (`source: internal`, dropped system calls) are
 * host events, not alerts.
 */
export const FALCO_NORMALIZATION: SourceNormalization = {
  processors: [
    // Falco's fields make way for ECS: `rule` and `source` would clash with the rule.*
    // and source.* objects.
    ...FALCO_FIELDS.map((field) => P.rename(field, F(field))),
    P.date(F('time'), '@timestamp', [IngestDateFormat.ISO8601]),
    P.set('event.kind', '"alert"'),
    P.set('event.kind', '"event"', { when: C.is(F('source'), 'internal') }),
    P.set('event.module', '"falco"'),
    P.set('event.dataset', JSON.stringify(DATASETS.falco)),
    P.copy(F('source'), 'event.provider'),
    ...SYSCALL_CATEGORIES.flatMap(([calls, category, type]) => [
      P.set('event.category', JSON.stringify([category]), { when: C.oneOf(OF('evt_type'), calls) }),
      P.set('event.type', JSON.stringify([type]), { when: C.oneOf(OF('evt_type'), calls) }),
    ]),
    P.set('event.category', '["host"]', { when: C.is(F('source'), 'internal') }),
    // The k8saudit plugin's alerts are about API requests.
    P.set('event.category', '["api"]', { when: C.is(F('source'), 'k8s_audit') }),
    P.set('event.category', '["process"]', { override: false }),
    P.set('event.type', '["info"]', { override: false }),
    P.copy(OF('evt_type'), 'event.action'),
    P.copy(OF('ka_verb'), 'event.action'),
    ...SEVERITY.map(([priority, severity]) => P.set('event.severity', String(severity), { when: C.is(F('priority'), priority) })),
    P.copy(F('rule'), 'rule.name'),
    P.copy(F('hostname'), 'observer.hostname'),
    // Falco's hostname is the node's name (FALCO_HOSTNAME from the pod's spec.nodeName).
    P.copy(F('hostname'), 'host.name'),
    P.copy(F('hostname'), 'kubernetes.node.name'),
    P.copy(OF('proc_name'), 'process.name'),
    P.copy(OF('proc_exepath'), 'process.executable'),
    P.copy(OF('proc_cmdline'), 'process.command_line'),
    P.copy(OF('proc_cwd'), 'process.working_directory'),
    P.copy(OF('proc_pid'), 'process.pid'),
    P.copy(OF('proc_pname'), 'process.parent.name'),
    P.copy(OF('proc_pexepath'), 'process.parent.executable'),
    P.copy(OF('user_name'), 'process.user.name'),
    P.copy(OF('user_name'), 'user.name'),
    P.copy(OF('ka_user_name'), 'user.name'),
    // The container plugin names a process on the node itself container "host".
    ...[['container_id', 'container.id'], ['container_name', 'container.name'], ['container_image_repository', 'container.image.name'], ['container_image_tag', 'container.image.tag']]
      .map(([from, to]) => P.copy(OF(from), to, { when: C.not(C.is(OF('container_id'), 'host')) })),
    ...podProcessors(OF('k8s_ns_name'), OF('k8s_pod_name')),
    P.copy(OF('ka_target_namespace'), 'orchestrator.namespace', { override: false }),
    P.copy(OF('ka_target_namespace'), 'kubernetes.namespace', { override: false }),
  ],
  checks: [
    {
      description: 'Falco 0.44.1, rules 5.x: Terminal shell in container, with the suggested output fields',
      document: {
        'hostname': 'worker-2', 'priority': 'Notice', 'rule': 'Terminal shell in container', 'source': 'syscall', 'time': '2026-07-29T15:13:32.047577782Z',
        'tags': ['T1059', 'container', 'maturity_stable', 'mitre_execution', 'shell'],
        'output_fields': {
          container_id: '4e6de1a83332', container_image_repository: 'docker.io/nginxinc/nginx-unprivileged', container_image_tag: '1.29.8-alpine', container_name: 'nginx',
          evt_type: 'execve', k8s_ns_name: 'demo', k8s_pod_name: 'nginx-775678cbbd-q7ddt', proc_cmdline: 'sh -c tty; id', proc_exepath: '/bin/busybox', proc_name: 'sh', user_uid: 101,
        },
        '@timestamp': '2026-07-29T15:13:32.047577782Z',
      },
      expected: {
        'event.kind': 'alert', 'event.category': ['process'], 'event.type': ['start'], 'event.action': 'execve', 'event.severity': 2,
        'rule.name': 'Terminal shell in container', 'host.name': 'worker-2', 'process.name': 'sh', 'container.id': '4e6de1a83332',
        'kubernetes.namespace': 'demo', 'kubernetes.pod.name': 'nginx-775678cbbd-q7ddt',
      },
    },
    {
      description: 'Falco 0.44.1: its own alert of dropped system calls',
      document: {
        'hostname': 'worker-1', 'priority': 'Debug', 'rule': 'Falco internal: syscall event drop', 'source': 'internal', 'time': '2026-07-29T15:30:02.118734552Z',
        'output': 'Falco internal: syscall event drop. 24511 system calls dropped in last second.',
        'output_fields': { ebpf_enabled: '1', n_drops: '24511', n_evts: '182344' }, '@timestamp': '2026-07-29T15:30:02.118734552Z',
      },
      expected: { 'event.kind': 'event', 'event.category': ['host'], 'event.severity': 0, 'host.name': 'worker-1' },
    },
  ],
};
