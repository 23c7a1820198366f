import { Yaml } from 'cdk8s';
import { FalcoPriority } from './falco-rules';

/**
 * How Falco sees system calls (`engine.kind`).
 * @see https://falco.org/docs/concepts/event-sources/kernel/
 */
export enum FalcoDriver {
  /** The modern eBPF probe built into Falco: no driver to load, CO-RE kernels (5.8+). */
  MODERN_EBPF = 'modern_ebpf',
  /** The kernel module, built or downloaded by the driver-loader init container. */
  KMOD = 'kmod',
  /** The driver loader picks the best driver for the node and configures Falco. */
  AUTO = 'auto',
}

/**
 * The runtime sockets the container plugin reads container and Kubernetes metadata
 * from, as the plugin's own defaults list them for its `cri` engine (containerd,
 * CRI-O, k3s's containerd, Bottlerocket's host containerd; the `containerd` engine
 * reads the last one only). The plugin prefixes `HOST_ROOT` (`/host`) and skips a
 * socket that does not exist, so one list serves every node.
 * @see https://github.com/falcosecurity/plugins/tree/main/plugins/container#configuration
 */
export const FALCO_CRI_SOCKETS = [
  '/run/containerd/containerd.sock', '/run/crio/crio.sock', '/run/k3s/containerd/containerd.sock', '/run/host-containerd/containerd.sock',
];

/** Docker's socket (the plugin's `docker` engine). */
export const FALCO_DOCKER_SOCKET = '/var/run/docker.sock';

/**
 * Where our `falco.yaml` (replacing the image's, and with its config.d hidden) differs
 * from what the image would run with, and why. Every other upstream setting is kept:
 * a test compares the rendered file key by key with Falco 0.44.1's.
 */
const UPSTREAM_DIFFERENCES: { [key: string]: string } = {
  'config_files': 'the image\'s config.d would declare the container plugin a second time, and Falco stops on that; its two settings are in this file',
  'watch_config_files': 'a ConfigMap change rolls the pods (checksum annotation): no reload of a half-updated mount',
  'rules_files': 'no falco_rules.local.yaml (empty in the image): custom rules go to rules.d from a ConfigMap',
  'json_output': 'the log agent parses each alert as JSON (upstream prints text)',
  'syslog_output.enabled': 'a container has no /dev/log: alerts go to stdout only',
  'log_syslog': 'the same: Falco\'s own log goes to stderr only',
};

/** Props of {@link FalcoConfig}. */
export interface FalcoConfigProps {
  /** `engine.kind`; AUTO renders modern_ebpf, which the driver loader's choice overrides. */
  readonly driver: FalcoDriver;

  /** Minimum priority of the rules loaded and alerts printed (`priority`). */
  readonly priority: FalcoPriority;
  /** Rules files and directories, in load order (`rules_files`). */
  readonly rulesFiles: string[];
  /** Port of the web server that answers `/healthz`. */
  readonly webserverPort: number;
  /** Config files read after falco.yaml (`config_files`): the driver loader's choice. */
  readonly configFiles: string[];
}

/**
 * `falco.yaml`: JSON alerts on stdout (with the output and tags properties and ISO
 * 8601 times), Falco's own log on stderr, the web server for probes, the engine
 * and the bundled container plugin. Every key is one of Falco 0.44's schema
 * (`userspace/falco/config_json_schema.h`), which rejects unknown keys.
 * @see https://github.com/falcosecurity/falco/blob/master/falco.yaml
 */
export class FalcoConfig {
  /**
   * Where our `falco.yaml` differs from the settings the falcosecurity/falco image runs
   * with (its falco.yaml and config.d), by dotted key, with the reason.
   */
  public static readonly UPSTREAM_DIFFERENCES: { [key: string]: string } = UPSTREAM_DIFFERENCES;

  /** The settings, in render order. */
  public readonly settings: { [key: string]: any };

  constructor(props: FalcoConfigProps) {
    const engine = props.driver === FalcoDriver.KMOD ? 'kmod' : 'modern_ebpf';
    this.settings = {
      // Only our files: the image's config.d also declares the container plugin,
      // and a second declaration stops Falco ("found another plugin with name container").
      config_files: [...props.configFiles],
      watch_config_files: false,
      rules_files: [...props.rulesFiles],
      engine: {
        kind: engine,
        [engine]: engine === 'kmod'
          ? { buf_size_preset: 4, drop_failed_exit: false }
          : { cpus_for_each_buffer: 2, buf_size_preset: 4, drop_failed_exit: false },
      },
      // Container and Kubernetes fields (container.id, k8s.pod.name) come from the
      // container plugin bundled with Falco since 0.41, with its own engine and socket
      // defaults (every runtime; a socket that does not exist is skipped), as upstream.
      load_plugins: ['container'],
      plugins: [{ name: 'container', library_path: 'libcontainer.so', init_config: { label_max_len: 100, with_size: false } }],
      // Upstream's default: every rule's output ends with the fields the container plugin
      // suggests (container id, name, image repository and tag, pod, namespace), which
      // the default rules 5.x no longer name themselves. Without it alerts carry no
      // Kubernetes context.
      append_output: [{ suggested_output: true }],
      time_format_iso_8601: true,
      priority: props.priority.toLowerCase(),
      json_output: true,
      json_include_output_property: true,
      json_include_tags_property: true,
      json_include_message_property: false,
      buffered_outputs: false,
      stdout_output: { enabled: true },
      syslog_output: { enabled: false },
      log_stderr: true,
      log_syslog: false,
      log_level: 'info',
      webserver: {
        enabled: true,
        threadiness: 0,
        listen_port: props.webserverPort,
        listen_address: '0.0.0.0',
        k8s_healthz_endpoint: '/healthz',
        prometheus_metrics_enabled: false,
        ssl_enabled: false,
      },
      // Dropped syscalls mean blind spots: log them and raise an alert (at most one per 30 s).
      syscall_event_drops: { threshold: 0.1, actions: ['log', 'alert'], rate: 0.03333, max_burst: 1 },
      // Upstream's metrics settings, off as upstream ships them; falco.yaml without them
      // would take the code's other defaults (no snapshot alert, a 5 s interval) when
      // metrics are turned on.
      metrics: {
        enabled: false, interval: '1h', output_rule: true, output_file: '', rules_counters_enabled: true,
        resource_utilization_enabled: true, state_counters_enabled: true, kernel_event_counters_enabled: true,
        kernel_event_counters_per_cpu_enabled: false, libbpf_stats_enabled: true, plugins_metrics_enabled: true,
        kernel_iter_event_counters_enabled: true, jemalloc_stats_enabled: false, convert_memory_to_mb: true, include_empty_values: false,
      },
    };
  }

  /** Renders `falco.yaml`. */
  public render(): string {
    return Yaml.stringify(this.settings);
  }
}
