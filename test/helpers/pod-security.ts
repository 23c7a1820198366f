/**
 * The Pod Security Standards checks, as the Kubernetes page defines them
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/):
 * `violations(template, level)` lists what a pod template (`metadata` and `spec`)
 * does that the level forbids.
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

function baseline(template: any): string[] {
  const spec = template.spec;
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
  for (const [key, value] of Object.entries(template.metadata?.annotations ?? {})) {
    if (key.startsWith('container.apparmor.security.beta.kubernetes.io/') && value !== 'runtime/default' && !String(value).startsWith('localhost/')) {
      found.push(`annotation ${key}: ${value}`);
    }
  }
  // Host Probes / Lifecycle Hooks: no probe or hook may name another host.
  for (const c of containers) {
    const handlers = [c.livenessProbe, c.readinessProbe, c.startupProbe, c.lifecycle?.postStart, c.lifecycle?.preStop];
    for (const h of handlers) if (h?.httpGet?.host || h?.tcpSocket?.host) found.push(`${c.name}: probe or hook host ${h.httpGet?.host ?? h.tcpSocket.host}`);
  }
  return found;
}

function restricted(template: any): string[] {
  const spec = template.spec;
  const found = baseline(template);
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
  if (pod.runAsNonRoot === false) found.push('pod: runAsNonRoot false');
  return found;
}

/** What the pod template does that the level forbids (empty: it meets the level). */
export function violations(template: any, level: PodSecurityLevel): string[] {
  return level === 'privileged' ? [] : level === 'baseline' ? baseline(template) : restricted(template);
}

/** The strictest level the pod template meets. */
export function strictestLevel(template: any): PodSecurityLevel {
  return violations(template, 'restricted').length === 0 ? 'restricted' : violations(template, 'baseline').length === 0 ? 'baseline' : 'privileged';
}
