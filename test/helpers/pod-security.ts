/**
 * The Pod Security Standards checks, as the Kubernetes page defines them
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/):
 * `violations(spec, level)` lists what a pod spec does that the level forbids.
 */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

function baseline(spec: any): string[] {
  const found: string[] = [];
  const containers: any[] = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
  const contexts: [string, any][] = [['pod', spec.securityContext ?? {}], ...containers.map((c): [string, any] => [c.name, c.securityContext ?? {}])];
  for (const [where, ctx] of contexts) {
    if (ctx.windowsOptions?.hostProcess) found.push(`${where}: hostProcess`);
    if (ctx.privileged) found.push(`${where}: privileged`);
    for (const cap of ctx.capabilities?.add ?? []) if (!BASELINE_CAPABILITIES.has(cap)) found.push(`${where}: adds capability ${cap}`);
    if (ctx.appArmorProfile && !['RuntimeDefault', 'Localhost'].includes(ctx.appArmorProfile.type)) found.push(`${where}: AppArmor ${ctx.appArmorProfile.type}`);
    const se = ctx.seLinuxOptions;
    if (se && (!SELINUX_TYPES.has(se.type ?? '') || se.user || se.role)) found.push(`${where}: SELinux options`);
    if (ctx.procMount && ctx.procMount !== 'Default') found.push(`${where}: procMount ${ctx.procMount}`);
    if (ctx.seccompProfile?.type === 'Unconfined') found.push(`${where}: seccomp Unconfined`);
  }
  for (const flag of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[flag]) found.push(`pod: ${flag}`);
  for (const v of spec.volumes ?? []) if (v.hostPath) found.push(`volume ${v.name}: hostPath`);
  for (const c of containers) for (const p of c.ports ?? []) if (p.hostPort) found.push(`${c.name}: hostPort ${p.hostPort}`);
  for (const s of spec.securityContext?.sysctls ?? []) if (!SAFE_SYSCTLS.has(s.name)) found.push(`pod: sysctl ${s.name}`);
  return found;
}

function restricted(spec: any): string[] {
  const found = baseline(spec);
  const pod = spec.securityContext ?? {};
  for (const v of spec.volumes ?? []) {
    if (!RESTRICTED_VOLUMES.some((type) => v[type] !== undefined)) found.push(`volume ${v.name}: type not allowed`);
  }
  // Ephemeral containers are checked like the others; init containers too.
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    const ctx = c.securityContext ?? {};
    if (ctx.allowPrivilegeEscalation !== false) found.push(`${c.name}: allowPrivilegeEscalation not false`);
    if (!(ctx.runAsNonRoot ?? pod.runAsNonRoot)) found.push(`${c.name}: runAsNonRoot not true`);
    if ((ctx.runAsUser ?? pod.runAsUser) === 0) found.push(`${c.name}: runAsUser 0`);
    const seccomp = ctx.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) found.push(`${c.name}: seccomp ${seccomp ?? 'unset'}`);
    if (!(ctx.capabilities?.drop ?? []).includes('ALL')) found.push(`${c.name}: does not drop ALL capabilities`);
    for (const cap of ctx.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') found.push(`${c.name}: adds capability ${cap}`);
  }
  if (pod.runAsUser === 0) found.push('pod: runAsUser 0');
  return found;
}

/** What the pod spec does that the level forbids (empty: it meets the level). */
export function violations(spec: any, level: PodSecurityLevel): string[] {
  return level === 'privileged' ? [] : level === 'baseline' ? baseline(spec) : restricted(spec);
}

/** The strictest level the pod spec meets. */
export function strictestLevel(spec: any): PodSecurityLevel {
  return violations(spec, 'restricted').length === 0 ? 'restricted' : violations(spec, 'baseline').length === 0 ? 'baseline' : 'privileged';
}
