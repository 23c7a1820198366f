import { AUTH_FIELDS, SYSLOG_SEVERITY_FIELDS, authProcessors, eventProcessors, sourceNamespace, syslogSeverityProcessors } from '../elasticsearch/ecs-processors';
import { IndexFieldType } from '../elasticsearch/index-template';
import { IngestConvertType, IngestProcessor as P } from '../elasticsearch/ingest-pipeline';
import type { SourceNormalization } from '../elasticsearch/security-index-templates';
import { DATASETS } from '../pipeline/index-families';

const K = IndexFieldType.KEYWORD;
const L = IndexFieldType.LONG;

/**
 * The journal's own fields, kept under `journald.*` with their journal names, as both
 * agents ship them (string values; the long ones are numbers in the journal).
 * @see https://www.freedesktop.org/software/systemd/man/latest/systemd.journal-fields.html
 */
const JOURNAL_FIELDS: { [field: string]: IndexFieldType } = {
  'PRIORITY': L, 'SYSLOG_FACILITY': L, 'SYSLOG_IDENTIFIER': K, 'SYSLOG_PID': K, 'MESSAGE_ID': K,
  '_PID': L, '_UID': L, '_GID': L, '_COMM': K, '_EXE': K, '_CMDLINE': K, '_TRANSPORT': K,
  '_SYSTEMD_UNIT': K, '_SYSTEMD_SLICE': K, '_SYSTEMD_CGROUP': K, '_SYSTEMD_INVOCATION_ID': K, '_SYSTEMD_SESSION': K, '_SYSTEMD_OWNER_UID': L,
  '_AUDIT_SESSION': K, '_AUDIT_LOGINUID': L, '_HOSTNAME': K, '_MACHINE_ID': K, '_BOOT_ID': K, '_SOURCE_REALTIME_TIMESTAMP': L,
};

/**
 * Fields of common entries that are kept under `journald.*` but not mapped (in `_source`
 * only), so that no journal field is left at the top level among the ECS fields.
 */
const UNMAPPED = [
  'SYSLOG_TIMESTAMP', 'SYSLOG_RAW', 'CODE_FILE', 'CODE_LINE', 'CODE_FUNC', 'ERRNO', 'TID', 'INVOCATION_ID', 'UNIT', 'USER_UNIT',
  'JOB_ID', 'JOB_TYPE', 'JOB_RESULT', 'SESSION_ID', 'LEADER', 'USER_ID', '_CAP_EFFECTIVE', '_SELINUX_CONTEXT', '_STREAM_ID',
  '_SYSTEMD_USER_UNIT', '_SYSTEMD_USER_SLICE', '_RUNTIME_SCOPE', '_SOURCE_MONOTONIC_TIMESTAMP', '_SOURCE_BOOTTIME_TIMESTAMP',
  '_KERNEL_DEVICE', '_KERNEL_SUBSYSTEM', '_UDEV_SYSNAME', '_UDEV_DEVNODE', '_LINE_BREAK', '_NAMESPACE',
];

const OWN = sourceNamespace('journald', JOURNAL_FIELDS, UNMAPPED);

/**
 * The mapping of the node journal: its fields under `journald.*`, and the ECS fields, with
 * logins and `sudo` as Elastic's `system` integration (`auth` data stream) names them.
 */
export const JOURNAL_MAPPING: { [path: string]: IndexFieldType } = {
  ...OWN.mapping,
  'message': IndexFieldType.MATCH_ONLY_TEXT,
  'event.kind': K, 'event.dataset': K, 'event.module': K, ...SYSLOG_SEVERITY_FIELDS,
  'log.syslog.facility.code': L, 'log.syslog.appname': K,
  'host.name': K, 'host.id': K, 'host.boot.id': K,
  'process.name': K, 'process.pid': L, 'process.executable': K, 'process.command_line': IndexFieldType.WILDCARD,
  'systemd.unit': K, 'systemd.transport': K,
  ...AUTH_FIELDS,
};

const J = (field: string) => `journald.${field}`;

/**
 * How journal entries are normalized: the message is `message`, the journal's fields move
 * under `journald.*`; `@timestamp` is the entry's journal time (when journald received
 * it, to the microsecond), which both agents give the record, as Elastic's journald input
 * does; the host, program and unit are ECS (`process.name` is the syslog
 * command name journald recorded, else the syslog identifier, and only the former makes an
 * entry a login or sudo command: anyone can claim `sshd` as an identifier); `PRIORITY` is
 * `log.level` and `event.severity` (7 - PRIORITY: higher is worse, as for Falco); sshd
 * logins and sudo commands get the fields of Elastic's `system` integration.
 */
export const JOURNAL_NORMALIZATION: SourceNormalization = {
  processors: [
    P.rename('MESSAGE', 'message'),
    ...OWN.processors,
    ...eventProcessors('event', 'system', DATASETS.journal),
    ...syslogSeverityProcessors(J('PRIORITY'), ['0', '1', '2', '3', '4', '5', '6', '7']),
    P.convert(J('SYSLOG_FACILITY'), IngestConvertType.LONG, 'log.syslog.facility.code'),
    P.copy(J('SYSLOG_IDENTIFIER'), 'log.syslog.appname'),
    // _COMM is journald's own (trusted: from the sender's /proc), SYSLOG_IDENTIFIER the
    // sender's claim (`logger -t sshd` by anyone), as Elastic's journald pipeline reads them.
    P.copy(J('_COMM'), 'process.name'),
    P.copy(J('SYSLOG_IDENTIFIER'), 'process.name', { override: false }),
    P.convert(J('_PID'), IngestConvertType.LONG, 'process.pid'),
    P.copy(J('_EXE'), 'process.executable'),
    P.copy(J('_CMDLINE'), 'process.command_line'),
    P.copy(J('_HOSTNAME'), 'host.name'),
    P.copy(J('_MACHINE_ID'), 'host.id'),
    P.copy(J('_BOOT_ID'), 'host.boot.id'),
    P.copy(J('_SYSTEMD_UNIT'), 'systemd.unit'),
    P.copy(J('_TRANSPORT'), 'systemd.transport'),
    // Logins and sudo only from the programs journald saw send them.
    ...authProcessors('message', J('_COMM')),
  ],
  checks: [
    {
      description: 'an sshd login in the journal (syslog transport, facility auth)',
      document: {
        'MESSAGE': 'Accepted publickey for ops from 10.0.0.5 port 50122 ssh2: ED25519 SHA256:Hk3h', 'PRIORITY': '6', 'SYSLOG_FACILITY': '4',
        'SYSLOG_IDENTIFIER': 'sshd', '_COMM': 'sshd', '_PID': '2123', '_HOSTNAME': 'worker-1', '_TRANSPORT': 'syslog', '_SYSTEMD_UNIT': 'ssh.service',
        '_SOURCE_REALTIME_TIMESTAMP': '1785337801123456', '@timestamp': '2026-07-29T15:10:01.123511000Z',
      },
      expected: {
        '@timestamp': '2026-07-29T15:10:01.123511000Z', 'journald._SOURCE_REALTIME_TIMESTAMP': '1785337801123456', 'event.category': ['authentication', 'session'], 'event.outcome': 'success', 'event.action': 'ssh_login',
        'user.name': 'ops', 'source.ip': '10.0.0.5', 'process.name': 'sshd', 'process.pid': 2123, 'host.name': 'worker-1', 'event.severity': 1, 'log.level': 'info',
      },
    },
    {
      description: 'a kubelet line (stdout transport) at priority err',
      document: {
        'MESSAGE': 'Started kubelet', 'PRIORITY': '3', '_COMM': 'kubelet', '_PID': '812', '_HOSTNAME': 'worker-2', '_TRANSPORT': 'stdout',
        '_SYSTEMD_UNIT': 'kubelet.service', '@timestamp': '2026-07-29T15:10:02.000000000Z',
      },
      expected: {
        '@timestamp': '2026-07-29T15:10:02.000000000Z', 'process.name': 'kubelet', 'systemd.unit': 'kubelet.service', 'event.severity': 4, 'log.level': 'err',
        'event.dataset': 'system.journal',
      },
    },
  ],
};
