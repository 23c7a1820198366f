import { ECS_POD_FIELDS, podProcessors, sourceNamespace } from '../elasticsearch/ecs-processors';
import { IndexFieldType } from '../elasticsearch/index-template';
import { IngestCondition as C, IngestConvertType, IngestDateFormat, IngestProcessor as P } from '../elasticsearch/ingest-pipeline';
import type { SourceNormalization } from '../elasticsearch/security-index-templates';
import { DATASETS } from '../pipeline/index-families';

const K = IndexFieldType.KEYWORD;
const L = IndexFieldType.LONG;

/**
 * KubeArmor's own fields, kept under `kubearmor.*` with the names and types the relay
 * prints (Elastic has no KubeArmor integration: the ECS fields below are set by analogy).
 * @see https://docs.kubearmor.io/kubearmor/documentation/kubearmor-events
 */
const KUBEARMOR_FIELDS: { [field: string]: IndexFieldType } = {
  'Timestamp': L, 'UpdatedTime': IndexFieldType.DATE, 'ClusterName': K, 'HostName': K, 'HostIP': IndexFieldType.IP,
  'NamespaceName': K, 'Owner.Ref': K, 'Owner.Name': K, 'Owner.Namespace': K, 'PodName': K, 'Labels': K,
  'ContainerID': K, 'ContainerName': K, 'ContainerImage': K, 'HostPPID': L, 'HostPID': L, 'PPID': L, 'PID': L, 'UID': L,
  'ParentProcessName': K, 'ProcessName': K, 'PolicyName': K, 'Severity': K, 'Tags': K, 'ATags': K,
  'Message': IndexFieldType.TEXT, 'Type': K, 'Source': K, 'Operation': K, 'Resource': IndexFieldType.TEXT, 'Data': IndexFieldType.TEXT,
  'Enforcer': K, 'Action': K, 'Result': K, 'Cwd': K, 'TTY': K, 'Level': K, 'KubeArmorVersion': K,
  'MaxAlertsPerSec': L, 'DroppingAlertsInterval': L, 'NodeID': K, 'UserName': K, 'EventData': IndexFieldType.FLATTENED,
  'ExecEvent.ExecID': K, 'ExecEvent.ExecutableName': K,
};

/** KubeArmor's fields under `kubearmor.*` (`Owner` and `ExecEvent` are objects the relay prints). */
const OWN = sourceNamespace('kubearmor', KUBEARMOR_FIELDS);

/** The ECS fields the KubeArmor pipeline sets. */
const KUBEARMOR_ECS_FIELDS: { [path: string]: IndexFieldType } = {
  'event.kind': K, 'event.category': K, 'event.type': K, 'event.action': K, 'event.outcome': K, 'event.severity': L,
  'event.dataset': K, 'event.module': K,
  'rule.name': K, 'message': IndexFieldType.MATCH_ONLY_TEXT, 'log.level': K,
  'host.name': K, 'host.ip': IndexFieldType.IP,
  'process.name': K, 'process.executable': K, 'process.command_line': IndexFieldType.WILDCARD, 'process.pid': L,
  'process.parent.pid': L, 'process.parent.executable': K, 'process.working_directory': K, 'user.id': K,
  'file.path': K,
  'container.id': K, 'container.name': K, 'container.image.name': K, 'kubernetes.node.name': K,
  ...ECS_POD_FIELDS,
};

/** The mapping of the KubeArmor families: KubeArmor's fields under `kubearmor.*`, and the ECS fields. */
export const KUBEARMOR_MAPPING: { [path: string]: IndexFieldType } = {
  ...OWN.mapping,
  ...KUBEARMOR_ECS_FIELDS,
};

const F = (field: string) => `kubearmor.${field}`;

/** KubeArmor's operations as ECS `event.category` and `event.type`. */
const OPERATIONS: Array<[string[], string, string]> = [
  [['Process'], 'process', 'start'],
  [['File'], 'file', 'access'],
  [['Network', 'NetworkFirewall'], 'network', 'connection'],
  [['Capabilities', 'Syscall'], 'process', 'info'],
];

const ALERT = C.or(C.present(F('PolicyName')), C.present(F('Action')));
const MESSAGE = C.present(F('Level'));

/**
 * How KubeArmor's alerts, logs and messages are normalized: its fields move under
 * `kubearmor.*`; the event's own time (`UpdatedTime`, else the Unix `Timestamp`) is
 * `@timestamp`; an event a policy matched is an alert, `Block` a failure; `Severity`
 * ("1" to "10", empty for DefaultPosture) is `event.severity`.
 */
export const KUBEARMOR_NORMALIZATION: SourceNormalization = {
  processors: [
    ...OWN.processors,
    P.date(F('Timestamp'), '@timestamp', [IngestDateFormat.UNIX]),
    P.date(F('UpdatedTime'), '@timestamp', [IngestDateFormat.ISO8601]),
    P.set('event.module', '"kubearmor"'),
    P.set('event.kind', '"event"'),
    P.set('event.kind', '"alert"', { when: ALERT }),
    P.set('event.dataset', JSON.stringify(DATASETS.kubeArmorLogs)),
    P.set('event.dataset', JSON.stringify(DATASETS.kubeArmorAlerts), { when: ALERT }),
    P.set('event.dataset', JSON.stringify(DATASETS.kubeArmorMessages), { when: C.and(C.not(ALERT), MESSAGE) }),
    ...OPERATIONS.flatMap(([operations, category, type]) => [
      P.set('event.category', JSON.stringify([category]), { when: C.oneOf(F('Operation'), operations) }),
      P.set('event.type', JSON.stringify([type]), { when: C.oneOf(F('Operation'), operations) }),
    ]),
    P.set('event.category', '["host"]', { override: false }),
    P.set('event.type', '["info"]', { override: false }),
    P.lowercase(F('Action'), 'event.action', { when: C.present(F('Action')) }),
    P.lowercase(F('Operation'), 'event.action', { when: C.and(C.absent(F('Action')), C.present(F('Operation'))) }),
    P.set('event.outcome', '"failure"', { when: C.or(C.is(F('Action'), 'Block'), C.contains(F('Result'), 'denied')) }),
    P.set('event.outcome', '"success"', { when: C.is(F('Result'), 'Passed'), override: false }),
    ...Array.from({ length: 10 }, (_, i) => P.set('event.severity', String(i + 1), { when: C.is(F('Severity'), String(i + 1)) })),
    P.copy(F('PolicyName'), 'rule.name'),
    P.copy(F('Message'), 'message'),
    P.lowercase(F('Level'), 'log.level', { when: C.present(F('Level')) }),
    P.copy(F('HostName'), 'host.name'),
    P.copy(F('HostName'), 'kubernetes.node.name'),
    P.copy(F('HostIP'), 'host.ip'),
    P.copy(F('ProcessName'), 'process.executable'),
    // The program's file name: what follows the last "/".
    P.grok(F('ProcessName'), ['^(?:.*/)?%{BASENAME:process.name}$'], { BASENAME: '[^/]+' }),
    P.copy(F('Resource'), 'process.command_line', { when: C.is(F('Operation'), 'Process') }),
    P.copy(F('Resource'), 'file.path', { when: C.is(F('Operation'), 'File') }),
    P.copy(F('PID'), 'process.pid'),
    P.copy(F('PPID'), 'process.parent.pid'),
    P.copy(F('ParentProcessName'), 'process.parent.executable'),
    P.copy(F('Cwd'), 'process.working_directory'),
    P.convert(F('UID'), IngestConvertType.STRING, 'user.id'),
    P.copy(F('ContainerID'), 'container.id'),
    P.copy(F('ContainerName'), 'container.name'),
    P.copy(F('ContainerImage'), 'container.image.name'),
    ...podProcessors(F('NamespaceName'), F('PodName')),
  ],
  checks: [
    {
      description: 'KubeArmor relay: a Block alert of a package manager started in a container',
      document: {
        'Timestamp': 1686475183, 'UpdatedTime': '2023-06-11T09:19:43.451704Z', 'ClusterName': 'default', 'HostName': 'ip-172-31-24-142',
        'NamespaceName': 'default', 'PodName': 'nginx-8f458dc5b-fl42t', 'Labels': 'app=nginx', 'ContainerName': 'nginx',
        'ContainerID': '8762eafc25a35ab90089f79703b86659989e8e547c2c029fb60f55d884355000', 'PID': 792, 'PPID': 786,
        'ParentProcessName': '/bin/dash', 'ProcessName': '/usr/bin/apt', 'PolicyName': 'block-pkg-mgmt-tools-exec', 'Severity': '1',
        'Type': 'MatchedPolicy', 'Source': '/bin/dash', 'Operation': 'Process', 'Resource': '/usr/bin/apt update', 'Data': 'syscall=SYS_EXECVE',
        'Enforcer': 'BPFLSM', 'Action': 'Block', 'Result': 'Permission denied', '@timestamp': '2023-06-11T09:19:43.451704000Z',
      },
      expected: {
        'event.kind': 'alert', 'event.category': ['process'], 'event.type': ['start'], 'event.action': 'block', 'event.outcome': 'failure',
        'event.severity': 1, 'rule.name': 'block-pkg-mgmt-tools-exec', 'process.name': 'apt', 'process.pid': 792,
        'kubernetes.pod.name': 'nginx-8f458dc5b-fl42t', 'kubearmor.Type': 'MatchedPolicy',
      },
    },
    {
      description: 'KubeArmor: its own message',
      document: {
        'Timestamp': 1672910974, 'UpdatedTime': '2023-01-05T09:29:34.451346Z', 'ClusterName': 'default', 'HostName': 'node-1', 'HostIP': '10.0.0.1',
        'Type': 'Message', 'Level': 'INFO', 'Message': 'Started to monitor system events', '@timestamp': '2023-01-05T09:29:34.451346000Z',
      },
      expected: { 'event.kind': 'event', 'event.dataset': 'kubearmor.messages', 'event.category': ['host'], 'log.level': 'info', 'host.name': 'node-1' },
    },
  ],
};
