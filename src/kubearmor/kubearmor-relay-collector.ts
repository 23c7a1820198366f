import { Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { addSideFiles } from '../common/side-files';
import { validateDnsLabel } from '../common/validation';
import { FluentdSection } from '../fluentd/fluentd-config';
import { FluentBitPlugin } from '../fluent-bit/fluent-bit-config';
import { FluentBitDaemonSet, rfc3339JsonParser, stdoutJsonFilters } from '../fluent-bit/fluent-bit-daemon-set';
import { FluentdDaemonSet } from '../fluentd/fluentd-daemon-set';
import { dedotFilter, stdoutJsonOnlyFilter } from '../fluentd/fluentd-pipeline';
import { checkScope } from '../common/app-checks';
import { IndexFamilyKind } from '../pipeline/index-families';

/** The folder beside the manifests for the relay patches (`kubectl apply -f dist/` does not descend into it). */
export const KUBEARMOR_FOLDER = 'kubearmor';

/** Index families of the KubeArmor event kinds. */
export interface KubeArmorIndexNames {
  /**
   * Alerts: events a policy matched (they carry `PolicyName` or `Action`).
   * @default '<agent indexPrefix>-kubearmor-alerts'
   */
  readonly alerts?: string;

  /**
   * Logs: system events KubeArmor observed (`ContainerLog`, `HostLog`).
   * @default '<agent indexPrefix>-kubearmor-logs'
   */
  readonly logs?: string;

  /**
   * Messages: KubeArmor's own operational messages (they carry `Level`).
   * @default '<agent indexPrefix>-kubearmor-messages'
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
   * The Fluentd agent that collects the relay's output.
   * @default - none: pass fluentBit instead
   */
  readonly fluentd?: FluentdDaemonSet;

  /**
   * Or the Fluent Bit agent that collects it (one of the two).
   * @default - none: pass fluentd instead
   */
  readonly fluentBit?: FluentBitDaemonSet;
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
    const fluentd = props?.fluentd;
    const fluentBit = props?.fluentBit;
    if (fluentd !== undefined && fluentBit !== undefined) {
      throw new Error('kubearmor fluentd and fluentBit are both set: one agent collects the relay\'s output, pass one of them');
    }
    if (!(fluentd instanceof FluentdDaemonSet) && !(fluentBit instanceof FluentBitDaemonSet)) {
      throw new Error(
        'kubearmor fluentd (or fluentBit) is required: pass the agent that collects the relay\'s output ' +
        `(new KubeArmorRelayCollector(this, 'KubeArmor', { fluentd })), got ${JSON.stringify(props?.fluentd ?? props?.fluentBit)}`,
      );
    }
    const agent = (fluentd ?? fluentBit) as FluentdDaemonSet | FluentBitDaemonSet;
    this.relayNamespace = props.relayNamespace ?? 'kubearmor';
    this.relayDeploymentName = props.relayDeploymentName ?? 'kubearmor-relay';
    this.relayContainerName = props.relayContainerName ?? 'kubearmor-relay-server';
    this.kubeArmorConfigName = props.kubeArmorConfigName ?? 'kubearmorconfig-default';
    validateDnsLabel('kubearmor relayNamespace', this.relayNamespace);
    validateDnsLabel('kubearmor relayDeploymentName', this.relayDeploymentName);
    validateDnsLabel('kubearmor relayContainerName', this.relayContainerName);
    validateDnsLabel('kubearmor kubeArmorConfigName', this.kubeArmorConfigName);
    this.messages = props.messages ?? true;
    const prefix = agent.indexPrefix;
    this.indexNames = {
      alerts: props.indexNames?.alerts ?? `${prefix}-kubearmor-alerts`,
      logs: props.indexNames?.logs ?? `${prefix}-kubearmor-logs`,
      messages: props.indexNames?.messages ?? `${prefix}-kubearmor-messages`,
    };
    for (const [kind, family] of Object.entries(this.indexNames)) agent.registerIndexFamily(`kubearmor indexNames.${kind}`, family, IndexFamilyKind.KUBEARMOR);

    // Kubelet names the files <pod>_<namespace>_<container>-<container id>.log.
    this.relayLogGlob = props.relayLogGlob
      ?? `/var/log/containers/${this.relayDeploymentName}-*_${this.relayNamespace}_${this.relayContainerName}-*.log`;
    const route = { name: 'kubearmor', path: this.relayLogGlob, tag: 'kubearmor.relay' };
    if (agent instanceof FluentdDaemonSet) {
      agent.addContainerFileRoute({ ...route, label: '@KUBEARMOR', directives: this.routeDirectives(agent) });
    } else {
      agent.addContainerFileRoute({
        ...route,
        // UpdatedTime, RFC 3339 with microseconds. Every relay event that carries the
        // Unix-seconds Timestamp carries it too; with neither, kubelet's time stays.
        parsers: [rfc3339JsonParser('kubearmor_event', 'UpdatedTime')],
        plugins: this.fluentBitPlugins(agent),
      });
    }
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

  /**
   * The route on Fluent Bit, with the Fluentd route's result: stdout JSON lines
   * parsed into the record, and the same three-way routing (rewrite_tag re-emits alerts and
   * messages under their own tags; logs keep the route's tag).
   * @see https://docs.fluentbit.io/manual/pipeline/filters/rewrite-tag
   */
  private fluentBitPlugins(fluentBit: FluentBitDaemonSet): FluentBitPlugin[] {
    const tag = 'kubearmor.relay';
    const alerts = `kubearmor.${this.indexNames.alerts}`;
    const messages = `kubearmor.${this.indexNames.messages}`;
    const rewrite = (alias: string, rule: string) => FluentBitPlugin.filter('rewrite_tag', tag, {
      // The re-emitted records wait on disk like the rest.
      'alias': alias, 'rule': rule, 'emitter_name': `${alias}_emitter`, 'emitter_storage.type': 'filesystem',
    });
    return [
      ...stdoutJsonFilters(tag, 'kubearmor', 'kubearmor_event', 'kubearmor_parse_event'),
      rewrite('route_kubearmor_policy_alerts', `$PolicyName ^.+$ ${alerts} false`),
      rewrite('route_kubearmor_action_alerts', `$Action ^.+$ ${alerts} false`),
      rewrite('route_kubearmor_messages', `$Level ^.+$ ${messages} false`),
      fluentBit.elasticsearchOutput(alerts, 'out_es_kubearmor_alerts', this.indexNames.alerts as string),
      fluentBit.elasticsearchOutput(messages, 'out_es_kubearmor_messages', this.indexNames.messages as string),
      fluentBit.elasticsearchOutput(tag, 'out_es_kubearmor_logs', this.indexNames.logs as string),
    ];
  }

  private routeDirectives(fluentd: FluentdDaemonSet): FluentdSection[] {
    const alerts = `kubearmor.${this.indexNames.alerts}`;
    const logs = `kubearmor.${this.indexNames.logs}`;
    const messages = `kubearmor.${this.indexNames.messages}`;
    return [
      // Events are JSON lines on stdout; the relay's own diagnostics go to stderr.
      stdoutJsonOnlyFilter('kubearmor.relay', 'kubearmor_stdout_json_only'),
      // The event's own fields become the record. Timestamp (Unix seconds) gives the
      // time first; UpdatedTime (microseconds) replaces it below when present; with
      // neither, the time kubelet recorded stays.
      FluentdSection.filter('kubearmor.relay', 'parser', {
        id: 'kubearmor_parse_event',
        params: {
          key_name: 'message',
          reserve_data: false,
          reserve_time: false,
          emit_invalid_record_to_error: true,
        },
        sections: [FluentdSection.parse('json', {
          params: {
            time_key: 'Timestamp', time_type: 'unixtime', keep_time_key: true, estimate_current_event: false,
          },
        })],
      }),
      FluentdSection.filter('kubearmor.relay', 'parser', {
        id: 'kubearmor_updated_time',
        params: {
          key_name: 'UpdatedTime',
          reserve_data: true,
          reserve_time: false,
          remove_key_name_field: false,
          emit_invalid_record_to_error: false,
        },
        sections: [FluentdSection.parse('regexp', {
          params: {
            expression: '/^(?<updated_time>\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d+Z)$/',
            time_key: 'updated_time', time_type: 'string', time_format: '%Y-%m-%dT%H:%M:%S.%NZ', utc: true, keep_time_key: false,
          },
        })],
      }),
      // Alerts carry PolicyName or Action, messages Level; every other event is a log.
      // rewrite_tag_filter drops events no rule matches: the last rule takes the rest.
      FluentdSection.match('kubearmor.relay', 'rewrite_tag_filter', {
        id: 'route_kubearmor_events',
        sections: [
          FluentdSection.section('rule', { params: { key: 'PolicyName', pattern: '/^.+$/', tag: alerts } }),
          FluentdSection.section('rule', { params: { key: 'Action', pattern: '/^.+$/', tag: alerts } }),
          FluentdSection.section('rule', { params: { key: 'Level', pattern: '/^.+$/', tag: messages } }),
          FluentdSection.section('rule', { params: { key: 'Level', pattern: '/^.+$/', invert: true, tag: logs } }),
        ],
      }),
      // Nested maps (Labels, Owner, EventData) may hold dotted keys.
      dedotFilter('kubearmor.**', 'kubearmor_dedot'),
      ...fluentd.elasticsearchOutput('kubearmor.**', 'out_es_kubearmor', '${tag[1]}'),
    ];
  }
}
