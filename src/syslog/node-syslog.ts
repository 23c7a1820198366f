import { Construct } from 'constructs';
import { checkScope } from '../common/app-checks';
import { DATASETS, IndexFamilyKind } from '../pipeline/index-families';
import { ILogAgent, SyslogMode, SyslogSource, isUnixSyslogMode, requireLogAgent, validateSyslogSource } from '../pipeline/log-source';

/** Options of {@link NodeSyslog}, everything but the agent (what a chart passes through). */
export interface NodeSyslogOptions {
  /**
   * Transport. Fluentd's syslog input listens on UDP or TCP only (no Unix socket).
   * @default SyslogMode.UNIX_UDP
   */
  readonly mode?: SyslogMode;

  /**
   * Host port, for UDP and TCP.
   * @default 5140
   */
  readonly port?: number;

  /**
   * Mode of the Unix socket (`unix_perm`, octal). rsyslog that drops privileges to the
   * `syslog` user (Ubuntu's default) needs `'0666'`, or run it as root.
   * @default '0600' (root only)
   */
  readonly socketMode?: string;

  /**
   * The message format: RFC 3164 (rsyslog's default forwarding format), else RFC 5424.
   * @default true
   */
  readonly rfc3164?: boolean;

  /**
   * Index family of the messages.
   * @default - '<agent indexPrefix>-syslog' (IndexNaming.DATA_STREAM: 'logs-system.syslog-<namespace>')
   */
  readonly indexName?: string;
}

/** Props of {@link NodeSyslog}. */
export interface NodeSyslogProps extends NodeSyslogOptions {
  /** The log agent whose syslog input the nodes' syslog daemons forward to. */
  readonly agent: ILogAgent;
}

/**
 * The nodes' syslog, forwarded by each node's syslog daemon (rsyslog) to the log agent on
 * the same node (README snippet), into its own family, with sshd logins and sudo in the
 * ECS fields of Elastic's `system` integration. The node journal ({@link NodeJournal})
 * reads the same programs without reconfiguring the nodes; this is for nodes whose syslog
 * daemon holds what the journal does not.
 */
export class NodeSyslog extends Construct {
  /** Index family of the messages. */
  public readonly indexName: string;
  /** Where the agent listens: the socket path on the node, or `udp:<port>` / `tcp:<port>`. */
  public readonly address: string;

  constructor(scope: Construct, id: string, props: NodeSyslogProps) {
    super(scope, id);
    checkScope(this);
    const agent = requireLogAgent('node syslog', props?.agent, 'receives the nodes\' syslog', "new NodeSyslog(this, 'Syslog', { agent: fluentBit })");
    const mode = props.mode ?? SyslogMode.UNIX_UDP;
    const unix = isUnixSyslogMode(mode);
    this.indexName = props.indexName ?? agent.familyName('syslog', DATASETS.syslog);
    const source: SyslogSource = {
      name: 'syslog',
      tag: 'syslog',
      mode,
      port: props.port ?? (unix ? undefined : 5140),
      socketMode: props.socketMode ?? (unix ? '0600' : undefined),
      rfc3164: props.rfc3164 ?? true,
      stream: { name: 'messages', family: this.indexName, kind: IndexFamilyKind.SYSLOG, prop: 'node syslog indexName' },
    };
    // The props' own names in the errors (the agent checks the declaration again).
    validateSyslogSource('node syslog', source);
    this.address = agent.addSyslogSource(source);
  }
}
