import { AUTH_FIELDS, SYSLOG_SEVERITY_FIELDS, authProcessors, eventProcessors, sourceNamespace, syslogSeverityProcessors } from '../elasticsearch/ecs-processors';
import { IndexFieldType } from '../elasticsearch/index-template';
import { IngestCondition as C, IngestConvertType, IngestProcessor as P } from '../elasticsearch/ingest-pipeline';
import type { SourceNormalization } from '../elasticsearch/security-index-templates';
import { DATASETS } from '../pipeline/index-families';

const K = IndexFieldType.KEYWORD;

/**
 * The fields the agents' syslog parsers split a message into, under `syslog.*`: Fluent
 * Bit's stock parsers keep the PRI (`pri`), fluentd's input turns it into `facility` and
 * `severity` names.
 */
const OWN = sourceNamespace('syslog', { pri: K, facility: K, severity: K, host: K, ident: K, pid: K, msgid: K, extradata: IndexFieldType.TEXT });

/** fluentd's syslog input's severity names (in_syslog.rb SEVERITY_MAP), by code. */
const FLUENTD_SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

/**
 * The mapping of node syslog: the message as Fluent Bit's stock syslog parsers split it,
 * kept under `syslog.*`, and the ECS fields, with logins and `sudo` as Elastic's
 * `system` integration (`auth` data stream) names them.
 */
export const SYSLOG_MAPPING: { [path: string]: IndexFieldType } = {
  ...OWN.mapping,
  'message': IndexFieldType.MATCH_ONLY_TEXT, 'log.syslog.priority': IndexFieldType.LONG,
  'log.syslog.facility.name': K, 'log.syslog.severity.name': K, ...SYSLOG_SEVERITY_FIELDS,
  'event.kind': K, 'event.dataset': K, 'event.module': K,
  'host.name': K, 'process.name': K, 'process.pid': IndexFieldType.LONG,
  ...AUTH_FIELDS,
};

const S = (field: string) => `syslog.${field}`;

/**
 * How node syslog lines are normalized: the parser's fields move under `syslog.*`; the
 * host, program and pid are ECS; sshd logins and sudo commands get
 * `event.category: authentication` (or `process` for sudo), `user.name`, `source.ip`
 * and `event.outcome`, with the patterns of Elastic's `system` integration.
 */
export const SYSLOG_NORMALIZATION: SourceNormalization = {
  processors: [
    ...OWN.processors,
    ...eventProcessors('event', 'system', DATASETS.syslog),
    P.convert(S('pri'), IngestConvertType.LONG, 'log.syslog.priority'),
    // fluentd: the priority as names (Fluent Bit keeps the PRI number only).
    P.copy(S('facility'), 'log.syslog.facility.name'),
    P.copy(S('severity'), 'log.syslog.severity.name'),
    ...syslogSeverityProcessors(S('severity'), FLUENTD_SEVERITIES),
    P.copy(S('host'), 'host.name'),
    P.copy(S('ident'), 'process.name'),
    // RFC 5424 writes "-" for no PROCID.
    P.convert(S('pid'), IngestConvertType.LONG, 'process.pid', { when: C.not(C.is(S('pid'), '-')) }),
    ...authProcessors('message', 'process.name'),
  ],
  checks: [
    {
      description: 'an sshd login rsyslog forwards (RFC 3164)',
      document: {
        'pri': '38', 'host': 'worker-1', 'ident': 'sshd', 'pid': '2123', 'message': 'Accepted publickey for ops from 10.0.0.5 port 50122 ssh2: ED25519 SHA256:Hk3h',
        '@timestamp': '2026-07-29T15:10:01.000000000Z',
      },
      expected: {
        'event.category': ['authentication', 'session'], 'event.outcome': 'success', 'event.action': 'ssh_login', 'user.name': 'ops', 'source.ip': '10.0.0.5',
        'process.name': 'sshd', 'process.pid': 2123, 'host.name': 'worker-1',
      },
    },
    {
      description: 'an RFC 5424 line without a PROCID ("-")',
      document: { 'pri': '30', 'host': 'worker-2', 'ident': 'kubelet', 'pid': '-', 'msgid': '-', 'message': 'Started kubelet', '@timestamp': '2026-07-29T15:10:02.000000000Z' },
      expected: { 'process.name': 'kubelet', 'host.name': 'worker-2', 'log.syslog.priority': 30, 'event.dataset': 'system.syslog' },
    },
    {
      description: 'an sshd login through fluentd\'s syslog input (the priority as names)',
      document: {
        'facility': 'auth', 'severity': 'info', 'host': 'worker-3', 'ident': 'sshd', 'pid': '2200', 'message': 'Failed password for root from 198.51.100.7 port 40022 ssh2',
        '@timestamp': '2026-07-29T15:10:03.000000000Z',
      },
      expected: {
        'log.syslog.facility.name': 'auth', 'log.syslog.severity.name': 'info', 'log.syslog.severity.code': 6, 'log.level': 'info', 'event.severity': 1,
        'event.outcome': 'failure', 'user.name': 'root', 'source.ip': '198.51.100.7', 'process.pid': 2200,
      },
    },
  ],
};
