import { Duration } from 'cdk8s';
import { DetectionCondition as C } from './detection-condition';
import { DetectionRule, DetectionRuleSeverity as S, DetectionRules, MitreTactic as T, MitreTechnique } from './detection-rules';
import { validateInstance } from '../common/validation';
import { IndexTemplate } from '../elasticsearch/index-template';

/** The families the built-in rules search; a rule whose family is not given is left out. */
/**
 * Every grouping (threshold) and new-terms rule counts per Kubernetes cluster first: when
 * several clusters ship to one Elasticsearch, a pod or a node of one name in two clusters
 * is two, and a user agent one cluster knows is still new to another.
 */
const CLUSTER = 'orchestrator.cluster.name';

export interface BuiltInDetectionRulesProps {
  /** Falco alerts. @default - no Falco rules */
  readonly falco?: IndexTemplate;
  /** KubeArmor alerts. @default - no KubeArmor alert rules */
  readonly kubeArmorAlerts?: IndexTemplate;
  /** KubeArmor logs (the events it observed). @default - no KubeArmor process rules */
  readonly kubeArmorLogs?: IndexTemplate;
  /** Kubernetes audit events. @default - no audit rules */
  readonly audit?: IndexTemplate;
  /** Kubernetes events. @default - no Kubernetes event rules */
  readonly kubernetesEvents?: IndexTemplate;
  /** The node journal. @default - no node login rules */
  readonly journal?: IndexTemplate;
}

const technique = MitreTechnique.of;
const ESCAPE_TO_HOST = technique(T.PRIVILEGE_ESCALATION, 'T1611', 'Escape to Host');
const CONTAINER_ADMIN = technique(T.EXECUTION, 'T1609', 'Container Administration Command');
const UNIX_SHELL = technique(T.EXECUTION, 'T1059.004', 'Command and Scripting Interpreter: Unix Shell');
const CONTAINER_API = technique(T.CREDENTIAL_ACCESS, 'T1552.007', 'Unsecured Credentials: Container API');

/**
 * Requests of anyone but the control plane: its components, the kubelets and the
 * controllers of kube-system. A workload's service account (`system:serviceaccount:<ns>:*`)
 * is not excluded: a stolen pod token is the usual attacker.
 */
const NOT_CONTROL_PLANE = C.not(C.or(
  C.oneOf('user.name', ['system:kube-controller-manager', 'system:kube-scheduler', 'system:apiserver', 'system:kube-proxy', 'system:volume-scheduler']),
  C.startsWith('user.name', 'system:node:'),
  C.startsWith('user.name', 'system:serviceaccount:kube-system:'),
));
const A = (field: string) => `kubernetes.audit.${field}`;
const WRITE = C.oneOf(A('verb'), ['create', 'update', 'patch']);
/** A request the API server allowed (RBAC's decision annotation). */
const ALLOWED = C.is(A('annotations.authorization_k8s_io/decision'), 'allow');
/** A request that did not fail: an admission plugin (PodSecurity) may refuse what RBAC allowed. */
const SUCCEEDED = C.not(C.atLeast(A('responseStatus.code'), 400));

/**
 * The built-in detection rules, on the ECS fields of each family: each searches one
 * source, names its MITRE ATT&CK technique, and is tested against positive and negative
 * samples in the source's real format.
 */
export function builtInDetectionRules(props: BuiltInDetectionRulesProps = {}): DetectionRules {
  for (const key of ['falco', 'kubeArmorAlerts', 'kubeArmorLogs', 'audit', 'kubernetesEvents', 'journal'] as const) {
    if (props[key] !== undefined) validateInstance(`built-in detection rules ${key}`, props[key], IndexTemplate, 'stack.indexTemplates["seclog-falco"]');
  }
  const rules = new DetectionRules();
  const on = (template: IndexTemplate | undefined, make: (templates: IndexTemplate[]) => DetectionRule[]) => {
    if (template !== undefined) for (const rule of make([template])) rules.addRule(rule);
  };

  on(props.falco, (indexTemplates) => {
    // Falco's own alerts (dropped events, metrics) are about Falco, not the workloads.
    const workload = C.not(C.is('falco.source', 'internal'));
    return [
      DetectionRule.query({
        ruleId: 'seclog-falco-critical-alert', name: 'Falco alert at Critical or above',
        description: 'Falco raised an alert of priority Critical, Alert or Emergency (event.severity 5 to 7): its rules at those levels stand for a likely compromise of the container or node.',
        severity: S.HIGH, riskScore: 73, techniques: [ESCAPE_TO_HOST], indexTemplates,
        condition: C.and(C.atLeast('event.severity', 5), workload),
      }),
      DetectionRule.threshold({
        ruleId: 'seclog-falco-alert-burst-on-node', name: 'A burst of Falco alerts on one node',
        description: 'Twenty or more Falco alerts (Warning or above) on one node within a run: many rules firing together point to an intrusion in progress rather than one odd process.',
        severity: S.MEDIUM, riskScore: 47, techniques: [CONTAINER_ADMIN], indexTemplates,
        condition: C.and(C.atLeast('event.severity', 3), workload), groupBy: [CLUSTER, 'host.name'], threshold: 20,
      }),
    ];
  });

  on(props.kubeArmorAlerts, (indexTemplates) => {
    const block = C.is('event.action', 'block');
    return [
      DetectionRule.query({
        ruleId: 'seclog-kubearmor-block', name: 'KubeArmor blocked an action',
        description: 'A KubeArmor policy blocked a process, file or network access in a container or on a node: something tried what the policy forbids.',
        severity: S.MEDIUM, riskScore: 47, techniques: [technique(T.DEFENSE_EVASION, 'T1562.001', 'Impair Defenses: Disable or Modify Tools')], indexTemplates,
        condition: block,
      }),
      DetectionRule.threshold({
        ruleId: 'seclog-kubearmor-block-spike', name: 'A spike of KubeArmor blocks in one pod',
        description: 'Ten or more KubeArmor blocks in one pod within a run: repeated attempts against the policy, as a script or an attacker makes them.',
        severity: S.HIGH, riskScore: 73, techniques: [UNIX_SHELL], indexTemplates,
        condition: C.and(block, C.exists('kubernetes.pod.name')), groupBy: [CLUSTER, 'kubernetes.namespace', 'kubernetes.pod.name'], threshold: 10,
      }),
    ];
  });

  on(props.kubeArmorLogs, (indexTemplates) => [
    DetectionRule.query({
      ruleId: 'seclog-container-shell-or-package-manager', name: 'A shell or package manager started in a container',
      description: 'KubeArmor saw a shell or a package manager start in a pod: production containers rarely run either, and an attacker who got in runs both.',
      severity: S.MEDIUM, riskScore: 47, techniques: [UNIX_SHELL], indexTemplates,
      condition: C.and(C.is('event.category', 'process'), C.exists('kubernetes.pod.name'),
        C.oneOf('process.name', ['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'apt', 'apt-get', 'dpkg', 'yum', 'dnf', 'rpm', 'apk', 'pip', 'pip3'])),
      falsePositives: ['Debugging sessions in development namespaces', 'Images whose entrypoint is a shell script'],
    }),
  ]);

  on(props.audit, (indexTemplates) => [
    DetectionRule.query({
      ruleId: 'seclog-k8s-exec-or-attach', name: 'Exec or attach into a pod',
      description: 'Someone opened a command or an attached session in a running container through the API server (kubectl exec / attach).',
      severity: S.MEDIUM, riskScore: 47, techniques: [CONTAINER_ADMIN], indexTemplates,
      // A session is logged when it starts and again when it ends: the start, once.
      condition: C.and(C.oneOf(A('objectRef.subresource'), ['exec', 'attach']), C.oneOf(A('verb'), ['create', 'get']), C.is(A('stage'), 'ResponseStarted')),
      falsePositives: ['Operators debugging a workload'],
    }),
    DetectionRule.query({
      ruleId: 'seclog-k8s-secret-read-by-user', name: 'Secrets read or listed by an identity outside the control plane',
      description: 'An identity that is not one of the control plane\'s (system:) read, listed or watched secrets: their values are credentials.',
      severity: S.MEDIUM, riskScore: 47, techniques: [CONTAINER_API], indexTemplates,
      // A watch is logged when it starts and when it ends: its start, once.
      condition: C.and(C.is(A('objectRef.resource'), 'secrets'), NOT_CONTROL_PLANE, ALLOWED, C.or(
        C.and(C.oneOf(A('verb'), ['get', 'list']), C.is(A('stage'), 'ResponseComplete')),
        C.and(C.is(A('verb'), 'watch'), C.is(A('stage'), 'ResponseStarted')),
      )),
    }),
    DetectionRule.query({
      ruleId: 'seclog-k8s-cluster-admin-binding', name: 'A binding to cluster-admin',
      description: 'A RoleBinding or ClusterRoleBinding to the cluster-admin ClusterRole was created or changed: full control of the cluster for its subjects.',
      severity: S.HIGH, riskScore: 73, techniques: [technique(T.PRIVILEGE_ESCALATION, 'T1098.006', 'Account Manipulation: Additional Container Cluster Roles')], indexTemplates,
      condition: C.and(C.oneOf(A('objectRef.resource'), ['clusterrolebindings', 'rolebindings']), WRITE, C.is(A('requestObject.roleRef.name'), 'cluster-admin'), SUCCEEDED),
    }),
    DetectionRule.query({
      ruleId: 'seclog-k8s-privileged-or-host-pod', name: 'A privileged, hostPath, hostNetwork, hostPID or hostIPC pod created, or a privileged debug container added',
      description: 'A pod was created that runs privileged (a container or an init container) or shares the node\'s paths, network, process or IPC ' +
        'namespace, or a privileged ephemeral container was added to a running pod (kubectl debug --profile=sysadmin): the usual ways out of a container onto its node.',
      severity: S.HIGH, riskScore: 73, techniques: [ESCAPE_TO_HOST], indexTemplates,
      // Pods the control plane's controllers create (a DaemonSet's node agents) are left out:
      // the person who made their workload is not the pod's creator.
      condition: C.and(C.is(A('objectRef.resource'), 'pods'), SUCCEEDED, NOT_CONTROL_PLANE, C.or(
        C.and(C.is(A('verb'), 'create'), C.or(
          C.is(A('requestObject.spec.containers.securityContext.privileged'), 'true'),
          C.is(A('requestObject.spec.initContainers.securityContext.privileged'), 'true'),
          C.exists(A('requestObject.spec.volumes.hostPath')),
          C.is(A('requestObject.spec.hostNetwork'), 'true'), C.is(A('requestObject.spec.hostPID'), 'true'), C.is(A('requestObject.spec.hostIPC'), 'true'),
        )),
        // kubectl debug patches the pod's ephemeralcontainers subresource.
        C.and(C.is(A('objectRef.subresource'), 'ephemeralcontainers'), C.oneOf(A('verb'), ['patch', 'update']),
          C.is(A('requestObject.spec.ephemeralContainers.securityContext.privileged'), 'true')),
      )),
      falsePositives: ['Debug pods of operators (kubectl debug node/...)'],
    }),
    DetectionRule.query({
      ruleId: 'seclog-k8s-anonymous-request-allowed', name: 'An anonymous request allowed',
      description: 'The API server authorized a request of system:anonymous: an unauthenticated client was let in, beyond the health and version endpoints that RBAC allows by default.',
      severity: S.MEDIUM, riskScore: 47, techniques: [technique(T.INITIAL_ACCESS, 'T1078.001', 'Valid Accounts: Default Accounts')], indexTemplates,
      // Beyond what RBAC lets everyone read by default: the health and version endpoints.
      condition: C.and(C.is('user.name', 'system:anonymous'), ALLOWED,
        C.not(C.or(...['/healthz', '/livez', '/readyz', '/version'].map((uri) => C.startsWith(A('requestURI'), uri))))),
    }),
    DetectionRule.query({
      ruleId: 'seclog-k8s-token-request-by-user', name: 'A service-account token requested by an identity outside the control plane',
      description: 'An identity that is not one of the control plane\'s asked the API server for a service account\'s token (TokenRequest): with it, it acts as that account.',
      severity: S.MEDIUM, riskScore: 47, techniques: [technique(T.CREDENTIAL_ACCESS, 'T1528', 'Steal Application Access Token')], indexTemplates,
      condition: C.and(C.is(A('objectRef.resource'), 'serviceaccounts'), C.is(A('objectRef.subresource'), 'token'), C.is(A('verb'), 'create'), NOT_CONTROL_PLANE, SUCCEEDED),
    }),
    DetectionRule.query({
      ruleId: 'seclog-k8s-admission-webhook-changed', name: 'An admission webhook created, changed or deleted',
      description: 'A mutating or validating webhook configuration changed: a webhook sees (and a mutating one rewrites) every object it selects, and removing one turns off a policy engine.',
      severity: S.MEDIUM, riskScore: 47, techniques: [technique(T.PERSISTENCE, 'T1546', 'Event Triggered Execution')], indexTemplates,
      condition: C.and(C.oneOf(A('objectRef.resource'), ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations']),
        C.oneOf(A('verb'), ['create', 'update', 'patch', 'delete']), NOT_CONTROL_PLANE, SUCCEEDED),
      falsePositives: ['cert-manager\'s cainjector writing a renewed CA bundle into a webhook'],
    }),
    DetectionRule.newTerms({
      ruleId: 'seclog-k8s-new-api-client', name: 'An API client never seen before',
      description: 'A user agent that has not called this cluster\'s API server in the last 14 days made an authorized request: a new tool in the cluster, or someone else\'s.',
      severity: S.LOW, riskScore: 21, techniques: [technique(T.DISCOVERY, 'T1613', 'Container and Resource Discovery')], indexTemplates,
      condition: C.and(C.exists('user_agent.original'), NOT_CONTROL_PLANE, ALLOWED), newTermsFields: [CLUSTER, 'user_agent.original'], historyWindow: Duration.days(14),
    }),
  ]);

  on(props.kubernetesEvents, (indexTemplates) => [
    DetectionRule.query({
      ruleId: 'seclog-k8s-repeated-backoff-or-failed-mount', name: 'Repeated BackOff or FailedMount for one pod',
      description: 'A BackOff or FailedMount event for a pod seen ten times or more (the kubelet counts repeats in one Event): a crash loop or a missing volume, which tampering with images, secrets or volumes also causes.',
      severity: S.LOW, riskScore: 21, techniques: [technique(T.IMPACT, 'T1499', 'Endpoint Denial of Service')], indexTemplates,
      condition: C.and(C.oneOf('event.action', ['BackOff', 'FailedMount']), C.exists('kubernetes.pod.name'), C.atLeast('kubernetes.event.count', 10)),
    }),
  ]);

  on(props.journal, (indexTemplates) => [
    DetectionRule.threshold({
      ruleId: 'seclog-node-ssh-brute-force', name: 'Failed SSH logins to a node from one address',
      description: 'Ten or more failed SSH logins to one node from one address within a run: someone guessing credentials.',
      severity: S.MEDIUM, riskScore: 47, techniques: [technique(T.CREDENTIAL_ACCESS, 'T1110', 'Brute Force')], indexTemplates,
      condition: C.and(C.is('event.action', 'ssh_login'), C.is('event.outcome', 'failure')), groupBy: [CLUSTER, 'host.name', 'source.ip'], threshold: 10,
    }),
    DetectionRule.query({
      ruleId: 'seclog-node-sudo-failure', name: 'A failed sudo on a node',
      description: 'sudo refused a user on a node (wrong passwords, or not in sudoers): someone tried to become root there.',
      severity: S.LOW, riskScore: 21, techniques: [technique(T.PRIVILEGE_ESCALATION, 'T1548.003', 'Abuse Elevation Control Mechanism: Sudo and Sudo Caching')], indexTemplates,
      condition: C.and(C.is('event.action', 'sudo'), C.is('event.outcome', 'failure')),
    }),
  ]);
  return rules;
}

/** The built-in detection rules, as a class so that Python, Java and Go can call them too. */
// Static methods only: jsii publishes no free functions to Python, Java and Go.
// eslint-disable-next-line @typescript-eslint/no-extraneous-class
export class BuiltInDetectionRules {
  /** The built-in rules for the families given. */
  public static of(props: BuiltInDetectionRulesProps = {}): DetectionRules {
    return builtInDetectionRules(props);
  }

  private constructor() {}
}
