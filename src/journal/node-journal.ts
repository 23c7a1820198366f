import { Construct } from 'constructs';
import { checkScope } from '../common/app-checks';
import { DATASETS, IndexFamilyKind } from '../pipeline/index-families';
import { ILogAgent, JOURNAL_DIRECTORIES, JournalMatch, requireLogAgent, validateJournalMatches } from '../pipeline/log-source';

/**
 * The journal entries read by default: what the node's syslog would write to its auth
 * log (facilities auth 4 and authpriv 10: sshd, sudo, su, login, useradd, passwd, PAM),
 * which is what Elastic's `system` integration reads from the journal for its `auth`
 * data stream, and the kubelet and container runtime services.
 */
const DEFAULT_MATCHES: JournalMatch[] = [
  { field: 'SYSLOG_FACILITY', value: '4' },
  { field: 'SYSLOG_FACILITY', value: '10' },
  { field: '_SYSTEMD_UNIT', value: 'kubelet.service' },
  { field: '_SYSTEMD_UNIT', value: 'containerd.service' },
  { field: '_SYSTEMD_UNIT', value: 'crio.service' },
];

/** Options of {@link NodeJournal}, everything but the agent (what a chart passes through). */
export interface NodeJournalOptions {
  /**
   * Index family of the entries.
   * @default - '<agent indexPrefix>-journal' (IndexNaming.DATA_STREAM: 'logs-system.journal-<namespace>')
   */
  readonly indexName?: string;

  /**
   * The journal directory on the nodes: `/var/log/journal`, where journald keeps a
   * persistent journal (Ubuntu, Debian, Amazon Linux 2023, Container-Optimized OS,
   * Flatcar), or `/run/log/journal` for a volatile one (journald's `Storage=volatile`, or
   * `auto` without `/var/log/journal`). On a node without it the agents read an empty
   * directory (an init container links the journal, or an empty directory, into the
   * agent's state directory; `/run/log/journal` is made in the node's tmpfs).
   * @default '/var/log/journal'
   */
  readonly path?: string;

  /**
   * The entries read: those that meet any of these (an entry field's exact value).
   * @default - NodeJournal.defaultMatches(): facilities auth and authpriv, and the kubelet, containerd and CRI-O units
   */
  readonly matches?: JournalMatch[];
}

/** Props of {@link NodeJournal}. */
export interface NodeJournalProps extends NodeJournalOptions {
  /** The log agent that reads the journal on every node. */
  readonly agent: ILogAgent;
}

/**
 * The nodes' own system log, read from the systemd journal by the log agent on every node
 * (no rsyslog to configure): logins, `sudo` and the other auth-facility programs, the
 * kubelet and the container runtime, into their own family, with the ECS fields of
 * Elastic's `system` integration for sshd and sudo.
 * @see https://www.freedesktop.org/software/systemd/man/latest/systemd-journald.service.html
 */
export class NodeJournal extends Construct {
  /**
   * The entries read by default (any of them): syslog facilities auth (4) and authpriv (10),
   * what a node's syslog writes to its auth log and what Elastic's `system` integration reads
   * from the journal; the units `kubelet.service`, `containerd.service` and `crio.service`.
   * A copy: extend it for `matches`.
   */
  public static defaultMatches(): JournalMatch[] {
    return DEFAULT_MATCHES.map((m) => ({ ...m }));
  }

  /** Index family of the entries. */
  public readonly indexName: string;
  /** The journal directory read on each node. */
  public readonly path: string;
  private readonly _matches: JournalMatch[];

  constructor(scope: Construct, id: string, props: NodeJournalProps) {
    super(scope, id);
    checkScope(this);
    const agent = requireLogAgent('node journal', props?.agent, 'reads the journal on every node', "new NodeJournal(this, 'Journal', { agent: fluentd })");
    this.path = props.path ?? '/var/log/journal';
    if (!JOURNAL_DIRECTORIES.includes(this.path)) {
      throw new Error(`node journal path must be one of ${JOURNAL_DIRECTORIES.join(', ')} (where journald writes), got ${JSON.stringify(this.path)}`);
    }
    const matches = props.matches ?? DEFAULT_MATCHES;
    validateJournalMatches('node journal matches', matches);
    this._matches = matches.map((m) => ({ field: m.field, value: m.value }));
    this.indexName = props.indexName ?? agent.familyName('journal', DATASETS.journal);
    agent.addJournalSource({
      name: 'journal',
      tag: 'journal',
      path: this.path,
      matches: this.matches,
      stream: { name: 'entries', family: this.indexName, kind: IndexFamilyKind.JOURNAL, prop: 'node journal indexName' },
    });
  }

  /** The entries read (any of these matches). */
  public get matches(): JournalMatch[] {
    return this._matches.map((m) => ({ ...m }));
  }
}
