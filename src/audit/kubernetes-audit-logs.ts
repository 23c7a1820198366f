import { Construct } from 'constructs';
import { KubeApiServerAudit, addApiServerFiles } from './kube-apiserver-audit';
import { checkScope } from '../common/app-checks';
import { validateInstance } from '../common/validation';
import { DATASETS, IndexFamilyKind } from '../pipeline/index-families';
import { LogTimeFormat, requireLogAgent, ILogAgent } from '../pipeline/log-source';

/** Namespace part of the audit stream of cluster-scoped requests (no `objectRef.namespace`). */
export const AUDIT_NO_NAMESPACE = 'none';

/** Options of {@link KubernetesAuditLogs}, everything but the agent (what a chart passes through). */
export interface KubernetesAuditLogsOptions {
  /**
   * The API server's audit settings (policy, log file, rotation), whose files the App's
   * synth writes into `<outdir>/apiserver/`.
   * @default - new KubeApiServerAudit(): the production policy, `/var/log/kubernetes/audit/audit.log`
   */
  readonly audit?: KubeApiServerAudit;

  /**
   * Index family of the events. Where the agent can (Fluentd), each Kubernetes namespace
   * gets a data stream of its own, `<family>-<namespace>` (`none` for cluster-scoped
   * requests), unless the family is a `logs-<dataset>-<namespace>` stream.
   * @default - '<agent indexPrefix>-audit' (IndexNaming.DATA_STREAM: 'logs-kubernetes.audit_logs-<namespace>')
   */
  readonly indexName?: string;
}

/** Props of {@link KubernetesAuditLogs}. */
export interface KubernetesAuditLogsProps extends KubernetesAuditLogsOptions {
  /** The log agent that tails the audit log on the control-plane nodes. */
  readonly agent: ILogAgent;
}

/**
 * The Kubernetes API server's audit log, collected by the log agent on the control-plane
 * nodes (where the API server writes it with the settings of `audit`): one JSON event per
 * line, `stageTimestamp` as the event time, lines up to 4 MiB (RequestResponse events
 * carry whole objects), into the audit family, per namespace where the agent can.
 * @see https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#log-backend
 */
export class KubernetesAuditLogs extends Construct {
  /** The API server's audit settings. */
  public readonly audit: KubeApiServerAudit;
  /** Index family of the events. */
  public readonly indexName: string;

  constructor(scope: Construct, id: string, props: KubernetesAuditLogsProps) {
    super(scope, id);
    checkScope(this);
    const agent = requireLogAgent('kubernetes audit logs', props?.agent, 'tails the audit log on the control-plane nodes', "new KubernetesAuditLogs(this, 'AuditLogs', { agent: fluentd })");
    if (props.audit !== undefined) validateInstance('kubernetes audit logs audit', props.audit, KubeApiServerAudit, 'new KubeApiServerAudit({ policy })');
    this.audit = props.audit ?? new KubeApiServerAudit();
    this.indexName = props.indexName ?? agent.familyName('audit', DATASETS.audit);
    agent.addHostJsonFileSource({
      name: 'audit',
      tag: 'audit',
      path: this.audit.logPath,
      // metav1.MicroTime: UTC, six fractional digits, e.g. 2020-04-21T17:57:05.548299Z.
      time: { field: 'stageTimestamp', format: LogTimeFormat.RFC3339 },
      // RequestResponse events carry whole objects.
      maxLineBytes: 4 * 1024 ** 2,
      controlPlaneOnly: true,
      stream: { name: 'events', family: this.indexName, kind: IndexFamilyKind.AUDIT, prop: 'kubernetes audit logs indexName' },
      // One stream per namespace, as the source document routes them.
      split: { field: 'objectRef.namespace', missing: AUDIT_NO_NAMESPACE },
    });
    // `app.synth()` writes the policy, the flags and the kubeadm patches into <outdir>/apiserver/.
    addApiServerFiles(this, this.audit);
  }
}
