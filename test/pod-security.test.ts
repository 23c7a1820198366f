import { stackObjects, stackOf } from './helpers/chart';
import { WORKLOAD_KINDS } from './helpers/dist';
import { PodSecurityLevel, strictestLevel, violations } from './helpers/pod-security';
import { ElasticsearchMaxMapCount, ElasticsearchSecurity, LogAgent } from '../src';

const ORDER: PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];

interface Pod { readonly name: string; readonly namespace: string; readonly template: any }

/** Both charts of a stack: each namespace's enforced level, and every pod with its namespace. */
function stack(props: any = {}): { levels: { [namespace: string]: PodSecurityLevel }; pods: Pod[] } {
  const objects = stackObjects(stackOf(props));
  const levels = Object.fromEntries(objects.filter((o) => o.kind === 'Namespace')
    .map((n) => [n.metadata.name, n.metadata.labels['pod-security.kubernetes.io/enforce'] as PodSecurityLevel]));
  const pods = objects.filter((o) => WORKLOAD_KINDS.includes(o.kind))
    .map((o) => ({ name: `${o.kind}/${o.metadata.name}`, namespace: o.metadata.namespace, template: o.spec.template }));
  return { levels, pods };
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
      'StatefulSet/elasticsearch': 'restricted', // no sysctl init container: mmap is off in the stack
      'Deployment/kibana': 'restricted',
      'Deployment/kubernetes-events': 'restricted',
      'Job/elasticsearch-bootstrap': 'restricted',
      'Job/kibana-bootstrap': 'restricted',
      'Job/kibana-detection-rules': 'restricted',
      'Job/elasticsearch-setup': 'restricted',
      'Job/kibana-saved-objects': 'restricted',
    });
    // With the init container that raises vm.max_map_count, Elasticsearch needs privileged.
    expect(levels({ elasticsearch: { maxMapCount: ElasticsearchMaxMapCount.PRIVILEGED_INIT_CONTAINER } })['StatefulSet/elasticsearch']).toBe('privileged');
  });

  test('two namespaces: the privileged agents apart from the restricted data, UI and Jobs', () => {
    const { levels, pods } = stack();
    expect(levels).toEqual({ 'security-logging': 'restricted', 'security-logging-agents': 'privileged' });
    expect(pods.filter((p) => p.namespace === 'security-logging-agents').map((p) => p.name)).toEqual(['DaemonSet/fluentd', 'DaemonSet/falco']);
    // The sysctl init container takes the data namespace to privileged: the label follows.
    expect(stack({ elasticsearch: { maxMapCount: ElasticsearchMaxMapCount.PRIVILEGED_INIT_CONTAINER } }).levels['security-logging']).toBe('privileged');
  });

  test.each([
    ['the default stack', {}],
    ['no Falco, no KubeArmor, no audit', { falcoAlerts: false, kubeArmorAlerts: false, auditLogs: false }],
    ['Elasticsearch with the sysctl init container', { elasticsearch: { maxMapCount: ElasticsearchMaxMapCount.PRIVILEGED_INIT_CONTAINER } }],
    ['security disabled, cert-manager off', { elasticsearch: { security: ElasticsearchSecurity.disabledForDevelopmentOnly() } }],
    ['Fluent Bit as the agent', { agent: LogAgent.FLUENT_BIT }],
  ])('%s: every pod meets its namespace\'s level, and each level is the strictest its pods all meet', (_name, props) => {
    const { levels, pods } = stack(props);
    expect(Object.keys(levels)).toHaveLength(2);
    for (const [namespace, level] of Object.entries(levels)) {
      expect(ORDER).toContain(level);
      const here = pods.filter((p) => p.namespace === namespace);
      expect(here.length).toBeGreaterThan(0);
      for (const pod of here) expect({ pod: pod.name, violations: violations(pod.template, level) }).toEqual({ pod: pod.name, violations: [] });
      const strictest = ORDER[Math.min(...here.map((p) => ORDER.indexOf(strictestLevel(p.template))))];
      expect({ namespace, level }).toEqual({ namespace, level: strictest });
    }
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
