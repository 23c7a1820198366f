import { ApiObject, Chart, Duration, JsonPatch, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { FALCO_CRI_SOCKETS, FALCO_DOCKER_SOCKET, FalcoConfig, FalcoDriver } from './falco-config';
import { FalcoList, FalcoMacro, FalcoPriority, FalcoRule, FalcoRules } from './falco-rules';
import { contentHash } from '../common/hash';
import { appLabels, selectorLabels } from '../common/labels';
import { NodeAgentPlacement, applyPlacement, describePlacement, placementCovers, resolvePlacement } from '../common/node-placement';
import { applyPodTemplateExtras } from '../common/pod';
import { describeValue, validateCpu, validateDnsLabel, validateDnsSubdomain, validateMinimumSize } from '../common/validation';
import { FALCO_DRIVER_LOADER_IMAGE_REPOSITORY, FALCO_IMAGE_REPOSITORY, FALCO_VERSION } from '../images';
import { checkScope } from '../common/app-checks';
import { DATASETS, IndexFamilyKind } from '../pipeline/index-families';
import { ILogAgent, LogTimeFormat, isLogAgent } from '../pipeline/log-source';

/** Options of {@link FalcoDaemonSet}, everything but the agent (what a chart passes through). */
export interface FalcoDaemonSetOptions {
  /**
   * Name of the DaemonSet and its ServiceAccount.
   * @default 'falco'
   */
  readonly name?: string;

  /**
   * Falco version; the driver loader uses the same.
   * @default FALCO_VERSION (0.44.1)
   */
  readonly version?: string;

  /**
   * How Falco sees system calls.
   * @default FalcoDriver.MODERN_EBPF
   */
  readonly driver?: FalcoDriver;

  /**
   * With the modern eBPF driver, run with the capabilities it needs (BPF,
   * SYS_RESOURCE, PERFMON, SYS_PTRACE) instead of privileged. Needs a kernel and
   * runtime that know CAP_BPF and CAP_PERFMON (Linux 5.8+).
   * @default false
   */
  readonly leastPrivileged?: boolean;

  /**
   * Also mount Docker's socket (`/var/run/docker.sock`), for nodes whose runtime is
   * Docker (cri-dockerd). The sockets of containerd, CRI-O, k3s's containerd and
   * Bottlerocket's host containerd are always mounted, read-only.
   * @default false
   */
  readonly dockerSocket?: boolean;

  /**
   * Minimum priority of the rules loaded (`priority`): a rule below it is compiled but
   * never enabled. Falco's own alerts (dropped system calls) are printed whatever it says.
   * @default FalcoPriority.DEBUG (upstream's: every rule, "System user interactive" (INFO) included)
   */
  readonly priority?: FalcoPriority;

  /**
   * Load Falco's default rules (`/etc/falco/falco_rules.yaml` in the image).
   * @default true
   */
  readonly defaultRules?: boolean;

  /**
   * Memory request and limit.
   * @default Size.mebibytes(1024)
   */
  readonly memoryLimit?: Size;

  /**
   * CPU request (no CPU limit is set: a throttled Falco drops events).
   * @default kplus.Cpu.millis(100)
   */
  readonly cpuRequest?: kplus.Cpu;

  /**
   * PriorityClass of the pods.
   * @default - none
   */
  readonly priorityClassName?: string;

  /**
   * The nodes Falco runs on. Its alerts are shipped only from nodes where the log
   * agent runs, so it must be the agent's placement or a narrower one.
   * @default - the agent's placement (every node, every taint tolerated, by default)
   */
  readonly placement?: NodeAgentPlacement;

  /**
   * Index family of the alerts: the data stream they are appended to.
   * @default - '<agent indexPrefix>-falco' (IndexNaming.DATA_STREAM: 'logs-falco.alerts-<namespace>')
   */
  readonly indexName?: string;
}

/** Props of {@link FalcoDaemonSet}. */
export interface FalcoDaemonSetProps extends FalcoDaemonSetOptions {
  /**
   * The log agent that ships the alerts (Falco prints them on stdout): a
   * `FluentdDaemonSet`, a `FluentBitDaemonSet`, or any agent that compiles a
   * {@link ContainerJsonSource}.
   * @default - none: collect Falco's stdout yourself
   */
  readonly agent?: ILogAgent;
}

const WEB_PORT = 8765;
const RULES_DIR = '/etc/falco/rules.d';
const CONFIG_D = '/etc/falco/config.d';
const CONTAINER_NAME = 'falco';

/**
 * Falco on every node (control-plane nodes too), printing JSON alerts on stdout for
 * the log agent, which ships them into their own index family.
 *
 * Host access depends on the driver: `/proc` (read-only, as `/host/proc`), `/etc`
 * and `/sys/kernel` for modern eBPF; the kernel module also needs `/dev`,
 * `/sys/module`, and a privileged driver-loader init container with `/boot`,
 * `/lib/modules` and `/usr`. The container runtime's socket directory is mounted
 * read-only for container and Kubernetes metadata. Falco needs no Kubernetes API
 * access: its ServiceAccount has no role and no token.
 *
 * @see https://falco.org/docs/setup/kubernetes/
 * @see https://github.com/falcosecurity/charts/tree/master/charts/falco
 */
export class FalcoDaemonSet extends Construct {
  /** Name of the DaemonSet. */
  public readonly name: string;
  /** Falco version. */
  public readonly version: string;
  /** Driver. */
  public readonly driver: FalcoDriver;
  /** The rendered `falco.yaml` model. */
  public readonly config: FalcoConfig;
  /** Custom rules, macros and lists (`/etc/falco/rules.d/custom-rules.yaml`). */
  public readonly customRules: FalcoRules;
  /** The DaemonSet. */
  public readonly daemonSet: kplus.DaemonSet;
  /** Falco's log files on the nodes (its container's stdout and stderr). */
  public readonly logGlob: string;
  /** Index family of the alerts, when an agent ships them. */
  public readonly indexName?: string;
  /** The nodes Falco runs on (defaults filled in). */
  public readonly placement: NodeAgentPlacement;

  constructor(scope: Construct, id: string, props: FalcoDaemonSetProps = {}) {
    super(scope, id);
    checkScope(this);
    this.name = props.name ?? 'falco';
    validateDnsLabel('falco name', this.name, 50);
    this.version = props.version ?? FALCO_VERSION;
    const version = /^(\d+)\.(\d+)\.(\d+)$/.exec(this.version ?? '');
    if (!version) {
      throw new Error(`falco version must be MAJOR.MINOR.PATCH such as "0.44.1", got ${JSON.stringify(this.version)}`);
    }
    if (Number(version[1]) === 0 && Number(version[2]) < 41) {
      throw new Error(`falco version must be 0.41.0 or later (the container plugin it loads is bundled from 0.41), got ${JSON.stringify(this.version)}`);
    }
    this.driver = props.driver ?? FalcoDriver.MODERN_EBPF;
    if (!Object.values(FalcoDriver).includes(this.driver)) {
      throw new Error(`falco driver must be one of ${Object.values(FalcoDriver).join(', ')}, got ${JSON.stringify(this.driver)}`);
    }
    const leastPrivileged = props.leastPrivileged ?? false;
    if (leastPrivileged && this.driver !== FalcoDriver.MODERN_EBPF) {
      throw new Error(`falco leastPrivileged needs driver MODERN_EBPF (the ${this.driver} driver needs a privileged container), got ${JSON.stringify(this.driver)}`);
    }
    if ((props as { containerRuntime?: unknown }).containerRuntime !== undefined) {
      throw new Error(
        `falco containerRuntime was removed, got ${JSON.stringify((props as { containerRuntime?: unknown }).containerRuntime)}: the sockets of ` +
        'containerd, CRI-O and k3s are always mounted and read; set dockerSocket: true for Docker nodes',
      );
    }
    const dockerSocket = props.dockerSocket ?? false;
    if (typeof dockerSocket !== 'boolean') throw new Error(`falco dockerSocket must be true or false, got ${JSON.stringify(dockerSocket)}`);
    const priority = props.priority ?? FalcoPriority.DEBUG;
    if (!Object.values(FalcoPriority).includes(priority)) {
      throw new Error(`falco priority must be one of ${Object.values(FalcoPriority).join(', ')}, got ${JSON.stringify(priority)}`);
    }
    const memory = props.memoryLimit ?? Size.mebibytes(1024);
    validateMinimumSize('falco memoryLimit', memory, 256);
    if (props.priorityClassName !== undefined) validateDnsSubdomain('falco priorityClassName', props.priorityClassName);
    const namespace = Chart.of(this).namespace;
    if (namespace === undefined) {
      throw new Error('falco needs its chart to have a namespace (new Chart(app, id, { namespace })): the log agent finds its files by it');
    }

    for (const old of ['fluentd', 'fluentBit']) {
      if ((props as unknown as { [key: string]: unknown })[old] !== undefined) {
        throw new Error(`falco ${old} was replaced by agent: pass the log agent as { agent } (a FluentdDaemonSet or FluentBitDaemonSet)`);
      }
    }
    if (props.agent !== undefined && !isLogAgent(props.agent)) {
      throw new Error(`falco agent must be a log agent (a FluentdDaemonSet or FluentBitDaemonSet), got ${describeValue(props.agent)}`);
    }
    const agent = props.agent;
    const agentPlacement = agent ? resolvePlacement('falco agent placement', agent.placement) : undefined;
    // Falco watches every node the agent ships from, and no other: its alerts elsewhere would be lost.
    const placement = props.placement === undefined && agentPlacement ? agentPlacement : resolvePlacement('falco placement', props.placement);
    if (agentPlacement && !placementCovers(agentPlacement, placement)) {
      throw new Error(
        `falco placement ${describePlacement(placement)} reaches nodes the log agent does not run on (its placement is ` +
        `${describePlacement(agentPlacement)}), where Falco's alerts would never be shipped: leave falco placement unset ` +
        '(the agent\'s), narrow it (more nodeSelector labels, fewer tolerations), or widen the agent\'s',
      );
    }
    this.placement = { nodeSelector: { ...placement.nodeSelector }, tolerations: placement.tolerations.map((t) => ({ ...t })) };

    this.customRules = new FalcoRules();
    this.config = new FalcoConfig({
      driver: this.driver,
      priority,
      rulesFiles: [...((props.defaultRules ?? true) ? ['/etc/falco/falco_rules.yaml'] : []), RULES_DIR],
      webserverPort: WEB_PORT,
      configFiles: this.driver === FalcoDriver.AUTO ? [CONFIG_D] : [],
    });
    const falcoYaml = this.config.render();
    const rulesYaml = Lazy.any({ produce: () => this.renderRules() });
    const defaultRules = props.defaultRules ?? true;
    // Checked at synth, when every rule, macro and list is in.
    this.node.addValidation({ validate: () => this.customRules.problems({ defaultRules, priority }) });
    const labels = appLabels('falco', this.name);

    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.name, labels },
      automountToken: false,
    });
    const configMap = new kplus.ConfigMap(this, 'Config', {
      metadata: { name: `${this.name}-config`, labels },
      data: { 'falco.yaml': falcoYaml },
    });
    const rulesMap = new kplus.ConfigMap(this, 'Rules', { metadata: { name: `${this.name}-rules`, labels } });
    rulesMap.addData('custom-rules.yaml', rulesYaml);

    this.daemonSet = new kplus.DaemonSet(this, 'Resource', {
      metadata: { name: this.name, labels },
      podMetadata: {
        labels,
        annotations: { 'checksum/config': Lazy.any({ produce: () => contentHash(falcoYaml, this.renderRules()) }) },
      },
      select: false,
      serviceAccount,
      automountServiceAccountToken: false,
      terminationGracePeriod: Duration.seconds(60),
      // Loading eBPF programs or a kernel module and reading every process's /proc
      // needs root; the container's own capabilities or privilege are set below.
      securityContext: { user: 0, group: 0, ensureNonRoot: false },
    });
    this.daemonSet.select(kplus.LabelSelector.of({ labels: selectorLabels(labels) }));
    applyPodTemplateExtras(this.daemonSet, { priorityClassName: props.priorityClassName });
    applyPlacement(this.daemonSet, placement);

    const kmod = this.driver !== FalcoDriver.MODERN_EBPF;
    const hostPath = (volumeId: string, name: string, path: string, type = kplus.HostPathVolumeType.DIRECTORY) =>
      kplus.Volume.fromHostPath(this, volumeId, name, { path, type });

    const container = this.daemonSet.addContainer({
      name: CONTAINER_NAME,
      image: `${FALCO_IMAGE_REPOSITORY}:${this.version}`,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      args: ['/usr/bin/falco'],
      ports: [{ name: 'web', number: WEB_PORT }],
      envVariables: {
        HOST_ROOT: kplus.EnvValue.fromValue('/host'),
        FALCO_HOSTNAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME),
        FALCO_K8S_NODE_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME),
      },
      resources: {
        cpu: { request: validateCpu('falco cpuRequest', props.cpuRequest ?? kplus.Cpu.millis(100)) },
        memory: { request: memory, limit: memory },
      },
      startup: kplus.Probe.fromHttpGet('/healthz', { port: WEB_PORT, initialDelaySeconds: Duration.seconds(3), timeoutSeconds: Duration.seconds(5), periodSeconds: Duration.seconds(5), failureThreshold: 20 }),
      liveness: kplus.Probe.fromHttpGet('/healthz', { port: WEB_PORT, timeoutSeconds: Duration.seconds(5), periodSeconds: Duration.seconds(15), failureThreshold: 3 }),
      readiness: kplus.Probe.fromHttpGet('/healthz', { port: WEB_PORT, timeoutSeconds: Duration.seconds(5), periodSeconds: Duration.seconds(15), failureThreshold: 3 }),
      securityContext: {
        user: 0,
        group: 0,
        ensureNonRoot: false,
        privileged: !leastPrivileged,
        allowPrivilegeEscalation: !leastPrivileged,
        // As falcosecurity's chart runs it; not tested with a read-only root.
        readOnlyRootFilesystem: false,
      },
    });
    if (leastPrivileged) {
      // The capability names Linux uses (cdk8s-plus-27's enum prefixes them with CAP_).
      ApiObject.of(this.daemonSet).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', {
        drop: ['ALL'], add: ['BPF', 'SYS_RESOURCE', 'PERFMON', 'SYS_PTRACE'],
      }));
      // The runtime's default AppArmor profile blocks the bpf() calls the probe makes.
      this.daemonSet.podMetadata.addAnnotation(`container.apparmor.security.beta.kubernetes.io/${CONTAINER_NAME}`, 'unconfined');
    }

    container.mount('/etc/falco/falco.yaml', kplus.Volume.fromConfigMap(this, 'ConfigVolume', configMap, { name: 'config' }), { subPath: 'falco.yaml', readOnly: true });
    container.mount(RULES_DIR, kplus.Volume.fromConfigMap(this, 'RulesVolume', rulesMap, { name: 'rules' }), { readOnly: true });
    const workDir = kplus.Volume.fromEmptyDir(this, 'WorkVolume', 'root-falco');
    container.mount('/root/.falco', workDir);
    // Hides the image's config.d (it declares the container plugin a second time); the
    // driver loader writes its choice here with the AUTO driver.
    const configD = kplus.Volume.fromEmptyDir(this, 'ConfigDVolume', 'config-d');
    container.mount(CONFIG_D, configD, { readOnly: this.driver !== FalcoDriver.AUTO });
    const proc = hostPath('ProcVolume', 'proc', '/proc');
    const etc = hostPath('EtcVolume', 'etc', '/etc');
    container.mount('/host/proc', proc, { readOnly: true });
    container.mount('/host/etc', etc, { readOnly: true });
    if (this.driver !== FalcoDriver.KMOD) {
      // BTF and tracepoint information for the eBPF probe.
      container.mount('/sys/kernel', hostPath('SysKernelVolume', 'sys-kernel', '/sys/kernel'), { readOnly: true });
    }
    if (kmod) {
      container.mount('/host/dev', hostPath('DevVolume', 'dev', '/dev'), { readOnly: true });
      container.mount('/sys/module', hostPath('SysModuleVolume', 'sys-module', '/sys/module'));
    }
    // The runtime sockets the container plugin reads (it prefixes HOST_ROOT), each
    // directory read-only; on a node without that runtime the directory is empty.
    [...new Set(FALCO_CRI_SOCKETS.map((socket) => socket.slice(0, socket.lastIndexOf('/'))))].forEach((dir, i) => {
      container.mount(`/host${dir}`, hostPath(`RuntimeSocketVolume${i}`, `runtime-socket-${i}`, dir, kplus.HostPathVolumeType.DIRECTORY_OR_CREATE), { readOnly: true });
    });
    if (dockerSocket) {
      container.mount(`/host${FALCO_DOCKER_SOCKET}`, hostPath('DockerSocketVolume', 'docker-socket', FALCO_DOCKER_SOCKET, kplus.HostPathVolumeType.SOCKET), { readOnly: true });
    }

    if (kmod) {
      const loader = this.daemonSet.addInitContainer({
        name: 'falco-driver-loader',
        image: `${FALCO_DRIVER_LOADER_IMAGE_REPOSITORY}:${this.version}`,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        args: [this.driver],
        envVariables: {
          HOST_ROOT: kplus.EnvValue.fromValue('/host'),
          // With KMOD the engine is set in falco.yaml; with AUTO the loader writes its choice to config.d.
          ...(this.driver === FalcoDriver.KMOD ? { FALCOCTL_DRIVER_CONFIG_UPDATE_FALCO: kplus.EnvValue.fromValue('false') } : {}),
        },
        securityContext: {
          // Building and inserting a kernel module needs a privileged root container.
          privileged: true, allowPrivilegeEscalation: true, user: 0, group: 0, ensureNonRoot: false, readOnlyRootFilesystem: false,
        },
      });
      loader.mount('/root/.falco', workDir);
      loader.mount('/host/proc', proc, { readOnly: true });
      loader.mount('/host/boot', hostPath('BootVolume', 'boot', '/boot'), { readOnly: true });
      loader.mount('/host/lib/modules', hostPath('LibModulesVolume', 'lib-modules', '/lib/modules'));
      loader.mount('/host/usr', hostPath('UsrVolume', 'usr', '/usr'), { readOnly: true });
      loader.mount('/host/etc', etc, { readOnly: true });
      loader.mount(CONFIG_D, configD);
    }

    // Kubelet names the files <pod>_<namespace>_<container>-<id>.log.
    this.logGlob = `/var/log/containers/${this.name}-*_${namespace}_${CONTAINER_NAME}-*.log`;
    if (agent) {
      this.indexName = props.indexName ?? agent.familyName('falco', DATASETS.falco);
      agent.addContainerJsonSource({
        name: 'falco',
        path: this.logGlob,
        tag: 'falco.alerts',
        // RFC 3339 UTC with nanoseconds (2023-05-25T13:44:05.478445995Z).
        times: [{ field: 'time', format: LogTimeFormat.RFC3339 }],
        streams: [{ name: 'alerts', family: this.indexName, kind: IndexFamilyKind.FALCO, prop: 'falco indexName' }],
      });
    } else if (props.indexName !== undefined) {
      throw new Error('falco indexName is set but no agent ships the alerts: pass agent, or remove indexName');
    }
  }

  /** The custom rules file; nothing can be added once it is rendered. */
  private renderRules(): string {
    this.customRules._freeze();
    return this.customRules.render();
  }

  /** Adds a custom rule (rendered into `/etc/falco/rules.d/custom-rules.yaml`). */
  public addRule(rule: FalcoRule): void {
    this.customRules.addRule(rule);
  }

  /** Adds a macro for custom rules. */
  public addMacro(macro: FalcoMacro): void {
    this.customRules.addMacro(macro);
  }

  /** Adds a list for custom rules. */
  public addList(list: FalcoList): void {
    this.customRules.addList(list);
  }
}
