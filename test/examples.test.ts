import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import * as kplus33 from 'cdk8s-plus-33';
import { parse } from 'yaml';
import { SecurityLoggingChart } from '../src';
import { jobFiles } from './helpers/chart';
import { kqlMatch } from './helpers/kql';
import { readTree } from './helpers/dist';

const ROOT = path.join(__dirname, '..');

describe('examples', () => {
  /** What each example synthesized (tests run in order). */
  const synthesizedExamples: { [name: string]: any[] } = {};
  /** What each example's app.synth() wrote beside the manifests (the side folders), by example. */
  const sideFilesOf: { [name: string]: string[] } = {};
  /** The objects of each App an example synthesized, in order. */
  const appsOf: { [name: string]: any[][] } = {};
  // The examples' Apps write into a folder of the test's (new App() reads CDK8S_OUTDIR), not into dist/.
  const outdirs = fs.mkdtempSync(path.join(os.tmpdir(), 'examples-'));
  afterAll(() => fs.rmSync(outdirs, { recursive: true, force: true }));

  test.each(['my-logging-chart.ts', 'full-stack.ts', 'falco-custom-rules.ts', 'own-dashboard.ts', 'kibana-ingress.ts', 'fluent-bit-s3.ts', 'kubeadm-audit.ts', 'app-per-cluster.ts', 'kibana-ingress-plus-33.ts', 'own-detection-rule.ts',
    'external-elasticsearch.ts', 'eck-elasticsearch.ts', 'elastic-cloud.ts', 'many-clusters.ts'])('the README shows examples/%s verbatim', (file) => {
    const example = fs.readFileSync(path.join(ROOT, 'examples', file), 'utf-8');
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  test.each([
    ['my-logging-chart', () => import('../examples/my-logging-chart')],
    ['full-stack', () => import('../examples/full-stack')],
    ['falco-custom-rules', () => import('../examples/falco-custom-rules')],
    ['own-dashboard', () => import('../examples/own-dashboard')],
    ['kibana-ingress', () => import('../examples/kibana-ingress')],
    ['fluent-bit-s3', () => import('../examples/fluent-bit-s3')],
    ['kubeadm-audit', () => import('../examples/kubeadm-audit')],
    ['app-per-cluster', () => import('../examples/app-per-cluster')],
    ['kibana-ingress-plus-33', () => import('../examples/kibana-ingress-plus-33')],
    ['own-detection-rule', () => import('../examples/own-detection-rule')],
    ['external-elasticsearch', () => import('../examples/external-elasticsearch')],
    ['eck-elasticsearch', () => import('../examples/eck-elasticsearch')],
    ['elastic-cloud', () => import('../examples/elastic-cloud')],
    ['many-clusters', () => import('../examples/many-clusters')],
  ])('examples/%s synthesizes a valid stack', async (name, load) => {
    // The examples call app.synth(): collect the charts instead of writing manifests; the
    // side files (API server, KubeArmor) are still written, into the test's folder.
    const original = App.prototype.synth;
    const synthesized: any[] = [];
    const apps: any[][] = [];
    App.prototype.synth = function (this: App) {
      const objects = this.charts.flatMap((chart) => Testing.synth(chart));
      apps.push(objects);
      synthesized.push(...objects);
    };
    const outdir = path.join(outdirs, name);
    process.env.CDK8S_OUTDIR = outdir;
    try {
      await load();
    } finally {
      App.prototype.synth = original;
      delete process.env.CDK8S_OUTDIR;
    }
    sideFilesOf[name] = fs.existsSync(outdir) ? [...readTree(outdir).keys()] : [];
    // A stack that ships to an Elasticsearch elsewhere runs none.
    const remote = ['external-elasticsearch', 'eck-elasticsearch', 'elastic-cloud'].includes(name);
    expect(synthesized.map((o) => o.kind)).toEqual(expect.arrayContaining(remote ? ['Deployment', 'DaemonSet'] : ['StatefulSet', 'Deployment', 'DaemonSet']));
    if (remote) expect(synthesized.filter((o) => o.kind === 'StatefulSet')).toEqual([]);
    synthesizedExamples[name] = synthesized;
    appsOf[name] = apps;
  });

  test('the kubeadm audit example records exec and attach in full, keeps 90 days, and its app.synth() writes the kubeadm files', async () => {
    const configMap = synthesizedExamples['kubeadm-audit'].find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'fluentd-config');
    expect(configMap.data['fluent.conf']).toContain('path /var/log/kubernetes/audit/audit.log\n');
    const { stack } = await import('../examples/kubeadm-audit');
    const files = stack.apiServerFiles();
    const policy = parse(files['audit-policy.yaml']);
    expect(policy.rules[0]).toEqual({ level: 'RequestResponse', resources: [{ group: '', resources: ['pods/exec', 'pods/attach'] }], omitStages: ['RequestReceived'] });
    expect(policy.rules[policy.rules.length - 1]).toMatchObject({ level: 'Metadata' });
    expect(files['kube-apiserver-flags.txt']).toContain('--audit-log-maxage=90');
    expect(sideFilesOf['kubeadm-audit']).toEqual(expect.arrayContaining([
      'apiserver/audit-policy.yaml', 'apiserver/kubeadm-v1beta4-cluster-configuration.yaml', 'kubearmor/README.md',
    ]));
    expect(fs.existsSync(path.join(ROOT, 'control-plane'))).toBe(false);
  });

  test('the README\'s first example (a chart of one\'s own) puts a template and a lifecycle policy for every family its writers use, and no family is auto-created without them', () => {
    const objects = synthesizedExamples['my-logging-chart'];
    const files = jobFiles(objects, 'elasticsearch-setup-');
    expect(Object.keys(files).filter((f) => /^(policy|template)-/.test(f)).sort()).toEqual(['policy-seclog-containers-policy.json', 'template-seclog-containers.json']);
    expect(JSON.parse(files['template-seclog-containers.json'])).toMatchObject({ index_patterns: ['seclog-containers', 'seclog-containers-*'], data_stream: {} });
    const yml = parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'elasticsearch-config').data['elasticsearch.yml']);
    expect(yml['action.auto_create_index']).toBe('-seclog-containers,-seclog-containers-*,+*');
  });

  test('the detection rule of one\'s own is imported by a Job of its own, and means what it says', () => {
    const objects = synthesizedExamples['own-detection-rule'];
    const files = jobFiles(objects, 'my-rules-');
    const [rule] = files['rules.ndjson'].trim().split('\n').map((l) => JSON.parse(l));
    expect(rule.rule_id).toBe('my-pods-in-kube-system');
    const pod = (user: string, namespace: string) => ({ kubernetes: { audit: { objectRef: { resource: 'pods' }, verb: 'create' } }, orchestrator: { namespace }, user: { name: user } });
    expect([kqlMatch(rule.query, pod('alice', 'kube-system')), kqlMatch(rule.query, pod('system:serviceaccount:kube-system:daemon-set-controller', 'kube-system')), kqlMatch(rule.query, pod('alice', 'shop'))])
      .toEqual([true, false, false]);
    // The stack's own Job imports the built-in rules beside it.
    expect(Object.keys(jobFiles(objects, 'kibana-detection-rules-'))).toContain('rules.ndjson');
  });

  test('the app-per-cluster example synthesizes each cluster\'s stack with its own size', () => {
    const statefulSets = synthesizedExamples['app-per-cluster'].filter((o) => o.kind === 'StatefulSet');
    expect(statefulSets.map((o) => o.spec.replicas)).toEqual([3, 5, 1]);
  });

  test('the Kibana Ingress example speaks HTTPS to Kibana, whose NetworkPolicy lets the controller in', () => {
    const synthesized = synthesizedExamples['kibana-ingress'];
    const ingress = synthesized.find((o) => o.kind === 'Ingress');
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/backend-protocol']).toBe('HTTPS');
    expect(ingress.spec.rules[0]).toEqual({
      host: 'kibana.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'kibana', port: { number: 5601 } } } }] },
    });
    const policy = synthesized.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'kibana');
    expect(policy.spec.ingress[0].from).toContainEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } });
  });

  test('cdk8s-plus-33 beside the library\'s cdk8s-plus-27: its Ingress refers to Kibana by the name and port the library exposes', () => {
    const synthesized = synthesizedExamples['kibana-ingress-plus-33'];
    const ingress = synthesized.find((o: any) => o.kind === 'Ingress');
    expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'kibana', port: { number: 5601 } } });
    const service = synthesized.find((o: any) => o.kind === 'Service' && o.metadata.name === 'kibana');
    expect(service.spec.ports[0].port).toBe(5601);
    // The clash the example works around, type-checked by `npm test` (tsc) and never run.
    const clash = (stack: SecurityLoggingChart) => {
      // @ts-expect-error cdk8s-plus-33's IngressBackend wants its own Service type, not cdk8s-plus-27's
      kplus33.IngressBackend.fromService(stack.kibana.service);
    };
    expect(typeof clash).toBe('function');
  });

  test('the backend examples ship to their Elasticsearch: by URL with its CA, to ECK\'s Service, to the Cloud ID\'s endpoint', () => {
    const fluentConf = (name: string) => synthesizedExamples[name].find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'fluentd-config').data['fluent.conf'];
    expect(fluentConf('external-elasticsearch')).toMatch(/host logs\.example\.com\n\s+port 9200\n\s+scheme https\n/);
    expect(fluentConf('external-elasticsearch')).toContain('ca_file /etc/fluentd-elasticsearch/ca.crt');
    expect(fluentConf('eck-elasticsearch')).toContain('host logs-es-http.elastic-system.svc\n');
    expect(fluentConf('elastic-cloud')).toMatch(/host abc123\.europe-west1\.gcp\.cloud\.es\.io\n\s+port 443\n/);
    const eckRole = synthesizedExamples['eck-elasticsearch'].find((o) => o.kind === 'Role' && o.metadata.namespace === 'elastic-system');
    expect(eckRole.rules[0].resourceNames).toEqual(['logs-es-elastic-user', 'logs-es-http-certs-public']);
  });

  describe('many clusters, one Elasticsearch', () => {
    const [central, workloadA, workloadB] = ['central', 'a', 'b'].map((_, i) => () => appsOf['many-clusters'][i]);
    const setupFiles = (objects: any[]) => jobFiles(objects, 'elasticsearch-setup-');
    const dataFiles = (files: { [file: string]: string }) => Object.fromEntries(Object.entries(files).filter(([f]) => /^(template|policy|pipeline|simulate)-/.test(f)));

    test('one set of templates, policies and pipelines: the central setup puts them, and each workload checks it has the same', () => {
      // `put_if_changed PATH FILE HASH`, `put_template NAME FILE HASH ...`, `check_same PATH HASH`.
      const hub = new Map([...setupFiles(central())['run.sh'].matchAll(/^put_if_changed '(\S+)' '\S+' '(\w+)'$|^put_template '(\S+)' '\S+' '(\w+)'/gm)]
        .map((m) => (m[1] ? [m[1], m[2]] : [`/_index_template/${m[3]}`, m[4]])));
      expect(hub.size).toBeGreaterThan(20);
      for (const workload of [workloadA(), workloadB()]) {
        const files = setupFiles(workload);
        expect(dataFiles(files)).toEqual({});
        const checked = [...files['run.sh'].matchAll(/^check_same '(\S+)' '(\w+)'$/gm)].map((m) => [m[1], m[2]]);
        // The central cluster also has the detection alerts' stream; everything a workload checks, it puts the same.
        const unchecked = [...hub.keys()].filter((p) => !checked.some(([c]) => c === p));
        expect([unchecked.length > 0, unchecked.filter((p) => !p.includes('seclog-alerts'))]).toEqual([true, []]);
        for (const [path, hash] of checked) expect([path, hash]).toEqual([path, hub.get(path)]);
        expect(files['run.sh']).not.toMatch(/^(put|put_if_changed|put_template) /m);
      }
    });

    test('each workload cluster names itself in every document and gives its agents API keys of their own', () => {
      const clusterNameOf = (objects: any[]) => [...new Set([...objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'fluentd-config')
        .data['fluent.conf'].matchAll(/orchestrator_cluster_name (\S+)/g)].map((m) => m[1]))];
      expect([central(), workloadA(), workloadB()].map(clusterNameOf)).toEqual([['central'], ['workload-a'], ['workload-b']]);
      const keysOf = (objects: any[]) => Object.keys(setupFiles(objects)).filter((f) => /^api-key-[a-z]/.test(f) && !f.startsWith('api-key-update-')).sort();
      expect(keysOf(workloadA())).toEqual(['api-key-workload-a-security-logging-agents-fluentd.json', 'api-key-workload-a-security-logging-kubernetes-events.json']);
      expect(keysOf(workloadB())).toEqual(['api-key-workload-b-security-logging-agents-fluentd.json', 'api-key-workload-b-security-logging-kubernetes-events.json']);
      // The central cluster's own agents are users of its own Elasticsearch.
      expect(keysOf(central())).toEqual([]);
    });

    test('the central Elasticsearch takes the workload clusters through its load balancer, with its host name in its certificate', () => {
      const objects = central();
      const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'elasticsearch-public');
      expect(service.spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector: { 'security-logging.cdk8s.io/http-client': 'true' } });
      const bootstrap = jobFiles(objects, 'elasticsearch-bootstrap-');
      expect(Object.values(bootstrap).join('\n')).toContain('- "logs.central.example.com"');
      const policy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'elasticsearch');
      expect(policy.spec.ingress[0].from).toContainEqual({ ipBlock: { cidr: '192.0.2.0/24' } });
    });
  });
});
