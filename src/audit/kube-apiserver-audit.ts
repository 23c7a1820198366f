import { Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';
import { AuditPolicy } from './audit-policy';
import { addSideFiles } from '../common/side-files';
import { validateInteger } from '../common/validation';

/** The folder beside the manifests for the control-plane files (`kubectl apply -f dist/` does not descend into it). */
export const API_SERVER_FOLDER = 'apiserver';

/** The kubeadm configuration API versions the API server patch is written for. */
export enum KubeadmApiVersion {
  /** Kubernetes 1.22 to 1.30 (still read by later releases). */
  V1BETA3 = 'kubeadm.k8s.io/v1beta3',
  /** Kubernetes 1.31 and later: `extraArgs` is a list of name/value pairs. */
  V1BETA4 = 'kubeadm.k8s.io/v1beta4',
}

/** Props of {@link KubeApiServerAudit}. */
export interface KubeApiServerAuditProps {
  /**
   * The policy the API server applies.
   * @default AuditPolicy.production()
   */
  readonly policy?: AuditPolicy;

  /**
   * Where the policy file lives on control-plane nodes (`--audit-policy-file`).
   * @default '/etc/kubernetes/audit/policy.yaml'
   */
  readonly policyPath?: string;

  /**
   * Where the API server writes audit events (`--audit-log-path`); the log agent
   * tails this file. Must be under /var/log, which the agent mounts.
   * @default '/var/log/kubernetes/audit/audit.log'
   */
  readonly logPath?: string;

  /**
   * Days to keep rotated files (`--audit-log-maxage`).
   * @default 30
   */
  readonly maxAgeDays?: number;

  /**
   * Rotated files to keep (`--audit-log-maxbackup`).
   * @default 10
   */
  readonly maxBackups?: number;

  /**
   * Size in megabytes at which the file is rotated (`--audit-log-maxsize`).
   * @default 100
   */
  readonly maxSizeMegabytes?: number;
}

/**
 * Audit logging for the kube-apiserver: the policy file and the API server's flags,
 * as a plain flag list and as kubeadm `ClusterConfiguration` patches. None of it is
 * a Kubernetes object (`kubectl apply` rejects a Policy): it is written beside the
 * manifests, for the control-plane nodes. Defaults follow the CIS Kubernetes
 * Benchmark (1.2.16 to 1.2.19): JSON log, 30 days, 10 backups, 100 MB.
 *
 * @see https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#log-backend
 * @see https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/
 * @see https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/control-plane-flags/
 */
export class KubeApiServerAudit {
  /** The policy. */
  public readonly policy: AuditPolicy;
  /** `--audit-policy-file`. */
  public readonly policyPath: string;
  /** `--audit-log-path`. */
  public readonly logPath: string;
  /** `--audit-log-maxage`. */
  public readonly maxAgeDays: number;
  /** `--audit-log-maxbackup`. */
  public readonly maxBackups: number;
  /** `--audit-log-maxsize`. */
  public readonly maxSizeMegabytes: number;

  constructor(props: KubeApiServerAuditProps = {}) {
    this.policy = props.policy ?? AuditPolicy.production();
    this.policyPath = props.policyPath ?? '/etc/kubernetes/audit/policy.yaml';
    this.logPath = props.logPath ?? '/var/log/kubernetes/audit/audit.log';
    validatePath('audit policyPath', this.policyPath);
    validatePath('audit logPath', this.logPath);
    if (!this.logPath.startsWith('/var/log/')) {
      throw new Error(`audit logPath must be under /var/log/ (the log agent mounts /var/log), got ${JSON.stringify(this.logPath)}`);
    }
    if (dirname(this.policyPath) === dirname(this.logPath)) {
      throw new Error('audit policyPath and logPath must be in different directories: the policy directory is mounted read-only');
    }
    this.maxAgeDays = props.maxAgeDays ?? 30;
    this.maxBackups = props.maxBackups ?? 10;
    this.maxSizeMegabytes = props.maxSizeMegabytes ?? 100;
    validateInteger('audit maxAgeDays', this.maxAgeDays, 1);
    validateInteger('audit maxBackups', this.maxBackups, 1);
    validateInteger('audit maxSizeMegabytes', this.maxSizeMegabytes, 1);
  }

  /** The kube-apiserver flags, name and value, in order. */
  public get flagValues(): { [flag: string]: string } {
    return {
      'audit-policy-file': this.policyPath,
      'audit-log-path': this.logPath,
      'audit-log-format': 'json',
      'audit-log-maxage': String(this.maxAgeDays),
      'audit-log-maxbackup': String(this.maxBackups),
      'audit-log-maxsize': String(this.maxSizeMegabytes),
    };
  }

  /** The kube-apiserver flags as command-line arguments. */
  public flags(): string[] {
    return Object.entries(this.flagValues).map(([name, value]) => `--${name}=${value}`);
  }

  /**
   * A kubeadm ClusterConfiguration patch: `apiServer.extraArgs` and the two host
   * mounts the static pod needs (the policy read-only, the log directory writable).
   */
  public kubeadmClusterConfiguration(apiVersion: KubeadmApiVersion): string {
    const extraArgs = apiVersion === KubeadmApiVersion.V1BETA4
      ? Object.entries(this.flagValues).map(([name, value]) => ({ name, value }))
      : this.flagValues;
    return Yaml.stringify({
      apiVersion,
      kind: 'ClusterConfiguration',
      apiServer: {
        extraArgs,
        extraVolumes: [
          { name: 'audit-policy', hostPath: this.policyPath, mountPath: this.policyPath, readOnly: true, pathType: 'File' },
          { name: 'audit-log', hostPath: dirname(this.logPath), mountPath: dirname(this.logPath), readOnly: false, pathType: 'DirectoryOrCreate' },
        ],
      },
    });
  }

  /** The files for a control-plane node, by file name. */
  public files(): { [file: string]: string } {
    return {
      'audit-policy.yaml': this.policy.render(),
      'kube-apiserver-flags.txt': this.flags().join('\n') + '\n',
      'kubeadm-v1beta4-cluster-configuration.yaml': this.kubeadmClusterConfiguration(KubeadmApiVersion.V1BETA4),
      'kubeadm-v1beta3-cluster-configuration.yaml': this.kubeadmClusterConfiguration(KubeadmApiVersion.V1BETA3),
      'README.md': [
        '# kube-apiserver audit logging',
        '',
        'These files are for the control-plane nodes, not for `kubectl apply` (which rejects a Policy):',
        '',
        `1. Copy \`audit-policy.yaml\` to \`${this.policyPath}\` on every control-plane node.`,
        `2. Add the flags in \`kube-apiserver-flags.txt\` to the kube-apiserver (on kubeadm clusters, merge`,
        '   `kubeadm-v1beta4-cluster-configuration.yaml` (Kubernetes 1.31+) or the v1beta3 file into your',
        '   ClusterConfiguration, which also mounts the policy and the log directory into the static pod).',
        `3. The log agent tails \`${this.logPath}\` on control-plane nodes and indexes the events.`,
        '',
        ...(this.policy.warnings.length === 0
          ? ['The policy passed the lint without warnings.', '']
          : ['Lint warnings about the policy:', '', ...this.policy.warnings.map((w) => `- ${w.message}`), '']),
      ].join('\n'),
    };
  }
}

/**
 * Has the App's synth write the audit files into `<outdir>/apiserver/` and print the
 * policy's lint warnings: called by the log agent that collects the audit log.
 */
export function addApiServerFiles(agent: IConstruct, audit: KubeApiServerAudit): void {
  addSideFiles(agent, API_SERVER_FOLDER, () => ({
    files: audit.files(),
    warnings: audit.policy.warnings.map((w) => `audit policy: ${w.message}`),
  }));
}

function dirname(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

function validatePath(prop: string, path: string): void {
  if (typeof path !== 'string' || !/^(\/[A-Za-z0-9._-]+)+$/.test(path)) {
    throw new Error(`${prop} must be an absolute file path of letters, digits, '.', '_' and '-', got ${JSON.stringify(path)}`);
  }
}
