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

/** The container runtime whose socket Falco's container plugin reads metadata from. */
export enum FalcoContainerRuntime {
  /** containerd (its CRI endpoint `/run/containerd/containerd.sock`). */
  CONTAINERD = 'containerd',
  /** CRI-O (`/run/crio/crio.sock`). */
  CRIO = 'crio',
  /** Docker (`/var/run/docker.sock`). */
  DOCKER = 'docker',
}

/** Socket path on the node for each runtime. */
export const FALCO_RUNTIME_SOCKETS: { [runtime: string]: string } = {
  [FalcoContainerRuntime.CONTAINERD]: '/run/containerd/containerd.sock',
  [FalcoContainerRuntime.CRIO]: '/run/crio/crio.sock',
  [FalcoContainerRuntime.DOCKER]: '/var/run/docker.sock',
};

/** Props of {@link FalcoConfig}. */
export interface FalcoConfigProps {
  /** `engine.kind`; AUTO renders modern_ebpf, which the driver loader's choice overrides. */
  readonly driver: FalcoDriver;
  /** The runtime the container plugin reads. */
  readonly containerRuntime: FalcoContainerRuntime;
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
  /** The settings, in render order. */
  public readonly settings: { [key: string]: any };

  constructor(props: FalcoConfigProps) {
    const runtime = props.containerRuntime;
    const socket = FALCO_RUNTIME_SOCKETS[runtime];
    if (socket === undefined) {
      throw new Error(`falco containerRuntime must be one of ${Object.values(FalcoContainerRuntime).join(', ')}, got ${JSON.stringify(runtime)}`);
    }
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
      // container plugin bundled with Falco since 0.41; it prefixes HOST_ROOT to the socket.
      load_plugins: ['container'],
      plugins: [{
        name: 'container',
        library_path: 'libcontainer.so',
        init_config: {
          engines: {
            docker: { enabled: runtime === FalcoContainerRuntime.DOCKER, sockets: [FALCO_RUNTIME_SOCKETS.docker] },
            podman: { enabled: false },
            containerd: { enabled: runtime === FalcoContainerRuntime.CONTAINERD, sockets: [FALCO_RUNTIME_SOCKETS.containerd] },
            cri: { enabled: runtime !== FalcoContainerRuntime.DOCKER, sockets: [socket] },
            lxc: { enabled: false },
            libvirt_lxc: { enabled: false },
            bpm: { enabled: false },
          },
        },
      }],
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
    };
  }

  /** Renders `falco.yaml`. */
  public render(): string {
    return Yaml.stringify(this.settings);
  }
}
