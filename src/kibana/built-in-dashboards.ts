import { validateDnsLabel, validateInstance } from '../common/validation';
import { IndexTemplate } from '../elasticsearch/index-template';
import {
  KibanaChartType, KibanaDashboard, KibanaDataView, KibanaSavedObjects, KibanaSavedSearch, KibanaVisualization, KibanaVisualizationProps,
} from './saved-objects';

/**
 * The Falco dashboard of the source document: a saved search of the alerts, alerts
 * over time (per minute), the top 10 rules and the priorities as pies, and tables
 * of the top 20 rules, the alerts by node and by pod; and Falco's health: its own
 * alerts (`falco.source` `internal`: dropped system calls, which leave blind spots, and
 * metrics snapshots) by node and rule, and their saved search.
 */
export function falcoDashboard(dataView: KibanaDataView): KibanaDashboard {
  // Falco's own alerts (source "internal") are not about the workloads: they have
  // panels of their own below.
  const alerts = 'not falco.source : "internal"';
  const health = 'falco.source : "internal"';
  const dashboard = new KibanaDashboard({ id: 'falco-dashboard', title: 'Falco', description: 'Falco runtime security alerts' });
  const vis = (id: string, title: string, chart: KibanaChartType, field?: string, size?: number, interval?: string) =>
    dashboard.addVisualization(new KibanaVisualization({ id, title, dataView, chart, field, size, interval, query: alerts }));
  vis('falco-alerts-over-time', 'Falco alerts over time', KibanaChartType.AREA_OVER_TIME, undefined, undefined, '1m');
  vis('falco-top-rules-pie', 'Falco top 10 rules', KibanaChartType.PIE, 'rule.name', 10);
  vis('falco-priorities-pie', 'Falco alerts by priority', KibanaChartType.PIE, 'falco.priority', 8);
  vis('falco-top-rules-table', 'Falco top 20 rules', KibanaChartType.TABLE, 'rule.name', 20);
  vis('falco-alerts-by-node', 'Falco alerts by node', KibanaChartType.TABLE, 'host.name', 20);
  vis('falco-alerts-by-pod', 'Falco alerts by pod', KibanaChartType.TABLE, 'kubernetes.pod.name', 20);
  dashboard.addSavedSearch(new KibanaSavedSearch({
    id: 'falco-alerts', title: 'Falco Alerts', dataView, query: alerts,
    columns: ['falco.priority', 'rule.name', 'host.name', 'kubernetes.pod.name', 'falco.output'],
  }));
  dashboard.addVisualization(new KibanaVisualization({
    id: 'falco-health-by-node', title: 'Falco health: its own alerts (dropped system calls) by node', dataView,
    chart: KibanaChartType.TABLE, field: 'host.name', size: 20, query: health,
  }));
  dashboard.addVisualization(new KibanaVisualization({
    id: 'falco-health-by-rule', title: 'Falco health: its own alerts by kind', dataView, chart: KibanaChartType.PIE, field: 'rule.name', size: 10, query: health,
  }));
  dashboard.addSavedSearch(new KibanaSavedSearch({
    id: 'falco-health', title: 'Falco health', dataView, query: health, columns: ['host.name', 'rule.name', 'falco.output'],
  }));
  return dashboard;
}

/**
 * The audit events of KubeArmor's policy objects that changed the cluster's set: a write the
 * API server carried out (below 400: RBAC may allow what validation, a webhook or a
 * conflict then refuses), not of their status.
 */
const CARRIED_OUT = 'not kubernetes.audit.responseStatus.code >= 400';
const KUBEARMOR_POLICY_CHANGES = `event.action : ("create" or "update" or "patch" or "delete") and ${CARRIED_OUT} and not kubernetes.audit.objectRef.subresource : *`;
const KUBEARMOR_POLICY_TYPES = '("kubearmorpolicy" or "kubearmorhostpolicy" or "kubearmorclusterpolicy")';

/**
 * The KubeArmor dashboard, with the views KubeArmor's own dashboards have: alerts over
 * time by action, per policy, per policy in each pod, by namespace and by tag
 * (`kubearmor.ATags`), by severity, type (MatchedPolicy, MatchedHostPolicy, ...),
 * operation (Process, File, Network, Capabilities) and action (Allow, Audit, Block), the
 * distinct policies that raised alerts per pod; and, given the audit events, the policies
 * deployed per namespace and the host and cluster policies, from the audit events of
 * the `KubeArmorPolicy`, `KubeArmorHostPolicy` and `KubeArmorClusterPolicy` objects,
 * each with its last change (`delete`: gone), and the bulk removals no row shows (a
 * `deletecollection` of policies, a namespace deleted with its policies), by request URI.
 *
 * What the audit events can see: every create, change and delete through the API server
 * since audit collection began, within the audit retention. What they cannot: policies
 * created before that (re-apply them, or `kubectl get kubearmorpolicies -A`, to record
 * them), which pods a policy selects (KubeArmor matches its selector against the pods'
 * labels on the node, and a Metadata-level audit event carries no spec: the pods a
 * policy acts in are those with alerts from it, in the per-pod table), and changes an
 * audit policy drops (the production policy records them at Metadata).
 */
export function kubeArmorDashboard(alerts: KibanaDataView, audit?: KibanaDataView): KibanaDashboard {
  validateInstance('kubearmor dashboard alerts', alerts, KibanaDataView, 'new KibanaDataView({ id, name, template })');
  if (audit !== undefined) validateInstance('kubearmor dashboard audit', audit, KibanaDataView, 'new KibanaDataView({ id, name, template })');
  const dashboard = new KibanaDashboard({ id: 'kubearmor-dashboard', title: 'KubeArmor', description: 'KubeArmor policy alerts and the policies deployed' });
  const add = (props: Omit<KibanaVisualizationProps, 'dataView'> & { dataView?: KibanaDataView }) =>
    dashboard.addVisualization(new KibanaVisualization({ dataView: alerts, ...props }));
  add({ id: 'kubearmor-alerts-over-time', title: 'KubeArmor alerts over time, by action', chart: KibanaChartType.BAR_OVER_TIME, field: 'event.action', size: 3 });
  add({ id: 'kubearmor-alerts-per-policy', title: 'KubeArmor alerts per policy', chart: KibanaChartType.TABLE, field: 'rule.name', size: 20 });
  add({
    id: 'kubearmor-alerts-per-policy-per-pod', title: 'KubeArmor alerts per policy in each pod', chart: KibanaChartType.TABLE,
    field: 'kubernetes.pod.name', size: 20, breakdownField: 'rule.name', breakdownSize: 10,
  });
  add({ id: 'kubearmor-policies-per-pod', title: 'KubeArmor policies that raised alerts, per pod', chart: KibanaChartType.TABLE, field: 'kubernetes.pod.name', size: 20, uniqueCountField: 'rule.name' });
  add({ id: 'kubearmor-alerts-by-namespace', title: 'KubeArmor alerts by namespace and action', chart: KibanaChartType.TABLE, field: 'kubernetes.namespace', size: 20, breakdownField: 'event.action', breakdownSize: 3 });
  add({ id: 'kubearmor-alerts-by-tag', title: 'KubeArmor alerts by tag', chart: KibanaChartType.TABLE, field: 'kubearmor.ATags', size: 20, breakdownField: 'rule.name', breakdownSize: 5 });
  add({ id: 'kubearmor-alerts-by-severity', title: 'KubeArmor alerts by severity', chart: KibanaChartType.PIE, field: 'event.severity', size: 10 });
  add({ id: 'kubearmor-alerts-by-type', title: 'KubeArmor alerts by type', chart: KibanaChartType.PIE, field: 'kubearmor.Type', size: 10 });
  add({ id: 'kubearmor-alerts-by-operation', title: 'KubeArmor alerts by operation', chart: KibanaChartType.PIE, field: 'kubearmor.Operation', size: 10 });
  add({ id: 'kubearmor-alerts-by-action', title: 'KubeArmor alerts by action', chart: KibanaChartType.PIE, field: 'event.action', size: 10 });
  if (audit !== undefined) {
    add({
      id: 'kubearmor-policies-deployed', title: 'KubeArmor policies deployed, per namespace (last change: delete is gone)', dataView: audit,
      chart: KibanaChartType.TABLE, field: 'orchestrator.namespace', size: 50, breakdownField: 'orchestrator.resource.name', breakdownSize: 100,
      latestValueField: 'event.action', query: `orchestrator.resource.type : "kubearmorpolicy" and ${KUBEARMOR_POLICY_CHANGES}`,
    });
    add({
      id: 'kubearmor-host-policies-deployed', title: 'KubeArmor host and cluster policies deployed (last change: delete is gone)', dataView: audit,
      chart: KibanaChartType.TABLE, field: 'orchestrator.resource.type', size: 2, breakdownField: 'orchestrator.resource.name', breakdownSize: 100,
      latestValueField: 'event.action', query: `orchestrator.resource.type : ("kubearmorhostpolicy" or "kubearmorclusterpolicy") and ${KUBEARMOR_POLICY_CHANGES}`,
    });
    // A deletecollection names no policy, and a namespace's deletion removes its policies with it.
    add({
      id: 'kubearmor-policies-removed-in-bulk', title: 'KubeArmor policies removed in bulk (deletecollection, namespaces deleted), by request, last time', dataView: audit,
      chart: KibanaChartType.TABLE, field: 'orchestrator.resource.type', size: 4, breakdownField: 'kubernetes.audit.requestURI', breakdownSize: 50,
      latestValueField: '@timestamp', query: `((orchestrator.resource.type : ${KUBEARMOR_POLICY_TYPES} and event.action : "deletecollection") or ` +
        `(orchestrator.resource.type : "namespace" and event.action : "delete")) and ${CARRIED_OUT}`,
    });
  }
  return dashboard;
}

/**
 * The Kubernetes audit dashboard: events over time, by user, verb, namespace,
 * resource and response code, and who read or changed secrets.
 */
export function auditDashboard(events: KibanaDataView): KibanaDashboard {
  const dashboard = new KibanaDashboard({ id: 'audit-dashboard', title: 'Kubernetes audit', description: 'Kubernetes API server audit events' });
  dashboard.addVisualization(new KibanaVisualization({ id: 'audit-events-over-time', title: 'Audit events over time', dataView: events, chart: KibanaChartType.AREA_OVER_TIME }));
  const table = (id: string, title: string, field: string) =>
    dashboard.addVisualization(new KibanaVisualization({ id, title, dataView: events, chart: KibanaChartType.TABLE, field, size: 20 }));
  table('audit-events-by-user', 'Audit events by user', 'user.name');
  table('audit-events-by-verb', 'Audit events by verb', 'event.action');
  table('audit-events-by-namespace', 'Audit events by namespace', 'orchestrator.namespace');
  table('audit-events-by-resource', 'Audit events by resource', 'orchestrator.resource.type');
  table('audit-events-by-response-code', 'Audit events by response code', 'kubernetes.audit.responseStatus.code');
  dashboard.addSavedSearch(new KibanaSavedSearch({
    id: 'audit-secrets-access', title: 'Who read or changed secrets', dataView: events,
    query: 'orchestrator.resource.type : "secret"',
    columns: ['user.name', 'event.action', 'orchestrator.namespace', 'orchestrator.resource.name', 'kubernetes.audit.responseStatus.code', 'source.ip'],
  }));
  return dashboard;
}

/**
 * The node journal dashboard: logins (sshd) over time, by outcome, user, source address
 * and node, the sudo commands by user, and a saved search of failed logins and sudo
 * errors.
 */
export function nodeJournalDashboard(entries: KibanaDataView): KibanaDashboard {
  const logins = 'event.action : "ssh_login"';
  const dashboard = new KibanaDashboard({ id: 'node-journal-dashboard', title: 'Node logins and sudo', description: 'sshd logins and sudo commands from the nodes\' journals' });
  const vis = (id: string, title: string, chart: KibanaChartType, query: string, field?: string) =>
    dashboard.addVisualization(new KibanaVisualization({ id, title, dataView: entries, chart, field, size: field === undefined ? undefined : 20, query }));
  vis('node-logins-over-time', 'Node logins over time', KibanaChartType.AREA_OVER_TIME, logins);
  vis('node-logins-by-outcome', 'Node logins by outcome', KibanaChartType.PIE, logins, 'event.outcome');
  vis('node-logins-by-user', 'Node logins by user', KibanaChartType.TABLE, logins, 'user.name');
  vis('node-logins-by-source', 'Node logins by source address', KibanaChartType.TABLE, logins, 'source.ip');
  vis('node-logins-by-node', 'Node logins by node', KibanaChartType.TABLE, logins, 'host.name');
  vis('node-sudo-by-user', 'sudo commands by user', KibanaChartType.TABLE, 'event.action : "sudo"', 'user.name');
  dashboard.addSavedSearch(new KibanaSavedSearch({
    id: 'node-auth-failures', title: 'Failed node logins and sudo', dataView: entries,
    query: 'event.outcome : "failure"',
    columns: ['host.name', 'process.name', 'user.name', 'source.ip', 'message'],
  }));
  return dashboard;
}

/** The data views of the security overview. */
export interface SecurityOverviewProps {
  /** Every security source's events (one data view across their families). */
  readonly events: KibanaDataView;
  /**
   * The detection alerts the rules' index action writes.
   * @default - no detection alert panels
   */
  readonly detectionAlerts?: KibanaDataView;
}

/**
 * The security overview: one dashboard across every security source (Falco, KubeArmor,
 * audit, Kubernetes events, the nodes' journal and syslog), events over time by source,
 * and by cluster, namespace, pod, node and severity (each source's own scale, higher is
 * worse: Falco, journal and syslog 0 to 7, KubeArmor 1 to 10), each split by source; and
 * the detection rules' alerts over time by rule, by severity and by ATT&CK technique,
 * with their saved search.
 */
export function securityOverviewDashboard(props: SecurityOverviewProps): KibanaDashboard {
  const example = 'new KibanaDataView({ id, name, template, additionalTemplates })';
  validateInstance('security overview events', props?.events, KibanaDataView, example);
  if (props.detectionAlerts !== undefined) validateInstance('security overview detectionAlerts', props.detectionAlerts, KibanaDataView, example);
  const dashboard = new KibanaDashboard({
    id: 'security-overview', title: 'Security overview',
    description: 'Every security source by cluster, namespace, pod, node and severity, and the detection rules\' alerts',
  });
  const add = (p: KibanaVisualizationProps) => dashboard.addVisualization(new KibanaVisualization(p));
  const events = props.events;
  add({ id: 'overview-events-over-time', title: 'Security events over time, by source', dataView: events, chart: KibanaChartType.BAR_OVER_TIME, field: 'event.dataset' });
  const bySource = (id: string, title: string, field: string, size: number) =>
    add({ id, title, dataView: events, chart: KibanaChartType.TABLE, field, size, breakdownField: 'event.dataset', breakdownSize: 10 });
  bySource('overview-by-cluster', 'Security events by cluster and source', 'orchestrator.cluster.name', 10);
  bySource('overview-by-namespace', 'Security events by namespace and source', 'kubernetes.namespace', 20);
  bySource('overview-by-pod', 'Security events by pod and source', 'kubernetes.pod.name', 20);
  bySource('overview-by-node', 'Security events by node and source', 'host.name', 20);
  add({
    id: 'overview-by-severity', title: 'Security events by source and severity (the source\'s scale; higher is worse)', dataView: events,
    chart: KibanaChartType.TABLE, field: 'event.dataset', size: 10, breakdownField: 'event.severity', breakdownSize: 11, query: 'event.severity : *',
  });
  const alerts = props.detectionAlerts;
  if (alerts !== undefined) {
    add({ id: 'detection-alerts-over-time', title: 'Detection alerts over time, by rule', dataView: alerts, chart: KibanaChartType.BAR_OVER_TIME, field: 'kibana.alert.rule.name' });
    add({ id: 'detection-alerts-by-severity', title: 'Detection alerts by severity', dataView: alerts, chart: KibanaChartType.PIE, field: 'kibana.alert.severity', size: 4 });
    add({
      id: 'detection-alerts-by-technique', title: 'Detection alerts by ATT&CK technique and rule', dataView: alerts, chart: KibanaChartType.TABLE,
      field: 'threat.technique.name', size: 20, breakdownField: 'kibana.alert.rule.name', breakdownSize: 5,
    });
    dashboard.addSavedSearch(new KibanaSavedSearch({
      id: 'detection-alerts', title: 'Detection alerts', dataView: alerts,
      columns: ['kibana.alert.severity', 'kibana.alert.rule.name', 'threat.technique.id', 'kibana.alert.risk_score', 'kibana.alert.url'],
    }));
  }
  return dashboard;
}

/** Saved searches of container logs: all of them, and one per namespace given. */
export function containerLogSearches(logs: KibanaDataView, namespaces: string[]): KibanaSavedSearch[] {
  const columns = ['kubernetes.namespace', 'kubernetes.pod.name', 'kubernetes.container.name', 'stream', 'message'];
  return [
    new KibanaSavedSearch({ id: 'container-logs', title: 'Container logs', dataView: logs, columns }),
    ...namespaces.map((namespace, i) => {
      validateDnsLabel(`container log search namespaces[${i}]`, namespace);
      return new KibanaSavedSearch({
        id: `container-logs-${namespace}`, title: `Container logs: ${namespace}`, dataView: logs,
        query: `kubernetes.namespace : "${namespace}"`, columns,
      });
    }),
  ];
}

/** The index templates the built-in saved objects read. */
export interface BuiltInSavedObjectsProps {
  /** Container logs. */
  readonly containers: IndexTemplate;
  /**
   * Falco alerts.
   * @default - no Falco dashboard
   */
  readonly falco?: IndexTemplate;
  /**
   * KubeArmor alerts.
   * @default - no KubeArmor dashboard
   */
  readonly kubeArmorAlerts?: IndexTemplate;
  /**
   * Kubernetes audit events (also the source of the KubeArmor policies deployed).
   * @default - no audit dashboard
   */
  readonly audit?: IndexTemplate;
  /**
   * Node journal entries.
   * @default - no node journal dashboard
   */
  readonly journal?: IndexTemplate;
  /**
   * Kubernetes events (in the security overview).
   * @default - none
   */
  readonly kubernetesEvents?: IndexTemplate;
  /**
   * Node syslog (in the security overview).
   * @default - none
   */
  readonly syslog?: IndexTemplate;
  /**
   * The detection alerts the rules' index action writes (in the security overview).
   * @default - no detection alert panels
   */
  readonly detectionAlerts?: IndexTemplate;
  /**
   * Namespaces that get a saved search of their container logs.
   * @default ['kube-system']
   */
  readonly namespaces?: string[];
}

const SECURITY_SOURCES = ['falco', 'kubeArmorAlerts', 'audit', 'kubernetesEvents', 'journal', 'syslog'] as const;

/**
 * The built-in data views, dashboards (the security overview, Falco, KubeArmor, Kubernetes
 * audit, node journal) and container-log searches, as one importable set; the overview
 * comes when there is a security source.
 */
export function builtInSavedObjects(props: BuiltInSavedObjectsProps): KibanaSavedObjects {
  const example = 'an IndexTemplate, e.g. stack.indexTemplates["seclog-falco"]';
  validateInstance('built-in saved objects containers', props?.containers, IndexTemplate, example);
  for (const key of [...SECURITY_SOURCES, 'detectionAlerts'] as const) {
    if (props[key] !== undefined) validateInstance(`built-in saved objects ${key}`, props[key], IndexTemplate, example);
  }
  const set = new KibanaSavedObjects();
  const view = (id: string, name: string, template: IndexTemplate, additionalTemplates?: IndexTemplate[]) => {
    const v = new KibanaDataView({ id, name, template, additionalTemplates });
    set.addDataView(v);
    return v;
  };
  const containers = view('container-logs', 'Container logs', props.containers);
  const [first, ...more] = SECURITY_SOURCES.map((key) => props[key]).filter((t): t is IndexTemplate => t !== undefined);
  if (first !== undefined) {
    set.addDashboard(securityOverviewDashboard({
      events: view('security-events', 'Security events (every source)', first, more),
      detectionAlerts: props.detectionAlerts ? view('detection-alerts', 'Detection alerts', props.detectionAlerts) : undefined,
    }));
  }
  const audit = props.audit ? view('audit-events', 'Kubernetes audit events', props.audit) : undefined;
  if (props.falco) set.addDashboard(falcoDashboard(view('falco-alerts', 'Falco alerts', props.falco)));
  if (props.kubeArmorAlerts) set.addDashboard(kubeArmorDashboard(view('kubearmor-alerts', 'KubeArmor alerts', props.kubeArmorAlerts), audit));
  if (audit) set.addDashboard(auditDashboard(audit));
  if (props.journal) set.addDashboard(nodeJournalDashboard(view('node-journal', 'Node journal', props.journal)));
  for (const search of containerLogSearches(containers, props.namespaces ?? ['kube-system'])) set.addSavedSearch(search);
  return set;
}

/**
 * The built-in dashboards and searches, as a class so that Python, Java and Go can
 * call them too.
 */
// Static methods only: jsii publishes no free functions to Python, Java and Go.
// eslint-disable-next-line @typescript-eslint/no-extraneous-class
export class BuiltInSavedObjects {
  /** Every built-in data view, dashboard and search, as one importable set. */
  public static of(props: BuiltInSavedObjectsProps): KibanaSavedObjects {
    return builtInSavedObjects(props);
  }

  /** The security overview across every source, and the detection alerts. */
  public static securityOverviewDashboard(props: SecurityOverviewProps): KibanaDashboard {
    return securityOverviewDashboard(props);
  }

  /** The Falco dashboard, with Falco's health (its own alerts). */
  public static falcoDashboard(dataView: KibanaDataView): KibanaDashboard {
    return falcoDashboard(dataView);
  }

  /** The KubeArmor dashboard; with the audit events, the policies deployed. */
  public static kubeArmorDashboard(alerts: KibanaDataView, audit?: KibanaDataView): KibanaDashboard {
    return kubeArmorDashboard(alerts, audit);
  }

  /** The Kubernetes audit dashboard. */
  public static auditDashboard(events: KibanaDataView): KibanaDashboard {
    return auditDashboard(events);
  }

  /** The node journal dashboard (logins and sudo). */
  public static nodeJournalDashboard(entries: KibanaDataView): KibanaDashboard {
    return nodeJournalDashboard(entries);
  }

  /** Saved searches of container logs: all of them, and one per namespace. */
  public static containerLogSearches(logs: KibanaDataView, namespaces: string[]): KibanaSavedSearch[] {
    return containerLogSearches(logs, namespaces);
  }

  private constructor() {}
}
