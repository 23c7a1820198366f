import { Testing } from 'cdk8s';
import { WORKLOAD_KINDS } from './helpers/dist';
import { PodSecurityLevel, strictestLevel, violations } from './helpers/pod-security';
import { ElasticsearchMaxMapCount, SecurityLoggingChart } from '../src';

const ORDER: PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];

function stack(props: any = {}) {
  const objects = Testing.synth(new SecurityLoggingChart(Testing.app(), 'stack', props));
  const namespace = objects.find((o) => o.kind === 'Namespace');
  const pods = objects.filter((o) => WORKLOAD_KINDS.includes(o.kind)).map((o) => ({ name: `${o.kind}/${o.metadata.name}`, template: o.spec.template }));
  return { level: namespace.metadata.labels['pod-security.kubernetes.io/enforce'] as PodSecurityLevel, pods };
}

describe('Pod Security Standards', () => {
  test('the checks find what they forbid', () => {
    const spec = {
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'x' } }],
    };
    const ok = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
    expect(strictestLevel({ spec })).toBe('restricted');
    const pod = (changes: any, metadata: any = {}) => ({ metadata, spec: { ...spec, ...changes } });
    const container = (extra: any) => pod({ containers: [{ name: 'c', ...extra, securityContext: { ...ok, ...extra.securityContext } }] });
    const podContext = (extra: any) => pod({ securityContext: { ...spec.securityContext, ...extra } });
    const cases: [string, any, PodSecurityLevel, string[]][] = [
      ['privileged', container({ securityContext: { privileged: true } }), 'baseline', ['c: privileged']],
      ['hostProcess', container({ securityContext: { windowsOptions: { hostProcess: true } } }), 'baseline', ['c: hostProcess']],
      ['an unsafe capability', container({ securityContext: { capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } } }), 'baseline', ['c: adds capability SYS_ADMIN']],
      ['hostPID', pod({ hostPID: true }), 'baseline', ['pod: hostPID']],
      ['hostPath', pod({ volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] }), 'baseline', ['volume logs: hostPath']],
      ['a host port', container({ ports: [{ containerPort: 80, hostPort: 80 }] }), 'baseline', ['c: hostPort 80']],
      ['AppArmor unconfined', container({ securityContext: { appArmorProfile: { type: 'Unconfined' } } }), 'baseline', ['c: AppArmor Unconfined']],
      ['the AppArmor annotation', pod({}, { annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' } }), 'baseline',
        ['annotation container.apparmor.security.beta.kubernetes.io/c: unconfined']],
      ['an SELinux user', container({ securityContext: { seLinuxOptions: { user: 'system_u' } } }), 'baseline', ['c: SELinux options']],
      ['an unmasked /proc', container({ securityContext: { procMount: 'Unmasked' } }), 'baseline', ['c: procMount Unmasked']],
      ['seccomp unconfined', container({ securityContext: { seccompProfile: { type: 'Unconfined' } } }), 'baseline', ['c: seccomp Unconfined']],
      ['an unsafe sysctl', podContext({ sysctls: [{ name: 'vm.max_map_count', value: '262144' }] }), 'baseline', ['pod: sysctl vm.max_map_count']],
      ['a probe on another host', container({ livenessProbe: { httpGet: { host: '10.0.0.1', port: 80 } } }), 'baseline', ['c: probe or hook host 10.0.0.1']],
      ['an NFS volume', pod({ volumes: [{ name: 'n', nfs: { server: 's', path: '/' } }] }), 'restricted', ['volume n: type not allowed']],
      ['privilege escalation', container({ securityContext: { allowPrivilegeEscalation: true } }), 'restricted', ['c: allowPrivilegeEscalation not false']],
      ['root allowed', pod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }), 'restricted', ['c: runAsNonRoot not true']],
      ['runAsNonRoot false on the pod', podContext({ runAsNonRoot: false }), 'restricted', ['c: runAsNonRoot not true', 'pod: runAsNonRoot false']],
      ['uid 0', podContext({ runAsUser: 0 }), 'restricted', ['c: runAsUser 0', 'pod: runAsUser 0']],
      ['no seccomp profile', pod({ securityContext: { runAsNonRoot: true } }), 'restricted', ['c: seccomp unset']],
      ['capabilities kept', container({ securityContext: { capabilities: {} } }), 'restricted', ['c: does not drop ALL capabilities']],
      ['an added capability', container({ securityContext: { capabilities: { drop: ['ALL'], add: ['CHOWN'] } } }), 'restricted', ['c: adds capability CHOWN']],
    ];
    for (const [what, template, level, expected] of cases) expect({ what, found: violations(template, level) }).toEqual({ what, found: expected });
    // NET_BIND_SERVICE is the one capability restricted allows.
    expect(violations(container({ securityContext: { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } }), 'restricted')).toEqual([]);
  });

  test('what each pod of the default stack meets', () => {
    // Job names end in a content hash; the level is what matters here.
    const levels = (props: any) => Object.fromEntries(stack(props).pods.map((p) => [p.name.replace(/-[0-9a-f]{10}$/, ''), strictestLevel(p.template)]));
    expect(levels({})).toEqual({
      'DaemonSet/falco': 'privileged', // kernel instrumentation
      'DaemonSet/fluentd': 'privileged', // hostPath /var/log and its buffers
      'StatefulSet/elasticsearch': 'privileged', // the init container that raises vm.max_map_count
      'Deployment/kibana': 'restricted',
      'Job/elasticsearch-setup': 'restricted',
      'Job/kibana-saved-objects': 'restricted',
    });
    // Without the sysctl init container, Elasticsearch meets restricted.
    expect(levels({ elasticsearch: { maxMapCount: ElasticsearchMaxMapCount.DISABLE_MMAP } })['StatefulSet/elasticsearch']).toBe('restricted');
  });

  test.each([
    ['the default stack', {}],
    ['no Falco, no KubeArmor, no audit', { falcoAlerts: false, kubeArmorAlerts: false, auditLogs: false }],
    ['Elasticsearch without the sysctl init container', { elasticsearch: { maxMapCount: ElasticsearchMaxMapCount.DISABLE_MMAP } }],
  ])('%s: every pod meets the namespace level, and the level is the strictest they all meet', (_name, props) => {
    const { level, pods } = stack(props);
    expect(ORDER).toContain(level);
    for (const pod of pods) expect({ pod: pod.name, violations: violations(pod.template, level) }).toEqual({ pod: pod.name, violations: [] });
    const strictest = ORDER[Math.min(...pods.map((p) => ORDER.indexOf(strictestLevel(p.template))))];
    expect(level).toBe(strictest);
  });

  test('read-only root filesystems everywhere the image allows it', () => {
    const writable = stack({ falco: { driver: 'kmod' } }).pods.flatMap((p) => [...(p.template.spec.initContainers ?? []), ...p.template.spec.containers]
      .filter((c: any) => c.securityContext?.readOnlyRootFilesystem !== true).map((c: any) => `${p.name}/${c.name}`));
    expect(writable).toEqual([
      'StatefulSet/elasticsearch/elasticsearch', // keystore into the config directory at start-up
      'DaemonSet/fluentd/fluentd', // the entrypoint runs fluentd through bundler
      'DaemonSet/falco/falco-driver-loader', // builds and inserts the kernel module
      'DaemonSet/falco/falco', // as falcosecurity's chart runs it
    ]);
  });
});
