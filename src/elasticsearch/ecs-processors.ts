import { IndexFieldType } from './index-template';
import { IngestCondition, IngestConvertType, IngestProcessor } from './ingest-pipeline';

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
 * What every family's ingest pipeline adds besides its source's fields: the ingest time,
 * the cluster, the data stream fields, and the marks a document a processor failed on
 * gets (so that they can be found and read: the templates map nothing dynamically).
 */
export const PIPELINE_FIELDS: { [path: string]: IndexFieldType } = {
  'event.ingested': IndexFieldType.DATE,
  'orchestrator.cluster.name': IndexFieldType.KEYWORD,
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

/** The fields {@link authProcessors} sets, with the names and types of Elastic's `system` integration. */
export const AUTH_FIELDS: { [path: string]: IndexFieldType } = {
  'event.category': IndexFieldType.KEYWORD, 'event.type': IndexFieldType.KEYWORD, 'event.action': IndexFieldType.KEYWORD, 'event.outcome': IndexFieldType.KEYWORD,
  'user.name': IndexFieldType.KEYWORD, 'user.effective.name': IndexFieldType.KEYWORD,
  'source.ip': IndexFieldType.IP, 'source.port': IndexFieldType.LONG,
  'system.auth.ssh.event': IndexFieldType.KEYWORD, 'system.auth.ssh.method': IndexFieldType.KEYWORD, 'system.auth.ssh.signature': IndexFieldType.KEYWORD,
  'system.auth.sudo.error': IndexFieldType.KEYWORD, 'system.auth.sudo.tty': IndexFieldType.KEYWORD, 'system.auth.sudo.pwd': IndexFieldType.KEYWORD,
  'system.auth.sudo.user': IndexFieldType.KEYWORD, 'system.auth.sudo.command': IndexFieldType.KEYWORD,
};

/** An IPv4 or IPv6 address (what sshd prints after "from"); a host name is not taken as one. */
const IP_ADDRESS = '(?:\\d{1,3}(?:\\.\\d{1,3}){3}|[0-9a-fA-F]*:[0-9a-fA-F:.]+)';

/**
 * sshd logins and sudo commands in a node's log message, as Elastic's `system`
 * integration reads them (its `auth` pipeline's sshd and sudo patterns, here within
 * the grok subset): the login's `event.category` `authentication` (and `session` when
 * accepted), `event.outcome`, `user.name`, `source.ip` and `source.port`; a sudo
 * command's user, its target user (`user.effective.name`) and command.
 * @see https://github.com/elastic/integrations/tree/main/packages/system/data_stream/auth
 */
export function authProcessors(messageField: string, programField: string): IngestProcessor[] {
  // OpenSSH 9.8+ logs the logins as sshd-session.
  const sshd = IngestCondition.oneOf(programField, ['sshd', 'sshd-session']);
  const sudo = IngestCondition.is(programField, 'sudo');
  const event = 'system.auth.ssh.event';
  return [
    IngestProcessor.grok(messageField, [
      '^%{WORD:system.auth.ssh.event} %{NOTSPACE:system.auth.ssh.method} for (?:invalid user )?%{USERNAME:user.name} from %{IPADDRESS:source.ip} port %{POSINT:source.port} ssh2(?:: %{GREEDYDATA:system.auth.ssh.signature})?$',
      '^%{WORD:system.auth.ssh.event} user %{USERNAME:user.name} from %{IPADDRESS:source.ip}',
    ], { IPADDRESS: IP_ADDRESS }, { when: sshd }),
    IngestProcessor.convert('source.port', IngestConvertType.LONG),
    IngestProcessor.set('event.category', '["authentication", "session"]', { when: IngestCondition.is(event, 'Accepted') }),
    IngestProcessor.set('event.category', '["authentication"]', { when: IngestCondition.oneOf(event, ['Failed', 'Invalid']) }),
    IngestProcessor.set('event.type', '["info"]', { when: IngestCondition.oneOf(event, ['Accepted', 'Failed', 'Invalid']) }),
    IngestProcessor.set('event.action', '"ssh_login"', { when: IngestCondition.oneOf(event, ['Accepted', 'Failed', 'Invalid']) }),
    IngestProcessor.set('event.outcome', '"success"', { when: IngestCondition.is(event, 'Accepted') }),
    IngestProcessor.set('event.outcome', '"failure"', { when: IngestCondition.oneOf(event, ['Failed', 'Invalid']) }),
    IngestProcessor.grok(messageField, [
      '^\\s*%{USERNAME:user.name} :(?: %{DATA:system.auth.sudo.error} ;)? TTY=%{DATA:system.auth.sudo.tty} ; PWD=%{DATA:system.auth.sudo.pwd} ; USER=%{DATA:system.auth.sudo.user} ; COMMAND=%{GREEDYDATA:system.auth.sudo.command}$',
    ], {}, { when: sudo }),
    IngestProcessor.copy('system.auth.sudo.user', 'user.effective.name'),
    IngestProcessor.set('event.category', '["process"]', { when: IngestCondition.present('system.auth.sudo.command') }),
    IngestProcessor.set('event.type', '["start"]', { when: IngestCondition.present('system.auth.sudo.command') }),
    IngestProcessor.set('event.action', '"sudo"', { when: IngestCondition.present('system.auth.sudo.command') }),
    IngestProcessor.set('event.outcome', '"failure"', { when: IngestCondition.present('system.auth.sudo.error') }),
    IngestProcessor.set('event.outcome', '"success"', { when: IngestCondition.present('system.auth.sudo.command'), override: false }),
  ];
}

/** Syslog severities by code (0 most severe), as ECS `log.level` writes them (RFC 5424 keywords). */
const SYSLOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

/** The fields {@link syslogSeverityProcessors} sets. */
export const SYSLOG_SEVERITY_FIELDS: { [path: string]: IndexFieldType } = {
  'log.syslog.severity.code': IndexFieldType.LONG, 'log.level': IndexFieldType.KEYWORD, 'event.severity': IndexFieldType.LONG,
};

/**
 * A syslog severity as ECS: `log.syslog.severity.code`, `log.level` and `event.severity`
 * (7 minus the code: higher is worse, as for Falco and KubeArmor). `values[i]` is how the
 * source writes severity `i` in `field` (the journal's `PRIORITY` "0" to "7", fluentd's
 * names `emerg` to `debug`).
 */
export function syslogSeverityProcessors(field: string, values: string[]): IngestProcessor[] {
  return values.flatMap((value, code) => [
    IngestProcessor.set('log.syslog.severity.code', String(code), { when: IngestCondition.is(field, value) }),
    IngestProcessor.set('log.level', JSON.stringify(SYSLOG_LEVELS[code]), { when: IngestCondition.is(field, value) }),
    IngestProcessor.set('event.severity', String(7 - code), { when: IngestCondition.is(field, value) }),
  ]);
}

/** `event.kind`, `event.module` and `event.dataset` of every document of a source. */
export function eventProcessors(kind: string, module: string, dataset: string): IngestProcessor[] {
  return [
    IngestProcessor.set('event.kind', JSON.stringify(kind)),
    IngestProcessor.set('event.module', JSON.stringify(module)),
    IngestProcessor.set('event.dataset', JSON.stringify(dataset)),
  ];
}

/**
 * A source's own fields kept under `prefix.` (`kubearmor.PolicyName`), as Elastic's
 * integrations keep theirs: their mapping there, and the renames that move a document's
 * top-level keys there (with `unmappedKeys`, keys kept but not mapped).
 */
export function sourceNamespace(prefix: string, fields: { [field: string]: IndexFieldType }, unmappedKeys: string[] = []): {
  readonly mapping: { [path: string]: IndexFieldType };
  readonly processors: IngestProcessor[];
} {
  const keys = [...new Set([...Object.keys(fields).map((f) => f.split('.')[0]), ...unmappedKeys])];
  return {
    mapping: Object.fromEntries(Object.entries(fields).map(([f, t]) => [`${prefix}.${f}`, t])),
    processors: keys.map((key) => IngestProcessor.rename(key, `${prefix}.${key}`)),
  };
}
