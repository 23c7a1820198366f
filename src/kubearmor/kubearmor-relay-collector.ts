import { Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { addSideFiles } from '../common/side-files';
import { validateDnsLabel } from '../common/validation';
import { checkScope } from '../common/app-checks';
import { DATASETS, IndexFamilyKind } from '../pipeline/index-families';
import { ILogAgent, LogTimeFormat, requireLogAgent } from '../pipeline/log-source';

/** The folder beside the manifests for the relay patches (`kubectl apply -f dist/` does not descend into it). */
export const KUBEARMOR_FOLDER = 'kubearmor';

/** Index families of the KubeArmor event kinds. */
export interface KubeArmorIndexNames {
  /**
   * Alerts: events a policy matched (they carry `PolicyName` or `Action`).
   * @default - '<agent indexPrefix>-kubearmor-alerts' (IndexNaming.DATA_STREAM: 'logs-kubearmor.alerts-<namespace>')
   */
  readonly alerts?: string;

  /**
   * Logs: system events KubeArmor observed (`ContainerLog`, `HostLog`).
   * @default - '<agent indexPrefix>-kubearmor-logs' (IndexNaming.DATA_STREAM: 'logs-kubearmor.logs-<namespace>')
   */
  readonly logs?: string;

  /**
   * Messages: KubeArmor's own operational messages (they carry `Level`).
   * @default - '<agent indexPrefix>-kubearmor-messages' (IndexNaming.DATA_STREAM: 'logs-kubearmor.messages-<namespace>')
   */
  readonly messages?: string;
}

/** Options of {@link KubeArmorRelayCollector}, everything but the agent (what a chart passes through). */
export interface KubeArmorRelayCollectorOptions {
  /**
   * Namespace KubeArmor runs in.
   * @default 'kubearmor'
   */
  readonly relayNamespace?: string;

  /**
   * Name of the relay Deployment (its pods are `<name>-<hash>-<hash>`).
   * @default 'kubearmor-relay'
   */
  readonly relayDeploymentName?: string;

  /**
   * Name of the relay's container.
   * @default 'kubearmor-relay-server'
   */
  readonly relayContainerName?: string;

  /**
   * The relay's log files on the nodes.
   * @default - `/var/log/containers/<relayDeploymentName>-*_<relayNamespace>_<relayContainerName>-*.log`
   */
  readonly relayLogGlob?: string;

  /**
   * Name of the operator's KubeArmorConfig, when KubeArmor was installed by its
   * operator (`karmor install` names it `kubearmorconfig-default`, the operator Helm
   * chart `kubearmor-default`).
   * @default 'kubearmorconfig-default'
   */
  readonly kubeArmorConfigName?: string;

  /**
   * Index family per event kind.
   * @default - '<prefix>-kubearmor-alerts', '-logs' and '-messages'
   */
  readonly indexNames?: KubeArmorIndexNames;

  /**
   * Also print (and index) KubeArmor's own messages.
   * @default true
   */
  readonly messages?: boolean;
}

/** Props of {@link KubeArmorRelayCollector}. */
export interface KubeArmorRelayCollectorProps extends KubeArmorRelayCollectorOptions {
  /**
   * The log agent that collects the relay's output: a `FluentdDaemonSet`, a
   * `FluentBitDaemonSet`, or any agent that compiles a {@link ContainerJsonSource}.
   */
  readonly agent: ILogAgent;
}

/**
 * Collects KubeArmor's alerts, logs and messages from the kubearmor-relay pod's
 * stdout into their own index families.
 *
 * The relay prints each event as one JSON line only when its `ENABLE_STDOUT_ALERTS`,
 * `ENABLE_STDOUT_LOGS` and `ENABLE_STDOUT_MSGS` variables are `"true"`, and a default
 * KubeArmor install sets them to `"false"`. {@link KubeArmorRelayCollector.enableStdoutFiles} holds the patches
 * that turn them on (the default app writes them to `dist/kubearmor/`), with the one
 * command to run; without it the route stays empty.
 *
 * @see https://github.com/kubearmor/kubearmor-relay-server
 * @see https://docs.kubearmor.io/kubearmor/documentation/kubearmor-events
 */
export class KubeArmorRelayCollector extends Construct {
  /** Namespace of the relay. */
  public readonly relayNamespace: string;
  /** Name of the relay Deployment. */
  public readonly relayDeploymentName: string;
  /** Name of the relay container. */
  public readonly relayContainerName: string;
  /** Name of the operator's KubeArmorConfig. */
  public readonly kubeArmorConfigName: string;
  /** Index family per event kind. */
  public readonly indexNames: KubeArmorIndexNames;
  /** The relay's log files on the nodes. */
  public readonly relayLogGlob: string;
  /** Whether KubeArmor's own messages are printed and indexed. */
  public readonly messages: boolean;

  constructor(scope: Construct, id: string, props: KubeArmorRelayCollectorProps) {
    super(scope, id);
    checkScope(this);
    for (const old of ['fluentd', 'fluentBit']) {
      if ((props as unknown as { [key: string]: unknown } | undefined)?.[old] !== undefined) {
        throw new Error(`kubearmor ${old} was replaced by agent: pass the log agent as { agent } (a FluentdDaemonSet or FluentBitDaemonSet)`);
      }
    }
    const agent = requireLogAgent('kubearmor', props?.agent, 'collects the relay\'s output', "new KubeArmorRelayCollector(this, 'KubeArmor', { agent: fluentd })");
    this.relayNamespace = props.relayNamespace ?? 'kubearmor';
    this.relayDeploymentName = props.relayDeploymentName ?? 'kubearmor-relay';
    this.relayContainerName = props.relayContainerName ?? 'kubearmor-relay-server';
    this.kubeArmorConfigName = props.kubeArmorConfigName ?? 'kubearmorconfig-default';
    validateDnsLabel('kubearmor relayNamespace', this.relayNamespace);
    validateDnsLabel('kubearmor relayDeploymentName', this.relayDeploymentName);
    validateDnsLabel('kubearmor relayContainerName', this.relayContainerName);
    validateDnsLabel('kubearmor kubeArmorConfigName', this.kubeArmorConfigName);
    this.messages = props.messages ?? true;
    this.indexNames = {
      alerts: props.indexNames?.alerts ?? agent.familyName('kubearmor-alerts', DATASETS.kubeArmorAlerts),
      logs: props.indexNames?.logs ?? agent.familyName('kubearmor-logs', DATASETS.kubeArmorLogs),
      messages: props.indexNames?.messages ?? agent.familyName('kubearmor-messages', DATASETS.kubeArmorMessages),
    };

    // Kubelet names the files <pod>_<namespace>_<container>-<container id>.log.
    this.relayLogGlob = props.relayLogGlob
      ?? `/var/log/containers/${this.relayDeploymentName}-*_${this.relayNamespace}_${this.relayContainerName}-*.log`;
    const stream = (name: keyof KubeArmorIndexNames, whenAnyField?: string[]) => ({
      name, family: this.indexNames[name] as string, kind: IndexFamilyKind.KUBEARMOR, prop: `kubearmor indexNames.${name}`, whenAnyField,
    });
    agent.addContainerJsonSource({
      name: 'kubearmor',
      path: this.relayLogGlob,
      tag: 'kubearmor.relay',
      // UpdatedTime (RFC 3339, microseconds) first; the Unix-seconds Timestamp, which every
      // relay event that carries it carries beside UpdatedTime; with neither, kubelet's time.
      times: [{ field: 'UpdatedTime', format: LogTimeFormat.RFC3339 }, { field: 'Timestamp', format: LogTimeFormat.UNIX_SECONDS }],
      // Alerts carry PolicyName or Action, messages Level; every other event is a log.
      streams: [stream('alerts', ['PolicyName', 'Action']), stream('messages', ['Level']), stream('logs')],
    });
    // `app.synth()` writes the patches into <outdir>/kubearmor/.
    addSideFiles(this, KUBEARMOR_FOLDER, () => ({ files: this.enableStdoutFiles(), warnings: [] }));
  }

  /**
   * Patches that make the relay print every event kind, and how to apply them, by
   * file name:
   * - `kubearmorconfig-stdout-patch.yaml` for operator installs (the operator owns the
   *   relay's environment and rewrites it from its KubeArmorConfig);
   * - `relay-deployment-stdout-patch.yaml` for Helm chart or manifest installs;
   * - `README.md` with the commands.
   */
  public enableStdoutFiles(): { [file: string]: string } {
    const env = this.stdoutVariables();
    const spec: { [key: string]: boolean } = { enableStdOutAlerts: true, enableStdOutLogs: true, enableStdOutMsgs: this.messages };
    const ns = this.relayNamespace;
    return {
      'kubearmorconfig-stdout-patch.yaml': Yaml.stringify({ spec }),
      'relay-deployment-stdout-patch.yaml': Yaml.stringify({
        spec: { template: { spec: { containers: [{ name: this.relayContainerName, env: Object.entries(env).map(([name, value]) => ({ name, value })) }] } } },
      }),
      'README.md': [
        '# Make the KubeArmor relay print its events',
        '',
        'The relay writes alerts, logs and messages to stdout only when told to, and a default KubeArmor',
        'install tells it not to. Run one of these once, from this folder:',
        '',
        '- KubeArmor installed by its operator (`karmor install`, the kubearmor-operator chart); the operator',
        '  owns the relay\'s environment, so change its KubeArmorConfig:',
        '',
        '  ```sh',
        `  kubectl -n ${ns} patch kubearmorconfig ${this.kubeArmorConfigName} --type merge --patch-file kubearmorconfig-stdout-patch.yaml`,
        '  ```',
        '',
        '  (The operator Helm chart names it `kubearmor-default`; `kubectl -n ' + ns + ' get kubearmorconfig` lists it.)',
        '',
        '- KubeArmor installed by its Helm chart or manifests:',
        '',
        '  ```sh',
        `  kubectl -n ${ns} patch deployment ${this.relayDeploymentName} --patch-file relay-deployment-stdout-patch.yaml`,
        '  ```',
        '',
        `Check: \`kubectl -n ${ns} set env deployment/${this.relayDeploymentName} --list | grep ENABLE_STDOUT\` shows`,
        `${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(', ')}.`,
        '',
      ].join('\n'),
    };
  }

  /** The relay variables and the values the collector needs. */
  public stdoutVariables(): { [name: string]: string } {
    return {
      ENABLE_STDOUT_ALERTS: 'true',
      ENABLE_STDOUT_LOGS: 'true',
      ENABLE_STDOUT_MSGS: this.messages ? 'true' : 'false',
    };
  }
}
