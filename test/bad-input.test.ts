import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { testChart } from './helpers/chart';
import {
  AuditLevel, AuditPolicy, ElasticsearchCluster, ElasticsearchNodeRole, ElasticsearchSecurity, ElasticsearchSetup, ElasticsearchStorage, FalcoDaemonSet, FalcoRules, FluentdBuffer,
  FluentBitDaemonSet, FluentdDaemonSet, FluentdEnvValue, FluentdSection, IlmPolicy, IndexFieldType, IndexTemplate, Kibana, KubeApiServerAudit, KubeArmorRelayCollector,
  NodeJournal, S3Credentials, SecurityLoggingChart,
} from '../src';

/**
 * The bad-input catalogue: one row per mistake a user can make, across every construct.
 * Each row names the prop the error must name and the value it must show (as the
 * user wrote it), so a message like "invalid input" fails the row.
 */
interface BadInput {
  readonly what: string;
  /** The prop (or props, for contradictions) the message must name. */
  readonly names: string[];
  /** The offending value as the message must show it; omitted for contradictions between props. */
  readonly shows?: string;
  readonly build: () => unknown;
}

const es = (props: any = {}, chart: Chart = testChart()) => new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1, ...props });
const kibana = (props: any) => { const chart = testChart(); return new Kibana(chart, 'Kibana', { elasticsearch: es({}, chart), ...props }); };
const fluentd = (props: any = {}, chart: Chart = testChart()) => new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch: es({}, chart), ...props });
const falco = (props: any) => { const chart = testChart(); return new FalcoDaemonSet(chart, 'Falco', { agent: fluentd({}, chart), ...props }); };
const kubeArmor = (props: any) => { const chart = testChart(); return new KubeArmorRelayCollector(chart, 'KubeArmor', { agent: fluentd({}, chart), ...props }); };
const journal = (props: any) => { const chart = testChart(); return new NodeJournal(chart, 'Journal', { agent: fluentd({}, chart), ...props }); };
const lifecycle = new IlmPolicy({ name: 'p', retention: Duration.days(7) });
const template = (props: any) => new IndexTemplate({ name: 't', indexPatterns: ['t-*'], fields: { '@timestamp': IndexFieldType.DATE }, lifecycle, ...props });
const rule = { name: 'Shell', desc: 'A shell', condition: 'spawned_process', output: 'shell', priority: 'WARNING' as any };
const chart = (props: any) => new SecurityLoggingChart(Testing.app(), 'stack', props);
/** Synthesizes what `build` makes (checks that need the whole tree run then). */
const synthOf = (build: () => unknown) => {
  const made = build();
  const target = made instanceof Chart ? made : (made as any)?.node ? Chart.of(made as any) : undefined;
  if (target) Testing.synth(target);
};
const falcoStack = (falcoProps: any = {}) => {
  const c = testChart();
  const e = es({}, c);
  const agent = new FluentdDaemonSet(c, 'Fluentd', { elasticsearch: e });
  const f = new FalcoDaemonSet(c, 'Falco', { agent, ...falcoProps });
  new ElasticsearchSetup(c, 'Setup', { elasticsearch: e });
  return { chart: c, falco: f };
};
/** A custom Falco rule in a stack, synthesized (the rules are checked then, with every macro and list in). */
const falcoRule = (overrides: any, falcoProps: any = {}) => {
  const { chart: c, falco: f } = falcoStack(falcoProps);
  f.addRule({ name: 'Shell', desc: 'A shell', condition: 'spawned_process and container', output: 'shell (pod=%k8s.pod.name)', priority: 'WARNING', ...overrides });
  Testing.synth(c);
};

const CATALOGUE: BadInput[] = [
  // ElasticsearchCluster
  { what: 'zero nodes', names: ['elasticsearch replicas'], shows: 'got 0', build: () => es({ replicas: 0 }) },
  { what: 'a fractional node count', names: ['elasticsearch replicas'], shows: '1.5', build: () => es({ replicas: 1.5 }) },
  { what: 'an upper-case name', names: ['elasticsearch name'], shows: '"Logs"', build: () => es({ name: 'Logs' }) },
  { what: 'a name too long for a StatefulSet', names: ['elasticsearch name'], shows: `"${'a'.repeat(41)}"`, build: () => es({ name: 'a'.repeat(41) }) },
  { what: 'a version that is not MAJOR.MINOR.PATCH', names: ['elasticsearch version'], shows: '"8.19"', build: () => es({ version: '8.19' }) },
  { what: 'a version before the readiness port', names: ['elasticsearch version'], shows: '"8.1.3"', build: () => es({ version: '8.1.3' }) },
  { what: 'an image repository with a tag', names: ['elasticsearch imageRepository'], shows: '"docker.elastic.co/elasticsearch/elasticsearch:8"',
    build: () => es({ imageRepository: 'docker.elastic.co/elasticsearch/elasticsearch:8' }) },
  { what: 'a memory limit below 512 MiB', names: ['memoryLimit'], shows: '256Mi', build: () => es({ memoryLimit: Size.mebibytes(256) }) },
  { what: 'a heap larger than the memory limit', names: ['heapSize', 'memoryLimit'], shows: '3Gi', build: () => es({ memoryLimit: Size.gibibytes(2), heapSize: Size.gibibytes(3) }) },
  { what: 'a setting the construct owns', names: ['elasticsearch settings', 'cluster.name'], build: () => es({ settings: { 'cluster.name': 'x' } }) },
  { what: 'replicas and node groups together', names: ['replicas', 'nodeGroups'], build: () => es({ nodeGroups: [{ name: 'a', replicas: 3 }] }) },
  { what: 'no node groups', names: ['nodeGroups'], shows: '[]', build: () => es({ replicas: undefined, nodeGroups: [] }) },
  { what: 'two node groups of one name', names: ['nodeGroups[1].name'], shows: '"hot"',
    build: () => es({ replicas: undefined, nodeGroups: [{ name: 'hot', replicas: 3 }, { name: 'hot', replicas: 2 }] }) },
  { what: 'an unknown node role', names: ['nodeGroups[0].roles'], shows: '"machine_learning"',
    build: () => es({ replicas: undefined, nodeGroups: [{ name: 'a', replicas: 3, roles: ['machine_learning'] }] }) },
  { what: 'a node group that holds no data', names: ['nodeGroups', 'data role'],
    build: () => es({ replicas: undefined, nodeGroups: [{ name: 'm', replicas: 3, roles: [ElasticsearchNodeRole.MASTER] }] }) },
  { what: 'an invalid storage class', names: ['storageClassName'], shows: '"Fast_SSD"', build: () => ElasticsearchStorage.persistent({ storageClassName: 'Fast_SSD' }) },
  { what: 'an invalid priority class', names: ['elasticsearch priorityClassName'], shows: '"High Priority"', build: () => es({ priorityClassName: 'High Priority' }) },
  { what: 'a security setting in settings', names: ['elasticsearch settings', 'xpack.security.enabled'],
    build: () => es({ settings: { xpack: { security: { enabled: false } } } }) },
  { what: 'an invalid cluster domain', names: ['elasticsearch clusterDomain'], shows: '"cluster_local"', build: () => es({ clusterDomain: 'cluster_local' }) },
  { what: 'security as a plain string', names: ['elasticsearch security'], shows: '"disabled"', build: () => es({ security: 'disabled' }) },
  { what: 'a cert-manager issuer name with upper case', names: ['certManager issuerName'], shows: '"LetsEncrypt"',
    build: () => ElasticsearchSecurity.certManager({ issuerName: 'LetsEncrypt' }) },
  { what: 'an unknown cert-manager issuer kind', names: ['certManager issuerKind'], shows: '"VaultIssuer"',
    build: () => ElasticsearchSecurity.certManager({ issuerName: 'ca', issuerKind: 'VaultIssuer' as any }) },
  { what: 'certificates valid for a week', names: ['certificateValidityDays'], shows: 'got 7', build: () => ElasticsearchSecurity.bootstrapJob({ certificateValidityDays: 7 }) },
  { what: 'a CA that runs out before its certificates', names: ['caValidityDays', 'certificateValidityDays'], shows: '(365)',
    build: () => ElasticsearchSecurity.bootstrapJob({ caValidityDays: 365 }) },

  // Kibana
  { what: 'Kibana in another namespace than its secured cluster', names: ['kibana', 'namespace'], shows: '"ui"',
    build: () => new Kibana(testChart('ui'), 'Kibana', { elasticsearch: es() }) },
  { what: 'zero Kibana replicas', names: ['kibana replicas'], shows: 'got 0', build: () => kibana({ replicas: 0 }) },
  { what: 'Kibana memory below 512 MiB', names: ['kibana memoryLimit'], shows: '256Mi', build: () => kibana({ memoryLimit: Size.mebibytes(256) }) },
  { what: 'a Kibana name with a dot', names: ['kibana name'], shows: '"kibana.main"', build: () => kibana({ name: 'kibana.main' }) },
  { what: 'Kibana without Elasticsearch', names: ['kibana elasticsearch'], build: () => new Kibana(testChart(), 'Kibana', {} as any) },

  // FluentdDaemonSet and its buffer
  { what: 'an unknown container log format', names: ['fluentd containerLogFormat'], shows: '"syslog"', build: () => fluentd({ containerLogFormat: 'syslog' }) },
  { what: 'an unknown log level', names: ['fluentd logLevel'], shows: '"verbose"', build: () => fluentd({ logLevel: 'verbose' }) },
  { what: 'an empty index prefix', names: ['fluentd indexPrefix'], shows: '""', build: () => fluentd({ indexPrefix: '' }) },
  { what: 'an upper-case index name', names: ['fluentd indexNames.containers'], shows: '"Containers"', build: () => fluentd({ indexNames: { containers: 'Containers' } }) },
  { what: 'an unpinned image', names: ['fluentd image'], shows: '"fluent/fluentd-kubernetes-daemonset:latest"',
    build: () => fluentd({ image: 'fluent/fluentd-kubernetes-daemonset:latest' }) },
  { what: 'a buffer chunk bigger than a bulk request may be', names: ['chunkLimitSize'], shows: '512 MiB', build: () => new FluentdBuffer({ chunkLimitSize: Size.mebibytes(512) }) },
  { what: 'a buffer smaller than its chunks', names: ['totalLimitSize', 'chunkLimitSize'],
    build: () => new FluentdBuffer({ totalLimitSize: Size.mebibytes(8), chunkLimitSize: Size.mebibytes(16) }) },
  { what: 'a sub-second flush interval', names: ['flushInterval'], shows: '0.5 s', build: () => new FluentdBuffer({ flushInterval: Duration.millis(500) }) },
  { what: 'an unknown overflow action', names: ['overflowAction'], shows: '"drop"', build: () => new FluentdBuffer({ overflowAction: 'drop' as any }) },
  { what: 'a route name with a dash', names: ['fluentd route name'], shows: '"my-app"',
    build: () => fluentd().addContainerFileRoute({ name: 'my-app', path: '/var/log/app/*.log', tag: 'app', label: '@APP', directives: [] }) },
  { what: 'a route tag with a wildcard', names: ['fluentd route tag'], shows: '"app.*"',
    build: () => fluentd().addContainerFileRoute({ name: 'app', path: '/var/log/app/*.log', tag: 'app.*', label: '@APP', directives: [] }) },
  { what: 'an exclusion outside /var/log/containers', names: ['fluentd container log exclusion'], shows: '"/var/log/pods/*.log"',
    build: () => fluentd().addContainerLogExclusion('/var/log/pods/*.log') },
  { what: 'a fluentd section with a bad plugin type', names: ['@type'], shows: '"elastic search"', build: () => FluentdSection.match('**', 'elastic search') },
  { what: 'a fluentd param with a newline', names: ['param', 'path'], shows: '"/a\\nb"', build: () => FluentdSection.source('tail', { params: { path: '/a\nb' } }) },

  // Falco
  { what: 'an unknown Falco driver', names: ['falco driver'], shows: '"ebpf"', build: () => falco({ driver: 'ebpf' }) },
  { what: 'least privilege with the kernel module', names: ['falco leastPrivileged', 'driver'], shows: '"kmod"', build: () => falco({ driver: 'kmod', leastPrivileged: true }) },
  { what: 'a Falco version before the container plugin', names: ['falco version'], shows: '"0.40.0"', build: () => falco({ version: '0.40.0' }) },
  { what: 'an unknown container runtime', names: ['falco containerRuntime'], shows: '"podman"', build: () => falco({ containerRuntime: 'podman' }) },
  { what: 'an unknown minimum priority', names: ['falco priority'], shows: '"LOUD"', build: () => falco({ priority: 'LOUD' }) },
  { what: 'a Falco index name without an agent', names: ['falco indexName', 'agent'], build: () => new FalcoDaemonSet(testChart(), 'Falco', { indexName: 'x' }) },
  { what: 'a duplicate Falco rule', names: ['falco rule', 'twice'], shows: '"Shell"', build: () => { const r = new FalcoRules(); r.addRule(rule); r.addRule(rule); } },
  { what: 'a Falco rule with an empty condition', names: ['condition'], shows: '" "', build: () => new FalcoRules().addRule({ ...rule, condition: ' ' }) },
  { what: 'a Falco exception tuple of the wrong size', names: ['values tuple'], shows: '["x"]',
    build: () => new FalcoRules().addRule({ ...rule, exceptions: [{ name: 'e', fields: ['a', 'b'], values: [['x']] }] }) },

  // KubeArmorRelayCollector
  { what: 'an unknown index naming', names: ['fluentd indexNaming'], shows: '"ecs"', build: () => fluentd({ indexNaming: 'ecs' }) },
  { what: 'a data stream namespace with a dash', names: ['fluent bit dataStreamNamespace'], shows: '"prod-eu"', build: () => { const c = testChart(); return new FluentBitDaemonSet(c, 'FluentBit', { elasticsearch: es({}, c), indexNaming: 'data-stream', dataStreamNamespace: 'prod-eu' } as any); } },
  { what: 'a journal path that journald never writes', names: ['node journal path'], shows: '"/var/log/messages"', build: () => journal({ path: '/var/log/messages' }) },
  { what: 'a journal match on a lowercase field', names: ['node journal matches[0].field'], shows: '"_systemd_unit"', build: () => journal({ matches: [{ field: '_systemd_unit', value: 'kubelet.service' }] }) },
  { what: 'journal matches that are not a list', names: ['node journal matches'], shows: '"SYSLOG_FACILITY=4"', build: () => journal({ matches: 'SYSLOG_FACILITY=4' }) },
  { what: 'a journal retention of zero days', names: ['retention.journalDays'], shows: '0', build: () => chart({ retention: { journalDays: 0 } }) },
  { what: 'journal options with the journal off', names: ['chart journal', 'nodeJournal'], build: () => chart({ nodeJournal: false, journal: { path: '/run/log/journal' } }) },
  { what: 'an invalid relay namespace', names: ['kubearmor relayNamespace'], shows: '"Kube_System"', build: () => kubeArmor({ relayNamespace: 'Kube_System' }) },
  { what: 'an invalid relay container name', names: ['kubearmor relayContainerName'], shows: '""', build: () => kubeArmor({ relayContainerName: '' }) },

  // AuditPolicy and KubeApiServerAudit
  { what: 'an unknown audit level', names: ['rule 0: level'], shows: '"Everything"', build: () => new AuditPolicy({ rules: [{ level: 'Everything' as any }] }) },
  { what: 'an unknown audit stage', names: ['stage'], shows: '"Finished"', build: () => new AuditPolicy({ omitStages: ['Finished' as any] }) },
  { what: 'an audit rule on resources and URLs', names: ['resources and nonResourceURLs'],
    build: () => new AuditPolicy({ rules: [{ level: AuditLevel.METADATA, resources: [{ resources: ['pods'] }], nonResourceURLs: ['/healthz'] }] }) },
  { what: 'an audit rule with an empty verb list', names: ['verbs'], shows: '[]', build: () => new AuditPolicy({ rules: [{ level: AuditLevel.METADATA, verbs: [] }] }) },
  { what: 'an audit group with a version', names: ['resources[0].group'], shows: '"apps/v1"',
    build: () => new AuditPolicy({ rules: [{ level: AuditLevel.METADATA, resources: [{ group: 'apps/v1' }] }] }) },
  { what: 'an audit log outside /var/log', names: ['audit logPath'], shows: '"/srv/audit.log"', build: () => new KubeApiServerAudit({ logPath: '/srv/audit.log' }) },
  { what: 'a relative audit policy path', names: ['audit policyPath'], shows: '"audit/policy.yaml"', build: () => new KubeApiServerAudit({ policyPath: 'audit/policy.yaml' }) },
  { what: 'zero audit log backups', names: ['audit maxBackups'], shows: 'got 0', build: () => new KubeApiServerAudit({ maxBackups: 0 }) },

  // Index templates, lifecycle policies and the setup Job
  { what: 'a retention of zero days', names: ['retention'], shows: '0 days', build: () => new IlmPolicy({ name: 'p', retention: Duration.days(0) }) },
  { what: 'an empty lifecycle policy name', names: ['ilm policy name'], shows: '""', build: () => new IlmPolicy({ name: '', retention: Duration.days(7) }) },
  { what: 'an index template without patterns', names: ['indexPatterns'], shows: '[]', build: () => template({ indexPatterns: [] }) },
  { what: 'an index pattern with upper case', names: ['index pattern'], shows: '"Logs-*"', build: () => template({ indexPatterns: ['Logs-*'] }) },
  { what: 'a data stream without a date @timestamp', names: ['@timestamp'], shows: '"keyword"', build: () => template({ fields: { '@timestamp': IndexFieldType.KEYWORD } }) },
  { what: 'two setup templates of one name', names: ['templates', 'unique'], shows: '["t","t"]',
    build: () => { const c = testChart(); new ElasticsearchSetup(c, 'Setup', { elasticsearch: es({}, c), templates: [template({}), template({})] }); } },

  { what: 'an audit rule after the catch-all', names: ['audit policy rule 17', 'rule 16'],
    build: () => AuditPolicy.production().addRule({ level: AuditLevel.REQUEST_RESPONSE, resources: [{ group: '', resources: ['pods/exec'] }] }) },

  // Fluent Bit, the events collector and the S3 archive
  { what: 'a second events collector replica', names: ['kubernetes events collector replicas'], shows: 'got 2',
    build: () => chart({ kubernetesEventsCollector: { replicas: 2 } }) },
  { what: 'events collector options with events off', names: ['kubernetesEventsCollector', 'kubernetesEvents'],
    build: () => chart({ kubernetesEvents: false, kubernetesEventsCollector: {} }) },
  { what: 'an events family that is the containers family', names: ['chart kubernetesEventsCollector.indexName'], shows: '"seclog-containers"',
    build: () => chart({ kubernetesEventsCollector: { indexName: 'seclog-containers' } }) },
  { what: 'an S3 archive without a bucket', names: ['fluent bit s3Archive.bucket'], shows: 'undefined',
    build: () => new FluentBitDaemonSet(testChart(), 'FluentBit', { elasticsearch: es(), s3Archive: { region: 'eu-west-1' } as any }) },
  { what: 'a Fluent Bit backlog smaller than a chunk', names: ['fluent bit storage.totalLimitSize'], shows: '1Mi',
    build: () => new FluentBitDaemonSet(testChart(), 'FluentBit', { elasticsearch: es(), storage: { totalLimitSize: Size.mebibytes(1) } }) },

  { what: 'an S3 archive on the default Fluentd image', names: ['fluentd s3Archive', 'image'],
    build: () => fluentd({ s3Archive: { bucket: 'b-logs', region: 'eu-west-1', credentials: S3Credentials.serviceAccountRole('arn:aws:iam::123456789012:role/r') } }) },
  { what: 'Fluent Bit options with the Fluentd agent', names: ['chart fluentBit', 'agent'], build: () => chart({ fluentBit: {} }) },
  { what: 'an unknown log agent', names: ['chart agent'], shows: '"vector"', build: () => chart({ agent: 'vector' }) },

  // fluentd config model
  { what: 'an environment variable name with a dash', names: ['fluentd environment variable name'], shows: '"ES-PASSWORD"', build: () => FluentdEnvValue.of('ES-PASSWORD') },

  // SecurityLoggingChart
  { what: 'an invalid namespace', names: ['namespace'], shows: '"Security Logging"', build: () => chart({ namespace: 'Security Logging' }) },
  { what: 'Falco options with Falco off', names: ['falco', 'falcoAlerts'], build: () => chart({ falcoAlerts: false, falco: {} }) },
  { what: 'audit options with audit logs off', names: ['audit', 'auditLogs'], build: () => chart({ auditLogs: false, audit: {} }) },
  { what: 'KubeArmor options with KubeArmor off', names: ['kubeArmor', 'kubeArmorAlerts'], build: () => chart({ kubeArmorAlerts: false, kubeArmor: {} }) },
  { what: 'an invalid container-log namespace', names: ['chart containerLogNamespaces[1]'], shows: '"Team A"', build: () => chart({ containerLogNamespaces: ['team-a', 'Team A'] }) },
  { what: 'the agents in the data namespace', names: ['chart agentNamespace'], shows: '"logs"', build: () => chart({ namespace: 'logs', agentNamespace: 'logs' }) },
  { what: 'an invalid agent namespace', names: ['chart agentNamespace'], shows: '"Agents"', build: () => chart({ agentNamespace: 'Agents' }) },
  { what: 'a Kibana client range that is not a CIDR', names: ['chart kibanaClientCidrs[0]'], shows: '"10.0.0.0"', build: () => chart({ kibanaClientCidrs: ['10.0.0.0'] }) },
  { what: 'an invalid metrics client namespace', names: ['chart metricsClientNamespaces[0]'], shows: '"Monitoring"', build: () => chart({ metricsClientNamespaces: ['Monitoring'] }) },
  { what: 'an invalid Kibana client namespace', names: ['chart kibanaClientNamespaces[0]'], shows: '"ingress_nginx"', build: () => chart({ kibanaClientNamespaces: ['ingress_nginx'] }) },
  { what: 'an API server address out of range', names: ['chart apiServer.cidr'], shows: '"10.0.0.300/32"', build: () => chart({ apiServer: { cidr: '10.0.0.300/32' } }) },
  { what: 'an API server port out of range', names: ['chart apiServer.ports[1]'], shows: '70000', build: () => chart({ apiServer: { ports: [443, 70000] } }) },
  { what: 'no API server port', names: ['chart apiServer.ports'], shows: '[]', build: () => chart({ apiServer: { ports: [] } }) },
  { what: 'Kibana clients with NetworkPolicies off', names: ['chart kibanaClientNamespaces', 'networkPolicies'],
    build: () => chart({ networkPolicies: false, kibanaClientNamespaces: ['ingress-nginx'] }) },

  // Issue 13: values a JavaScript or JSON caller gives, and mistakes that synthesized silently.
  { what: 'storage as a string (an emptyDir before: every index lost on restart)', names: ['elasticsearch.storage', 'ElasticsearchStorage'], shows: '"10Gi"',
    build: () => es({ storage: '10Gi' }) },
  { what: 'a CPU request as a number', names: ['elasticsearch.cpuRequest', 'Cpu'], shows: '2', build: () => es({ cpuRequest: 2 }) },
  { what: 'a CPU request of nothing', names: ['fluentd cpuRequest'], shows: '0m', build: () => synthOf(() => fluentd({ cpuRequest: kplus.Cpu.millis(0) })) },
  { what: 'a buffer flush interval as a string', names: ['fluentd buffer flushInterval', 'Duration'], shows: '"5s"', build: () => new FluentdBuffer({ flushInterval: '5s' as any }) },
  { what: 'a lifecycle policy as a plain object', names: ['index template t lifecycle', 'IlmPolicy'], build: () => template({ lifecycle: { name: 'p', retentionDays: 7 } }) },
  { what: 'a heap Elasticsearch cannot start with', names: ['elasticsearch.heapSize', '256Mi'], shows: '1Mi', build: () => es({ heapSize: Size.mebibytes(1) }) },
  { what: 'a heap above the compressed-pointer limit', names: ['elasticsearch.heapSize', '31Gi', 'compressed'], shows: '40Gi',
    build: () => es({ memoryLimit: Size.gibibytes(96), heapSize: Size.gibibytes(40) }) },
  { what: 'exactly two master-eligible nodes', names: ['elasticsearch', 'master-eligible', 'majority'], shows: 'got 2', build: () => es({ replicas: 2 }) },
  { what: 'two dedicated masters in node groups', names: ['master-eligible', 'VOTING_ONLY'], shows: 'got 2',
    build: () => es({ replicas: undefined, nodeGroups: [{ name: 'm', replicas: 2, roles: [ElasticsearchNodeRole.MASTER] }, { name: 'd', replicas: 3, roles: [ElasticsearchNodeRole.DATA] }] }) },
  { what: 'Kibana\'s session encryption key in settings', names: ['kibana settings', 'xpack.security.encryptionKey'], build: () => kibana({ settings: { 'xpack.security.encryptionKey': 'x'.repeat(32) } }) },
  { what: 'Kibana\'s reporting encryption key in settings', names: ['kibana settings', 'xpack.reporting.encryptionKey'], build: () => kibana({ settings: { xpack: { reporting: { encryptionKey: 'k' } } } }) },
  { what: 'an S3 access key in Elasticsearch settings', names: ['elasticsearch settings', 's3.client.default.access_key', 'keystore'],
    build: () => es({ settings: { 's3.client.default.access_key': 'AKIA' } }) },
  { what: 'an S3 secret key in Elasticsearch settings', names: ['elasticsearch settings', 's3.client.backup.secret_key'], build: () => es({ settings: { 's3.client.backup.secret_key': 's' } }) },
  { what: 'a private key in Kibana settings', names: ['kibana settings', 'xpack.fleet.private_key'], build: () => kibana({ settings: { 'xpack.fleet.private_key': 'k' } }) },
  { what: 'an Azure storage key in Elasticsearch settings', names: ['elasticsearch settings', 'azure.client.default.key'], build: () => es({ settings: { 'azure.client.default.key': 'k' } }) },
  { what: 'Fluentd and Fluent Bit both shipping the container logs', names: ['log agents', 'indexed twice'],
    build: () => synthOf(() => { const c = testChart(); const e = es({}, c); new FluentdDaemonSet(c, 'Fluentd', { elasticsearch: e }); new FluentBitDaemonSet(c, 'FluentBit', { elasticsearch: e, indexPrefix: 'other' }); new ElasticsearchSetup(c, 'Setup', { elasticsearch: e }); return c; }) },
  { what: 'two agents writing one family', names: ['both write index family', 'seclog-containers'],
    build: () => synthOf(() => { const c = testChart(); const e = es({}, c); new FluentdDaemonSet(c, 'A', { elasticsearch: e, placement: { nodeSelector: { pool: 'a' } } }); new FluentdDaemonSet(c, 'B', { elasticsearch: e, name: 'fluentd-b', placement: { nodeSelector: { pool: 'b' } } }); new ElasticsearchSetup(c, 'Setup', { elasticsearch: e }); return c; }) },
  { what: 'two stacks in one namespace of one App', names: ['charts one and two both make', 'Namespace security-logging'],
    build: () => { const app = Testing.app(); new SecurityLoggingChart(app, 'one'); new SecurityLoggingChart(app, 'two'); app.synthYaml(); } },
  { what: 'a Falco rule using a macro that does not exist', names: ['falco rule "Shell"', 'spawned_proces', 'did you mean "spawned_process"'],
    build: () => falcoRule({ condition: 'spawned_proces and container' }) },
  { what: 'a Falco condition with an unclosed parenthesis', names: ['falco rule "Shell" condition', "missing ')'"], build: () => falcoRule({ condition: 'spawned_process and (container' }) },
  { what: 'a Falco condition with a field Falco does not have', names: ['falco rule "Shell" condition', 'no field proc.nme'], build: () => falcoRule({ condition: 'spawned_process and proc.nme = bash' }) },
  { what: 'a Falco output with a field Falco does not have', names: ['falco rule "Shell" output', 'no field k8s.pod'], build: () => falcoRule({ output: 'shell in %k8s.pod' }) },
  { what: 'a Falco rule of a source this Falco does not have', names: ['falco rule "Shell" source', '"k8s_audit"'], build: () => falcoRule({ source: 'k8s_audit' }) },
  { what: 'a Falco rule below the daemon set\'s priority', names: ['falco rule "Shell" priority NOTICE', 'WARNING', 'never fire'],
    build: () => falcoRule({ priority: 'NOTICE' }, { priority: 'WARNING' }) },
  { what: 'a Falco list name one letter off', names: ['falco rule "Shell" condition lists "shell_binarys"', '"shell_binaries"'],
    build: () => falcoRule({ condition: 'spawned_process and proc.name in (shell_binarys)' }) },
  { what: 'a Falco rule added after synthesis', names: ['falco addRule', 'after the rules were rendered'],
    build: () => { const { chart, falco } = falcoStack(); Testing.synth(chart); falco.addRule(rule); } },
  { what: 'an audit verb the API server never uses', names: ['rule 0: verbs', '"remove"'], build: () => new AuditPolicy({ rules: [{ level: AuditLevel.METADATA, verbs: ['remove'] }] }) },
  { what: 'an upper-case audit verb', names: ['rule 0: verbs', '"DELETE"', 'lowercase'], build: () => new AuditPolicy({ rules: [{ level: AuditLevel.METADATA, verbs: ['DELETE'] }] }) },
  { what: 'a singular core resource', names: ['resources[0].resources', '"pod"', '"pods"'],
    build: () => new AuditPolicy({ rules: [{ level: AuditLevel.METADATA, resources: [{ group: '', resources: ['pod'] }] }] }) },
  { what: 'a kind instead of a resource', names: ['resources[0].resources', '"Deployment"'],
    build: () => new AuditPolicy({ rules: [{ level: AuditLevel.METADATA, resources: [{ group: 'apps', resources: ['Deployment'] }] }] }) },
  { what: 'deployments in the core group', names: ['resources[0].resources', '"deployments"', '"apps" group'],
    build: () => new AuditPolicy({ rules: [{ level: AuditLevel.METADATA, resources: [{ group: '', resources: ['deployments'] }] }] }) },
  { what: 'a retention of no days', names: ['retention.auditDays'], shows: 'got 0', build: () => chart({ retention: { auditDays: 0 } }) },
  { what: 'a negative retention', names: ['retention.containersDays'], shows: 'got -1', build: () => chart({ retention: { containersDays: -1 } }) },
  { what: 'a retention for a source that does not exist', names: ['retention.falcosDays'], build: () => chart({ retention: { falcosDays: 30 } }) },
  { what: 'a namespace that is not a DNS label on one\'s own chart', names: ['chart mine namespace'], shows: '"Security_Logging"',
    build: () => new ElasticsearchCluster(new Chart(Testing.app(), 'mine', { namespace: 'Security_Logging' }), 'Elasticsearch') },
];

describe('bad input', () => {
  test('the catalogue covers at least 40 mistakes across every construct', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CATALOGUE.map((c) => c.what)).size).toBe(CATALOGUE.length);
  });

  test.each(CATALOGUE.map((c) => [c.what, c] as const))('%s', (_what, { names, shows, build }) => {
    let message = '';
    try {
      build();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toBe('');
    for (const name of names) expect(message).toContain(name);
    if (shows !== undefined) expect(message).toContain(shows);
  });
});
