/**
 * What Falco 0.44.1 knows, for checking custom rules at synth time (Falco itself stops
 * on an undefined macro or an unknown field, and silently skips a rule of an unknown
 * source or a priority below the threshold).
 *
 * Compiled by reading, at the versions the falcosecurity/falco:0.44.1 image ships:
 * - the default rules: falcosecurity/rules @ falco-rules-5.1.0 `rules/falco_rules.yaml`
 *   (pinned by falcosecurity/falco @ 0.44.1 `cmake/modules/rules.cmake:21`): its 87 macros,
 *   49 lists and 25 rules;
 * - the fields of the `syscall` source: the filter-check tables of falcosecurity/libs @ 0.25.4
 *   (`userspace/libsinsp/sinsp_filtercheck_*.cpp`, pinned by falco's
 *   `cmake/modules/falcosecurity-libs.cmake:45`) and the bundled container plugin,
 *   falcosecurity/plugins @ plugins/container/v0.7.1 `plugins/container/src/caps/extract/extract.cpp`
 *   (294 fields; container.* and k8s.* come only from the plugin since libs 0.21).
 */

/** The Falco release these names are from. */
export const FALCO_CATALOGUE_VERSION = '0.44.1';

/** Macros of the default rules 5.1.0. */
export const FALCO_DEFAULT_MACROS: readonly string[] = [
  'access_log_files', 'allowed_clear_log_files', 'ansible_running_python', 'check_process_status',
  'clear_data_procs', 'cmp_cp_by_passwd', 'consul_running_alert_checks', 'consul_running_net_scripts',
  'container', 'container_entrypoint', 'containerd_activities', 'create_hardlink', 'create_symlink',
  'directory_traversal', 'dup', 'etc_dir', 'grep_commands', 'grep_more', 'interactive', 'k8s_api_server',
  'k8s_containers', 'kernel_module_load', 'known_drop_and_execute_activities', 'known_memfd_execution_processes',
  'known_ptrace_procs', 'linux_bench_reading_etc_shadow', 'mandb_postinst', 'never_true',
  'nginx_running_aws_s3_cp', 'nginx_starting_nginx', 'open_file_failed', 'open_read', 'open_write', 'outbound',
  'parent_java_running_activemq', 'parent_java_running_cassandra', 'parent_java_running_datastax',
  'parent_java_running_elasticsearch', 'parent_java_running_glassfish', 'parent_java_running_hadoop',
  'parent_java_running_jboss_wildfly', 'parent_java_running_kafka', 'parent_java_running_zookeeper',
  'perl_running_centrifydc', 'perl_running_plesk', 'perl_running_updmap', 'possibly_node_in_container',
  'possibly_parent_java_running_tomcat', 'postgres_running_cnpg', 'postgres_running_wal_e',
  'private_aws_credentials', 'private_key_or_password', 'proc_is_new', 'proc_name_exists',
  'protected_shell_spawner', 'ptrace_attach_or_injection', 'python_mesos_marathon_scripting',
  'rabbitmq_running_scripts', 'rabbitmqctl_running_scripts', 'redis_running_prepost_scripts',
  'run_by_appdynamics', 'run_by_chef', 'run_by_foreman', 'run_by_google_accounts_daemon',
  'run_by_package_mgmt_binaries', 'run_by_qualys', 'runuser_reading_pam', 'sensitive_files', 'serf_script',
  'server_procs', 'shell_procs', 'spawned_process', 'splunk_running_forwarder', 'ssh_non_standard_ports_network',
  'system_users', 'trusted_logging_images', 'user_expected_terminal_shell_in_container_conditions',
  'user_known_contact_k8s_api_server_activities', 'user_known_read_sensitive_files_activities',
  'user_known_remove_data_activities', 'user_known_stand_streams_redirect_activities',
  'user_known_system_user_login', 'user_read_sensitive_file_conditions', 'user_read_sensitive_file_containers',
  'user_shell_container_exclusions', 'user_ssh_directory', 'veritas_driver_script',
];

/** Lists of the default rules 5.1.0. */
export const FALCO_DEFAULT_LISTS: readonly string[] = [
  'allowed_container_images_loading_kernel_module', 'cron_binaries', 'data_remove_commands',
  'db_server_binaries', 'deb_binaries', 'docker_binaries', 'falco_containers', 'falco_no_driver_containers',
  'falco_privileged_images', 'gitlab_binaries', 'grep_binaries', 'hids_binaries', 'http_server_binaries',
  'ibm_cloud_containers', 'known_drop_and_execute_containers', 'known_memfd_execution_binaries',
  'known_ptrace_binaries', 'known_shell_spawn_cmdlines', 'log_directories', 'log_files', 'login_binaries',
  'mail_binaries', 'mail_config_binaries', 'mesos_shell_binaries', 'needrestart_binaries', 'nomachine_binaries',
  'nosql_server_binaries', 'package_mgmt_binaries', 'passwd_binaries', 'postgres_mgmt_binaries',
  'protected_shell_spawning_binaries', 'python_package_managers', 'read_sensitive_file_binaries',
  'read_sensitive_file_images', 'rfc_1918_addresses', 'rpm_binaries', 'sematext_images',
  'sensitive_directory_names', 'sensitive_file_names', 'shadowutils_binaries', 'shell_binaries',
  'ssh_non_standard_ports', 'sshkit_script_binaries', 'trusted_images', 'user_known_packet_socket_binaries',
  'user_known_shell_spawn_binaries', 'user_mgmt_binaries', 'userexec_binaries', 'vpn_binaries',
];

/** Rules of the default rules 5.1.0 and their priorities. */
export const FALCO_DEFAULT_RULES: { readonly [name: string]: string } = {
  'Clear Log Activities': 'WARNING',
  'Contact K8S API Server From Container': 'NOTICE',
  'Create Hardlink Over Sensitive Files': 'WARNING',
  'Create Symlink Over Sensitive Files': 'WARNING',
  'Debugfs Launched in Privileged Container': 'WARNING',
  'Detect release_agent File Container Escapes': 'CRITICAL',
  'Directory traversal monitored file read': 'WARNING',
  'Disallowed SSH Connection Non Standard Port': 'NOTICE',
  'Drop and execute new binary in container': 'CRITICAL',
  'Execution from /dev/shm': 'WARNING',
  'Fileless execution via memfd_create': 'CRITICAL',
  'Find AWS Credentials': 'WARNING',
  'Linux Kernel Module Injection Detected': 'WARNING',
  'Netcat Remote Code Execution in Container': 'WARNING',
  'PTRACE anti-debug attempt': 'NOTICE',
  'PTRACE attached to process': 'WARNING',
  'Packet socket created in container': 'NOTICE',
  'Read sensitive file trusted after startup': 'WARNING',
  'Read sensitive file untrusted': 'WARNING',
  'Redirect STDOUT/STDIN to Network Connection in Container': 'NOTICE',
  'Remove Bulk Data from Disk': 'WARNING',
  'Run shell untrusted': 'NOTICE',
  'Search Private Keys or Passwords': 'WARNING',
  'System user interactive': 'INFO',
  'Terminal shell in container': 'NOTICE',
};

/** Fields of the `syscall` source that take no argument. */
export const FALCO_FIELDS: readonly string[] = [
  'container.cni.json', 'container.duration', 'container.full_id', 'container.healthcheck', 'container.host_ipc',
  'container.host_network', 'container.host_pid', 'container.id', 'container.image', 'container.image.digest',
  'container.image.id', 'container.image.repository', 'container.image.tag', 'container.ip', 'container.labels',
  'container.liveness_probe', 'container.mounts', 'container.name', 'container.privileged',
  'container.readiness_probe', 'container.start_ts', 'container.type', 'evt.args', 'evt.asynctype', 'evt.buffer',
  'evt.buflen', 'evt.buflen.file', 'evt.buflen.file.in', 'evt.buflen.file.out', 'evt.buflen.in',
  'evt.buflen.net', 'evt.buflen.net.in', 'evt.buflen.net.out', 'evt.buflen.out', 'evt.category', 'evt.count',
  'evt.count.error', 'evt.count.error.file', 'evt.count.error.memory', 'evt.count.error.net',
  'evt.count.error.other', 'evt.count.exit', 'evt.count.procinfo', 'evt.count.threadinfo', 'evt.cpu',
  'evt.datetime', 'evt.datetime.s', 'evt.deltatime', 'evt.deltatime.ns', 'evt.deltatime.s', 'evt.dir',
  'evt.failed', 'evt.hostname', 'evt.info', 'evt.infra.docker.container.id', 'evt.infra.docker.container.image',
  'evt.infra.docker.container.name', 'evt.infra.docker.name', 'evt.io_dir', 'evt.is_async', 'evt.is_io',
  'evt.is_io_read', 'evt.is_io_write', 'evt.is_open_create', 'evt.is_open_exec', 'evt.is_open_read',
  'evt.is_open_write', 'evt.is_syslog', 'evt.is_wait', 'evt.latency', 'evt.latency.human', 'evt.latency.ns',
  'evt.latency.quantized', 'evt.latency.s', 'evt.num', 'evt.outputtime', 'evt.plugininfo', 'evt.pluginname',
  'evt.rawres', 'evt.rawtime', 'evt.rawtime.ns', 'evt.rawtime.s', 'evt.reltime', 'evt.reltime.ns',
  'evt.reltime.s', 'evt.res', 'evt.source', 'evt.time', 'evt.time.iso8601', 'evt.time.s', 'evt.type',
  'evt.wait_latency', 'fd.cip', 'fd.cip.name', 'fd.cnet', 'fd.connected', 'fd.containerdirectory',
  'fd.containername', 'fd.cport', 'fd.cproto', 'fd.dev', 'fd.dev.major', 'fd.dev.minor', 'fd.directory',
  'fd.filename', 'fd.ino', 'fd.ip', 'fd.is_lower_layer', 'fd.is_server', 'fd.is_upper_layer', 'fd.l4proto',
  'fd.lip', 'fd.lip.name', 'fd.lnet', 'fd.lport', 'fd.lproto', 'fd.name', 'fd.name_changed', 'fd.nameraw',
  'fd.net', 'fd.num', 'fd.port', 'fd.proto', 'fd.rip', 'fd.rip.name', 'fd.rnet', 'fd.rport', 'fd.rproto',
  'fd.sip', 'fd.sip.name', 'fd.snet', 'fd.sockfamily', 'fd.sport', 'fd.sproto', 'fd.type', 'fd.typechar',
  'fd.uid', 'fdlist.cips', 'fdlist.cports', 'fdlist.names', 'fdlist.nums', 'fdlist.sips', 'fdlist.sports',
  'fs.path.name', 'fs.path.nameraw', 'fs.path.source', 'fs.path.sourceraw', 'fs.path.target',
  'fs.path.targetraw', 'group.gid', 'group.name', 'k8s.deployment.id', 'k8s.deployment.labels',
  'k8s.deployment.name', 'k8s.ns.id', 'k8s.ns.labels', 'k8s.ns.name', 'k8s.pod.cni.json',
  'k8s.pod.full_sandbox_id', 'k8s.pod.id', 'k8s.pod.ip', 'k8s.pod.labels', 'k8s.pod.name', 'k8s.pod.sandbox_id',
  'k8s.pod.uid', 'k8s.rc.id', 'k8s.rc.labels', 'k8s.rc.name', 'k8s.rs.id', 'k8s.rs.labels', 'k8s.rs.name',
  'k8s.svc.id', 'k8s.svc.labels', 'k8s.svc.name', 'proc.cmdlenargs', 'proc.cmdline', 'proc.cmdnargs', 'proc.cwd',
  'proc.duration', 'proc.exe', 'proc.exe_ino', 'proc.exe_ino.ctime', 'proc.exe_ino.ctime_duration_pidns_start',
  'proc.exe_ino.ctime_duration_proc_start', 'proc.exe_ino.mtime', 'proc.exeline', 'proc.exepath', 'proc.fdlimit',
  'proc.fdopencount', 'proc.fdusage', 'proc.is_container_healthcheck', 'proc.is_container_liveness_probe',
  'proc.is_container_readiness_probe', 'proc.is_exe_from_memfd', 'proc.is_exe_lower_layer',
  'proc.is_exe_upper_layer', 'proc.is_exe_writable', 'proc.is_pgid_leader', 'proc.is_sid_leader',
  'proc.is_vpgid_leader', 'proc.loginshellid', 'proc.name', 'proc.nchilds', 'proc.nthreads', 'proc.pcmdline',
  'proc.pexe', 'proc.pexepath', 'proc.pgid', 'proc.pgid.exe', 'proc.pgid.exepath', 'proc.pgid.name', 'proc.pid',
  'proc.pid.ts', 'proc.pidns_init_start_ts', 'proc.pname', 'proc.ppid', 'proc.ppid.duration', 'proc.ppid.ts',
  'proc.pvpid', 'proc.sid', 'proc.sid.exe', 'proc.sid.exepath', 'proc.sname', 'proc.stderr.name',
  'proc.stderr.type', 'proc.stdin.name', 'proc.stdin.type', 'proc.stdout.name', 'proc.stdout.type', 'proc.tty',
  'proc.vmrss', 'proc.vmsize', 'proc.vmswap', 'proc.vpgid', 'proc.vpgid.exe', 'proc.vpgid.exepath',
  'proc.vpgid.name', 'proc.vpid', 'syscall.type', 'thread.cap_effective', 'thread.cap_inheritable',
  'thread.cap_permitted', 'thread.cgroups', 'thread.cpu', 'thread.cpu.system', 'thread.cpu.user',
  'thread.exectime', 'thread.ismain', 'thread.nametid', 'thread.pfmajor', 'thread.pfminor', 'thread.tid',
  'thread.totexectime', 'thread.vmrss', 'thread.vmrss.b', 'thread.vmsize', 'thread.vmsize.b', 'thread.vtid',
  'user.homedir', 'user.loginname', 'user.loginuid', 'user.name', 'user.shell', 'user.uid', 'util.cnt',
];

/**
 * Fields that take an argument: whether it is required or optional, and its forms
 * (`dot`: `evt.arg.name`; `bracket`: `proc.aname[2]`).
 */
export const FALCO_ARGUMENT_FIELDS: { readonly [name: string]: readonly string[] } = {
  'container.label': ['required', 'bracket'],
  'container.mount': ['required', 'bracket'],
  'container.mount.dest': ['required', 'bracket'],
  'container.mount.mode': ['required', 'bracket'],
  'container.mount.propagation': ['required', 'bracket'],
  'container.mount.rdwr': ['required', 'bracket'],
  'container.mount.source': ['required', 'bracket'],
  'evt.abspath': ['optional', 'dot'],
  'evt.arg': ['required', 'dot', 'bracket'],
  'evt.around': ['required', 'bracket'],
  'evt.rawarg': ['required', 'dot'],
  'evt.type.is': ['required', 'dot'],
  'fd.types': ['optional', 'bracket'],
  'k8s.deployment.label': ['required', 'bracket'],
  'k8s.ns.label': ['required', 'bracket'],
  'k8s.pod.label': ['required', 'bracket'],
  'k8s.rc.label': ['required', 'bracket'],
  'k8s.rs.label': ['required', 'bracket'],
  'k8s.svc.label': ['required', 'bracket'],
  'proc.aargs': ['optional', 'bracket'],
  'proc.acmdline': ['optional', 'bracket'],
  'proc.aenv': ['optional', 'bracket'],
  'proc.aexe': ['optional', 'bracket'],
  'proc.aexepath': ['optional', 'bracket'],
  'proc.aname': ['optional', 'bracket'],
  'proc.apid': ['optional', 'bracket'],
  'proc.args': ['optional', 'bracket'],
  'proc.env': ['optional', 'bracket'],
  'thread.cgroup': ['required', 'dot'],
};
