import { Testing } from 'cdk8s';
import { PodSecurityLevel, strictestLevel, violations } from './helpers/pod-security';
import { ElasticsearchMaxMapCount, SecurityLoggingChart } from '../src';

const WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'];
const ORDER: PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];

function stack(props: any = {}) {
  const objects = Testing.synth(new SecurityLoggingChart(Testing.app(), 'stack', props));
  const namespace = objects.find((o) => o.kind === 'Namespace');
  const pods = objects.filter((o) => WORKLOADS.includes(o.kind)).map((o) => ({ name: `${o.kind}/${o.metadata.name}`, spec: o.spec.template.spec }));
  return { level: namespace.metadata.labels['pod-security.kubernetes.io/enforce'] as PodSecurityLevel, pods };
}

describe('Pod Security Standards', () => {
  test('the checks find what they forbid', () => {
    const restrictedPod = {
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'x' } }],
    };
    expect(strictestLevel(restrictedPod)).toBe('restricted');
    const withContainer = (securityContext: any) => ({ ...restrictedPod, containers: [{ name: 'c', securityContext }] });
    expect(violations(withContainer({ allowPrivilegeEscalation: false }), 'restricted')).toEqual(['c: does not drop ALL capabilities']);
    expect(violations(withContainer({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } }), 'baseline'))
      .toEqual(['c: adds capability SYS_ADMIN']);
    expect(violations(withContainer({ privileged: true }), 'baseline')).toEqual(['c: privileged']);
    expect(violations({ ...restrictedPod, hostPID: true }, 'baseline')).toEqual(['pod: hostPID']);
    expect(violations({ ...restrictedPod, volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] }, 'baseline')).toEqual(['volume logs: hostPath']);
    expect(violations({ ...restrictedPod, securityContext: { ...restrictedPod.securityContext, sysctls: [{ name: 'vm.max_map_count', value: '262144' }] } }, 'baseline'))
      .toEqual(['pod: sysctl vm.max_map_count']);
    expect(violations({ ...restrictedPod, securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }, 'restricted')).toEqual(['c: runAsNonRoot not true']);
  });

  test('what each pod of the default stack meets', () => {
    // Job names end in a content hash; the level is what matters here.
    const levels = (props: any) => Object.fromEntries(stack(props).pods.map((p) => [p.name.replace(/-[0-9a-f]{10}$/, ''), strictestLevel(p.spec)]));
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
    for (const pod of pods) expect({ pod: pod.name, violations: violations(pod.spec, level) }).toEqual({ pod: pod.name, violations: [] });
    const strictest = ORDER[Math.min(...pods.map((p) => ORDER.indexOf(strictestLevel(p.spec))))];
    expect(level).toBe(strictest);
  });
});
