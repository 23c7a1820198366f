import * as fs from 'fs';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { parse } from 'yaml';
import {
  EckElasticsearch, ElasticCloudElasticsearch, ElasticsearchAuthentication, ElasticsearchCluster, ElasticsearchConsumerCredentials, ElasticsearchSecurity, ElasticsearchSetup,
  ExternalElasticsearch, FluentdDaemonSet, LogAgent, SecurityLoggingChart, SecurityLoggingChartProps,
} from '../src';
import { elasticsearchUrlOfCloudId } from '../src/elasticsearch/elastic-cloud-elasticsearch';
import { jobFiles, jobNamed, stackObjects } from './helpers/chart';
import { FakeCluster, FakeRole, addSecret, elasticsearchStateOf, fakeCluster, runInFakeCluster, secretsOf } from './helpers/fake-cluster';
import { isAllowed } from './helpers/network-policy';
import { assertValidManifests } from './helpers/schema';

const ES_URL = 'https://logs.example.com:9243';
const SETUP_USER = 'seclog-setup';
const SETUP_PASSWORD = 'a "quoted" \\ password';

/** A workload cluster's stack that ships to the external Elasticsearch. */
function externalStack(props: Partial<SecurityLoggingChartProps> = {}, external: { caSecret?: boolean; consumers?: ElasticsearchConsumerCredentials; putTemplates?: boolean } = {}): SecurityLoggingChart {
  const app = Testing.app();
  return new SecurityLoggingChart(app, 'stack', {
    deployKibana: false,
    clusterName: 'prod-eu',
    externalElasticsearch: {
      url: ES_URL,
      version: '9.5.7',
      setupCredentials: kplus.Secret.fromSecretName(app, 'SetupCredentials', 'elasticsearch-setup-credentials'),
      caSecret: external.caSecret ? kplus.Secret.fromSecretName(app, 'Ca', 'logs-ca') : undefined,
      consumerCredentials: external.consumers,
      putTemplates: external.putTemplates,
      egressCidrs: ['203.0.113.0/24'],
    },
    ...props,
  });
}

/** The pod's mounts of the external setup Job: the setup user and, with one, the CA. */
function externalMounts(ca: boolean): { [path: string]: string } {
  return {
    '/setup-credentials/username': SETUP_USER,
    '/setup-credentials/password': SETUP_PASSWORD,
    ...ca ? { '/elasticsearch/ca.crt': 'LOGS CA' } : {},
  };
}

const fluentConf = (objects: any[]) => objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'fluentd-config').data['fluent.conf'] as string;

describe('an external Elasticsearch (by URL)', () => {
  test('the stack runs no Elasticsearch, every object is valid, and the agents ship to the URL with an API key', () => {
    const stack = externalStack();
    const objects = stackObjects(stack);
    assertValidManifests(objects);
    expect(objects.filter((o) => o.kind === 'StatefulSet')).toEqual([]);
    expect(objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/name'] === 'kibana')).toEqual([]);
    const conf = fluentConf(objects);
    expect(conf).toContain('host logs.example.com\n');
    expect(conf).toContain('port 9243\n');
    expect(conf).toContain('scheme https\n');
    // The plugin base64-encodes `id:api_key` itself; the Secret holds the encoded form.
    expect(conf).toContain(`api_key "#{ENV['FLUENT_ELASTICSEARCH_API_KEY'].unpack1('m0')}"\n`);
    expect(conf).not.toMatch(/^\s*(user|password|ca_file) /m);
    expect(conf).toContain('ssl_verify true\n');
    const fluentd = objects.find((o) => o.kind === 'DaemonSet' && o.metadata.name === 'fluentd');
    const container = fluentd.spec.template.spec.containers[0];
    expect(container.env.filter((e: any) => e.name.startsWith('FLUENT_ELASTICSEARCH_'))).toEqual([
      { name: 'FLUENT_ELASTICSEARCH_API_KEY', valueFrom: { secretKeyRef: { name: 'fluentd-elasticsearch', key: 'api_key' } } },
    ]);
    // A publicly trusted certificate: no CA mount.
    expect(fluentd.spec.template.spec.volumes.map((v: any) => v.name)).not.toContain('elasticsearch-ca');
    expect(() => stack.elasticsearch).toThrow(/chart runs no Elasticsearch: it ships to https:\/\/logs.example.com:9243; use stack.backend/);
    expect(stack.backend.connection.url).toBe(ES_URL);
  });

  test('with a CA Secret, the agents verify with the CA their Secret holds', () => {
    const objects = stackObjects(externalStack({}, { caSecret: true }));
    expect(fluentConf(objects)).toContain('ca_file /etc/fluentd-elasticsearch/ca.crt\n');
    const setup = jobNamed(objects, 'elasticsearch-setup-');
    expect(setup.spec.template.spec.volumes.filter((v: any) => v.secret).map((v: any) => v.secret)).toEqual([
      { secretName: 'elasticsearch-setup-credentials', items: [{ key: 'password', path: 'password' }, { key: 'username', path: 'username' }] },
      { secretName: 'logs-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    ]);
  });

  test('Fluent Bit and the events collector send the encoded API key as it is (http_api_key)', () => {
    const objects = stackObjects(externalStack({ agent: LogAgent.FLUENT_BIT }));
    assertValidManifests(objects);
    for (const name of ['fluent-bit-config', 'kubernetes-events-config']) {
      const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
      const outputs = parse(configMap.data['fluent-bit.yaml']).pipeline.outputs.filter((o: any) => o.name === 'es');
      expect(outputs.length).toBeGreaterThan(0);
      for (const output of outputs) {
        expect(output).toMatchObject({ host: 'logs.example.com', port: 9243, tls: 'on', 'tls.verify': 'on', 'http_api_key': '${FLUENT_ELASTICSEARCH_API_KEY}' });
        expect(Object.keys(output)).not.toEqual(expect.arrayContaining(['http_user']));
        expect(output['tls.ca_file']).toBeUndefined();
      }
    }
  });

  test('the NetworkPolicies let every consumer reach the CIDR on the URL\'s port and nothing else', () => {
    const objects = stackObjects(externalStack());
    const to = { ip: '203.0.113.7' };
    for (const [namespace, labels] of [
      ['security-logging-agents', { 'app.kubernetes.io/name': 'fluentd', 'app.kubernetes.io/instance': 'fluentd' }],
      ['security-logging', { 'app.kubernetes.io/name': 'kubernetes-events', 'app.kubernetes.io/instance': 'kubernetes-events' }],
      ['security-logging', { 'app.kubernetes.io/name': 'elasticsearch-setup', 'app.kubernetes.io/instance': 'elasticsearch' }],
    ] as const) {
      const from = { namespace, labels };
      expect([isAllowed(objects, from, to, 9243), isAllowed(objects, from, to, 9200), isAllowed(objects, from, { ip: '198.51.100.1' }, 9243)])
        .toEqual([true, false, false]);
    }
  });

  describe('the setup Job, in a fake Elasticsearch', () => {
    let cluster: FakeCluster;
    let files: { [file: string]: string };
    beforeAll(async () => {
      cluster = fakeCluster('unused', { [SETUP_USER]: SETUP_PASSWORD });
      files = jobFiles(stackObjects(externalStack({}, { caSecret: true })), 'elasticsearch-setup-');
      const run = await runInFakeCluster(cluster, files, { elasticsearchUrl: ES_URL, mounts: externalMounts(true) });
      expect(run.output).toMatch(/done\n$/);
      expect(run.code).toBe(0);
    });

    test('gives each writer an API key named by cluster, namespace and writer, that may only create documents in its own families', () => {
      const keys = Object.values(elasticsearchStateOf(cluster).apiKeys);
      expect(keys.map((k: any) => k.name).sort()).toEqual(['prod-eu-security-logging-agents-fluentd', 'prod-eu-security-logging-kubernetes-events']);
      const events = keys.find((k: any) => k.name === 'prod-eu-security-logging-kubernetes-events') as any;
      expect(events.owner).toBe(SETUP_USER);
      expect(events.role_descriptors).toEqual({
        'prod-eu-security-logging-kubernetes-events-writer': {
          cluster: [], indices: [{ names: ['seclog-events', 'seclog-events-*'], privileges: ['create_doc', 'auto_configure'] }],
        },
      });
      const secret = secretsOf(cluster).find((s) => s.name === 'kubernetes-events-elasticsearch');
      expect(secret?.namespace).toBe('security-logging');
      expect(Object.keys(secret?.data ?? {}).sort()).toEqual(['api_key', 'ca.crt', 'id']);
      expect(secret?.data['ca.crt']).toBe('LOGS CA');
      expect(Buffer.from(secret?.data.api_key ?? '', 'base64').toString()).toMatch(/^key\d+:secret-of-key\d+$/);
    });

    test('runs again without a new key, and updates a key whose families changed', async () => {
      const again = await runInFakeCluster(cluster, files, { elasticsearchUrl: ES_URL, mounts: externalMounts(true) });
      expect(again.code).toBe(0);
      expect(again.calls.filter((c) => c === `POST ${ES_URL}/_security/api_key`)).toEqual([]);
      expect(again.calls.filter((c) => c.startsWith(`PUT ${ES_URL}/_security/api_key/`))).toHaveLength(2);
      expect(Object.values(elasticsearchStateOf(cluster).apiKeys).map((k: any) => k.updates ?? 0)).toEqual([0, 0]);
      // Fewer families, then more again: the existing key follows.
      const fluentdKey = () => Object.values(elasticsearchStateOf(cluster).apiKeys).find((k: any) => k.name === 'prod-eu-security-logging-agents-fluentd') as any;
      const namesOf = (key: any) => Object.values(key.role_descriptors).flatMap((r: any) => r.indices[0].names);
      const narrower = jobFiles(stackObjects(externalStack({ nodeJournal: false }, { caSecret: true })), 'elasticsearch-setup-');
      expect((await runInFakeCluster(cluster, narrower, { elasticsearchUrl: ES_URL, mounts: externalMounts(true) })).code).toBe(0);
      expect([fluentdKey().updates, namesOf(fluentdKey()).includes('seclog-journal')]).toEqual([1, false]);
      expect((await runInFakeCluster(cluster, files, { elasticsearchUrl: ES_URL, mounts: externalMounts(true) })).code).toBe(0);
      expect([fluentdKey().updates, namesOf(fluentdKey()).includes('seclog-journal')]).toEqual([2, true]);
    });

    test('fails, saying what to do, when a writer\'s key was invalidated', async () => {
      const broken = fakeCluster('unused', { [SETUP_USER]: SETUP_PASSWORD });
      expect((await runInFakeCluster(broken, files, { elasticsearchUrl: ES_URL, mounts: externalMounts(true) })).code).toBe(0);
      const [id] = Object.keys(elasticsearchStateOf(broken).apiKeys);
      const run = await runInFakeCluster(broken, files, { elasticsearchUrl: ES_URL, mounts: externalMounts(true), fail: { [`PUT /_security/api_key/${id}`]: 404 } });
      expect(run.code).not.toBe(0);
      expect(run.output).toMatch(/cannot be updated \(answer 404: invalidated, expired, or owned by other setup credentials\): delete the Secret \(kubectl -n security-logging-agents delete secret fluentd-elasticsearch\)/);
    });

    test('a key whose Secret cannot be stored is invalidated again', async () => {
      const racing = fakeCluster('unused', { [SETUP_USER]: SETUP_PASSWORD });
      const run = await runInFakeCluster(racing, files, {
        elasticsearchUrl: ES_URL, mounts: externalMounts(true), fail: { 'POST /api/v1/namespaces/security-logging-agents/secrets#fluentd-elasticsearch': 500 },
      });
      expect(run.code).not.toBe(0);
      expect(Object.values(elasticsearchStateOf(racing).apiKeys).map((k: any) => [k.name, k.invalidated])).toEqual([['prod-eu-security-logging-agents-fluentd', true]]);
    });

    test('with a publicly trusted certificate, the Job sends no CA and the Secrets hold none', async () => {
      const open = fakeCluster('unused', { [SETUP_USER]: SETUP_PASSWORD });
      const publicFiles = jobFiles(stackObjects(externalStack()), 'elasticsearch-setup-');
      expect(publicFiles['run.sh']).not.toContain('cacert = ');
      const run = await runInFakeCluster(open, publicFiles, { elasticsearchUrl: ES_URL, publicCa: true, mounts: externalMounts(false) });
      expect(run.code).toBe(0);
      expect(secretsOf(open).map((s) => Object.keys(s.data).sort())).toEqual([['api_key', 'id'], ['api_key', 'id']]);
    });

    test('wrong setup credentials fail the Job before anything is put', async () => {
      const other = fakeCluster('unused', { [SETUP_USER]: 'another password' });
      const run = await runInFakeCluster(other, files, { elasticsearchUrl: ES_URL, mounts: externalMounts(true) });
      expect(run.code).not.toBe(0);
      expect(run.calls.filter((c) => c.startsWith('PUT '))).toEqual([]);
    });
  });

  describe('with credentials you supply', () => {
    const files = () => jobFiles(stackObjects(externalStack({}, { caSecret: true, consumers: ElasticsearchConsumerCredentials.SUPPLIED })), 'elasticsearch-setup-');

    test('the Job may only read the consumers\' Secrets, and makes no key', () => {
      const objects = stackObjects(externalStack({}, { caSecret: true, consumers: ElasticsearchConsumerCredentials.SUPPLIED }));
      const roles = objects.filter((o) => o.kind === 'Role' && o.metadata.name === 'elasticsearch-setup');
      expect(roles.flatMap((r) => r.rules)).toEqual([
        { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['kubernetes-events-elasticsearch'] },
        { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['fluentd-elasticsearch'] },
      ]);
      expect(files()['run.sh']).not.toContain('/_security/api_key');
    });

    test('fails naming a missing Secret, a key without the privileges, then passes with the right keys', async () => {
      const cluster = fakeCluster('unused', { [SETUP_USER]: SETUP_PASSWORD });
      const run = (async () => runInFakeCluster(cluster, files(), { elasticsearchUrl: ES_URL, mounts: externalMounts(true) }));
      const missing = await run();
      expect(missing.code).not.toBe(0);
      expect(missing.output).toMatch(/Secret security-logging-agents\/fluentd-elasticsearch is missing: create it with the keys api_key ca.crt/);
      // A key that may write another family only.
      const maker = fakeCluster('unused', { [SETUP_USER]: SETUP_PASSWORD });
      const made = jobFiles(stackObjects(externalStack({}, { caSecret: true })), 'elasticsearch-setup-');
      expect((await runInFakeCluster(maker, made, { elasticsearchUrl: ES_URL, mounts: externalMounts(true) })).code).toBe(0);
      const keyOf = (name: string) => (secretsOf(maker).find((s) => s.name === name) as any).data.api_key;
      // The fake cluster of the supplied run knows the keys the maker made.
      const state = elasticsearchStateOf(maker);
      const db = fs.readFileSync(`${cluster.dir}/db.json`, 'utf-8');
      fs.writeFileSync(`${cluster.dir}/db.json`, JSON.stringify({ ...JSON.parse(db), apiKeys: state.apiKeys }));
      addSecret(cluster, 'security-logging', 'kubernetes-events-elasticsearch', { 'api_key': keyOf('fluentd-elasticsearch'), 'ca.crt': 'LOGS CA' });
      addSecret(cluster, 'security-logging-agents', 'fluentd-elasticsearch', { 'api_key': keyOf('fluentd-elasticsearch'), 'ca.crt': 'LOGS CA' });
      const wrongKey = await run();
      expect(wrongKey.code).not.toBe(0);
      expect(wrongKey.output).toMatch(/the api_key of Secret security-logging\/kubernetes-events-elasticsearch does not authenticate, or lacks privileges/);
      addSecret(cluster, 'security-logging', 'kubernetes-events-elasticsearch', { 'api_key': keyOf('kubernetes-events-elasticsearch'), 'ca.crt': 'LOGS CA' });
      const right = await run();
      expect(right.output).toMatch(/its API key authenticates and may write its families/);
      expect(right.code).toBe(0);
    });

    test('an API key as setup credentials works only with supplied consumer credentials', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'c', { namespace: 'logging' });
      const setupCredentials = kplus.Secret.fromSecretName(chart, 'Setup', 'setup');
      expect(() => new ExternalElasticsearch(chart, 'Es', { url: ES_URL, version: '9.5.7', setupCredentials, setupAuthentication: ElasticsearchAuthentication.API_KEY }))
        .toThrow(/setupAuthentication API_KEY needs consumerCredentials SUPPLIED: an API key cannot create the writers' API keys/);
      const es = new ExternalElasticsearch(chart, 'Es2', {
        url: ES_URL, version: '9.5.7', setupCredentials, setupAuthentication: ElasticsearchAuthentication.API_KEY, consumerCredentials: ElasticsearchConsumerCredentials.SUPPLIED,
      });
      expect(es._setupAccess().curlConfig('/tmp/c')).toContain('header = "Authorization: ApiKey %s"');
    });
  });
});

describe('an ECK-managed Elasticsearch', () => {
  const eckStack = () => {
    const stack = new SecurityLoggingChart(Testing.app(), 'stack', {
      deployKibana: false, clusterName: 'shop', eckElasticsearch: { elasticsearchName: 'logs', elasticsearchNamespace: 'elastic-system', version: '8.19.25' },
    });
    return { stack, objects: stackObjects(stack) };
  };

  test('the consumers use ECK\'s Service and the Elasticsearch 8 Fluentd image; egress goes to ECK\'s pods on 9200', () => {
    const { objects } = eckStack();
    assertValidManifests(objects);
    const conf = fluentConf(objects);
    expect(conf).toContain('host logs-es-http.elastic-system.svc\n');
    expect(conf).toContain('port 9200\n');
    expect(conf).toContain('ca_file /etc/fluentd-elasticsearch/ca.crt\n');
    expect(objects.find((o) => o.kind === 'DaemonSet' && o.metadata.name === 'fluentd').spec.template.spec.containers[0].image).toMatch(/-debian-elasticsearch8-/);
    const eckPod = { namespace: 'elastic-system', labels: { 'common.k8s.elastic.co/type': 'elasticsearch', 'elasticsearch.k8s.elastic.co/cluster-name': 'logs' } };
    const fluentd = { namespace: 'security-logging-agents', labels: { 'app.kubernetes.io/name': 'fluentd', 'app.kubernetes.io/instance': 'fluentd' } };
    const otherEck = { namespace: 'elastic-system', labels: { 'common.k8s.elastic.co/type': 'elasticsearch', 'elasticsearch.k8s.elastic.co/cluster-name': 'other' } };
    expect([isAllowed(objects, fluentd, eckPod, 9200), isAllowed(objects, fluentd, eckPod, 9300), isAllowed(objects, fluentd, otherEck, 9200)]).toEqual([true, false, false]);
  });

  test('the setup Job may read exactly ECK\'s two Secrets there, and gets its CA and elastic user from them', async () => {
    const { objects } = eckStack();
    const role = objects.find((o) => o.kind === 'Role' && o.metadata.namespace === 'elastic-system');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['logs-es-elastic-user', 'logs-es-http-certs-public'] }]);
    const cluster = fakeCluster('eck-elastic-password');
    addSecret(cluster, 'elastic-system', 'logs-es-http-certs-public', { 'ca.crt': 'ECK HTTP CA', 'tls.crt': 'ECK HTTP CERT' });
    addSecret(cluster, 'elastic-system', 'logs-es-elastic-user', { elastic: 'eck-elastic-password' });
    const run = await runInFakeCluster(cluster, jobFiles(objects, 'elasticsearch-setup-'), { elasticsearchUrl: 'https://logs-es-http.elastic-system.svc:9200' });
    expect(run.output).toMatch(/done\n$/);
    expect(run.code).toBe(0);
    const secret = secretsOf(cluster).find((s) => s.name === 'fluentd-elasticsearch');
    expect(secret?.data['ca.crt']).toBe('ECK HTTP CA');
    expect(Object.values(elasticsearchStateOf(cluster).apiKeys).map((k: any) => k.name).sort()).toEqual(['shop-security-logging-agents-fluentd', 'shop-security-logging-kubernetes-events']);
  });
});

describe('Elastic Cloud', () => {
  // The Cloud ID format of Elastic's docs: <name>:base64(host$es-id$kibana-id).
  const id = (decoded: string) => `my-deployment:${Buffer.from(decoded).toString('base64')}`;

  test('the Cloud ID gives the Elasticsearch URL as Elastic\'s clients decode it', () => {
    expect(elasticsearchUrlOfCloudId('p', id('us-central1.gcp.cloud.es.io$abc123$def456'))).toBe('https://abc123.us-central1.gcp.cloud.es.io:443');
    expect(elasticsearchUrlOfCloudId('p', id('eu-west-1.aws.found.io:9243$abc123$def456'))).toBe('https://abc123.eu-west-1.aws.found.io:9243');
    expect(elasticsearchUrlOfCloudId('p', id('eu-west-1.aws.found.io:9243$abc123:443$def456'))).toBe('https://abc123.eu-west-1.aws.found.io:443');
    expect(elasticsearchUrlOfCloudId('p', `a:b:${Buffer.from('host.example$es1$kb1').toString('base64')}`)).toBe('https://es1.host.example:443');
    expect(() => elasticsearchUrlOfCloudId('elastic cloud cloudId', 'my-deployment:not base64!')).toThrow(/elastic cloud cloudId must be a Cloud ID .*not base64/);
    expect(() => elasticsearchUrlOfCloudId('elastic cloud cloudId', id('just-a-host'))).toThrow(/lacks host\$elasticsearch-id/);
  });

  test('a stack on Elastic Cloud ships to its endpoint on 443 with publicly trusted TLS', () => {
    const app = Testing.app();
    const stack = new SecurityLoggingChart(app, 'stack', {
      deployKibana: false,
      elasticCloud: { cloudId: id('us-central1.gcp.cloud.es.io$abc123$def456'), version: '9.5.7', setupCredentials: kplus.Secret.fromSecretName(app, 'S', 'cloud-setup') },
    });
    const objects = stackObjects(stack);
    assertValidManifests(objects);
    expect(stack.backend).toBeInstanceOf(ElasticCloudElasticsearch);
    const conf = fluentConf(objects);
    expect(conf).toContain('host abc123.us-central1.gcp.cloud.es.io\n');
    expect(conf).toContain('port 443\n');
    expect(conf).not.toContain('ca_file');
  });
});

describe('bad backend input', () => {
  const secret = () => kplus.Secret.fromSecretName(Testing.app(), 'S', 'setup');
  const external = (props: any) => () => new ExternalElasticsearch(new Chart(Testing.app(), 'c', { namespace: 'logging' }), 'Es', { version: '9.5.7', setupCredentials: secret(), ...props });

  test.each([
    ['http://logs.example.com:9200', /external elasticsearch url must be https:\/\/<host>\[:<port>\] with no path, credentials or query \(consumers send credentials, so plain HTTP is refused\), got "http:\/\/logs.example.com:9200"/],
    ['https://logs.example.com/es', /with no path/],
    ['https://user:pw@logs.example.com', /with no path, credentials/],
    ['logs.example.com:9200', /must be https:\/\//],
  ])('the url %s is refused', (url, message) => {
    expect(external({ url })).toThrow(message);
  });

  test('other props are checked, naming the prop', () => {
    expect(external({ url: ES_URL, version: '7.17.0' })).toThrow(/external elasticsearch version "7.17.0" is not a tested version/);
    expect(external({ url: ES_URL, setupCredentials: 'elastic-credentials' })).toThrow(/external elasticsearch setupCredentials must be a Secret \(kplus.Secret.fromSecretName\(this, id, name\)\), got "elastic-credentials"/);
    expect(external({ url: ES_URL, egressCidrs: [] })).toThrow(/external elasticsearch egressCidrs must list at least one CIDR/);
    expect(external({ url: ES_URL, egressCidrs: ['10.0.0.0'] })).toThrow(/external elasticsearch egressCidrs\[0\] must be a CIDR/);
    expect(external({ url: ES_URL, indexReplicas: -1 })).toThrow(/external elasticsearch indexReplicas/);
    expect(external({ url: ES_URL, consumerCredentials: 'mine' })).toThrow(/external elasticsearch consumerCredentials must be one of created-by-setup, supplied, got "mine"/);
    expect(external({ url: ES_URL, setupAuthentication: ElasticsearchAuthentication.SERVICE_ACCOUNT_TOKEN })).toThrow(/setupAuthentication must be BASIC or API_KEY/);
    expect(() => new EckElasticsearch(new Chart(Testing.app(), 'c', { namespace: 'logging' }), 'Es', { elasticsearchName: 'Logs', elasticsearchNamespace: 'elastic-system', version: '9.5.7' }))
      .toThrow(/eck elasticsearch elasticsearchName must be/);
  });

  test('the chart takes one Elasticsearch, and its Kibana on another needs credentials for its imports', () => {
    const app = Testing.app();
    const setupCredentials = kplus.Secret.fromSecretName(app, 'S', 'setup');
    const externalProps = { url: ES_URL, version: '9.5.7', setupCredentials };
    expect(() => new SecurityLoggingChart(app, 'a', { externalElasticsearch: externalProps }))
      .toThrow(/kibana importCredentials is required with a backend other than an in-cluster ElasticsearchCluster \(https:\/\/logs.example.com:9243\): a Secret with the username and password of a Kibana user/);
    expect(() => new SecurityLoggingChart(Testing.app(), 'b', { deployKibana: false, externalElasticsearch: externalProps, elasticsearch: { replicas: 1 } }))
      .toThrow(/chart elasticsearch and externalElasticsearch are set/);
    expect(() => new SecurityLoggingChart(Testing.app(), 'c', {
      deployKibana: false, externalElasticsearch: externalProps, eckElasticsearch: { elasticsearchName: 'logs', elasticsearchNamespace: 'e', version: '9.5.7' },
    })).toThrow(/chart externalElasticsearch and eckElasticsearch are set: the stack ships to one Elasticsearch; keep one/);
  });

  test('a consumer given a host name, or a setup in another namespace than its backend, is refused', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'logging' });
    expect(() => new FluentdDaemonSet(chart, 'Bad', { elasticsearch: 'logs.example.com' as any }))
      .toThrow(/fluentd elasticsearch is required: pass the Elasticsearch to ship to, an ElasticsearchCluster, ExternalElasticsearch, EckElasticsearch or ElasticCloudElasticsearch object \(never a host name\), got "logs.example.com"/);
    const es = new ExternalElasticsearch(chart, 'Es', { url: ES_URL, version: '9.5.7', setupCredentials: kplus.Secret.fromSecretName(chart, 'S', 'setup') });
    new FluentdDaemonSet(chart, 'F', { elasticsearch: es });
    const elsewhere = new Chart(Testing.app(), 'd', { namespace: 'other' });
    expect(() => new ElasticsearchSetup(elsewhere, 'Setup', { elasticsearch: es }))
      .toThrow(/elasticsearch setup must be in the namespace of its Elasticsearch object \("logging"\), whose Secrets it mounts, got "other"/);
  });
});

describe('setup credentials of least privilege', () => {
  /** Runs a stack's setup as SETUP_USER with the given role, in the cluster. */
  const runAs = (cluster: FakeCluster, stack: SecurityLoggingChart) =>
    runInFakeCluster(cluster, jobFiles(stackObjects(stack), 'elasticsearch-setup-'), { elasticsearchUrl: ES_URL, mounts: externalMounts(true) });
  const withRole = (role: FakeRole, from?: FakeCluster) => {
    const cluster = fakeCluster('unused', { [SETUP_USER]: SETUP_PASSWORD }, { [SETUP_USER]: role });
    // The Elasticsearch of another cluster's run, seen from a Kubernetes cluster of its own (no Secret).
    if (from !== undefined) fs.writeFileSync(`${cluster.dir}/db.json`, JSON.stringify({ ...JSON.parse(fs.readFileSync(`${from.dir}/db.json`, 'utf-8')), secrets: {} }));
    return cluster;
  };
  /** The role, and each role that lacks one of its privileges. */
  const roleAndEachLess = (role: { cluster: string[]; indices: { names: string[]; privileges: string[] }[] }) => [
    ...role.cluster.map((c) => ({ lacks: c, role: { ...role, cluster: role.cluster.filter((x) => x !== c) } })),
    ...role.indices.flatMap((i, n) => i.privileges.map((v) => ({
      lacks: `${v} on the indices`, role: { ...role, indices: role.indices.map((j, m) => (m === n ? { ...j, privileges: j.privileges.filter((x) => x !== v) } : j)) },
    }))),
  ];

  test('a setup that puts the templates works with exactly requiredPrivileges, and fails without any one of them', async () => {
    const stack = externalStack({}, { caSecret: true });
    const role = stack.elasticsearchSetup.requiredPrivileges as FakeRole;
    const full = await runAs(withRole(role), stack);
    expect(full.output).toMatch(/done\n$/);
    expect(full.code).toBe(0);
    const failures = await Promise.all(roleAndEachLess(role).map(async (less) => [less.lacks, (await runAs(withRole(less.role), stack)).code !== 0]));
    expect(failures).toEqual(roleAndEachLess(role).map((less) => [less.lacks, true]));
  });

  describe('a workload cluster whose setup leaves the templates to the central one (putTemplates: false)', () => {
    const workload = (props: Partial<SecurityLoggingChartProps> = {}) => externalStack({ clusterName: 'workload-a', ...props }, { caSecret: true, putTemplates: false });
    let central: FakeCluster;
    beforeAll(async () => {
      // The central setup, with credentials that may do everything, has put the templates.
      central = fakeCluster('unused', { [SETUP_USER]: SETUP_PASSWORD });
      expect((await runAs(central, externalStack({}, { caSecret: true }))).code).toBe(0);
    });

    test('needs no index manage and no template, policy or pipeline management', () => {
      expect(workload().elasticsearchSetup.requiredPrivileges).toEqual({
        cluster: ['monitor', 'read_ilm', 'read_pipeline', 'manage_own_api_key'],
        indices: [{ names: expect.arrayContaining(['seclog-falco', 'seclog-falco-*']), privileges: ['create_doc', 'auto_configure'] }],
      });
      expect(externalStack({ clusterName: 'workload-a' }, { putTemplates: false, consumers: ElasticsearchConsumerCredentials.SUPPLIED }).elasticsearchSetup.requiredPrivileges)
        .toEqual({ cluster: ['monitor', 'read_ilm', 'read_pipeline'], indices: [] });
      const files = jobFiles(stackObjects(workload()), 'elasticsearch-setup-');
      expect(Object.keys(files).filter((f) => /^(policy|pipeline|template|simulate)-/.test(f))).toEqual([]);
    });

    test('puts nothing, makes its writers\' keys with exactly requiredPrivileges, and fails without any one of them', async () => {
      const role = workload().elasticsearchSetup.requiredPrivileges as FakeRole;
      const cluster = withRole(role, central);
      const run = await runAs(cluster, workload());
      expect(run.output).toMatch(/done\n$/);
      expect(run.code).toBe(0);
      expect(run.calls.filter((c) => c.startsWith('PUT ') && !c.includes('/_security/api_key/'))).toEqual([]);
      expect(run.output).toMatch(/\/_index_template\/seclog-falco: as this stack has it/);
      expect(Object.values(elasticsearchStateOf(cluster).apiKeys).map((k: any) => k.name).filter((n) => n.startsWith('workload-a-')).sort())
        .toEqual(['workload-a-security-logging-agents-fluentd', 'workload-a-security-logging-kubernetes-events']);
      const failures = await Promise.all(roleAndEachLess(role).map(async (less) => [less.lacks, (await runAs(withRole(less.role, central), workload())).code !== 0]));
      expect(failures).toEqual(roleAndEachLess(role).map((less) => [less.lacks, true]));
    });

    test('fails and retries while the central setup has not put a template, or put another one', async () => {
      const empty = await runAs(fakeCluster('unused', { [SETUP_USER]: SETUP_PASSWORD }), workload());
      expect(empty.code).not.toBe(0);
      expect(empty.output).toMatch(/\/_ilm\/policy\/seclog-\S+ is not in the Elasticsearch yet: the setup that puts the templates \(putTemplates true/);
      const otherRetention = await runAs(withRole(workload().elasticsearchSetup.requiredPrivileges as FakeRole, central), workload({ retention: { falcoDays: 30 } }));
      expect(otherRetention.code).not.toBe(0);
      expect(otherRetention.output).toMatch(/\/_ilm\/policy\/seclog-falco-policy in the Elasticsearch differs from this stack's/);
    });
  });

  test('a writer\'s Secret deleted for a new key: the old key of that name is invalidated', async () => {
    const cluster = fakeCluster('unused', { [SETUP_USER]: SETUP_PASSWORD });
    const stack = externalStack({}, { caSecret: true });
    expect((await runAs(cluster, stack)).code).toBe(0);
    const db = JSON.parse(fs.readFileSync(`${cluster.dir}/db.json`, 'utf-8'));
    delete db.secrets['security-logging-agents/fluentd-elasticsearch'];
    fs.writeFileSync(`${cluster.dir}/db.json`, JSON.stringify(db));
    expect((await runAs(cluster, stack)).code).toBe(0);
    const keys = Object.values(elasticsearchStateOf(cluster).apiKeys) as any[];
    expect(keys.map((k) => [k.name, k.invalidated])).toEqual([
      ['prod-eu-security-logging-agents-fluentd', true],
      ['prod-eu-security-logging-kubernetes-events', false],
      ['prod-eu-security-logging-agents-fluentd', false],
    ]);
  });
});

test('the README\'s setup role is the one the external stack\'s setup needs', () => {
  const readme = fs.readFileSync(`${__dirname}/../README.md`, 'utf-8');
  const block = /<!-- setup-privileges:start -->\n```json\n([\s\S]*?)\n```\n<!-- setup-privileges:end -->/.exec(readme);
  expect(JSON.parse(block?.[1] ?? 'null')).toEqual(externalStack().elasticsearchSetup.requiredPrivileges);
  // With supplied keys, the setup grants nothing onward and makes no key.
  expect(externalStack({}, { consumers: ElasticsearchConsumerCredentials.SUPPLIED }).elasticsearchSetup.requiredPrivileges).toEqual({
    cluster: ['monitor', 'manage_index_templates', 'manage_ilm', 'manage_pipeline'],
    indices: [{ names: expect.arrayContaining(['seclog-falco', 'seclog-falco-*']), privileges: ['manage'] }],
  });
});

test('a central Elasticsearch\'s outside names and clients are checked', () => {
  const chart = () => new Chart(Testing.app(), 'c', { namespace: 'logging' });
  expect(() => new ElasticsearchCluster(chart(), 'Es', { httpHostNames: ['Logs.Example.com'] })).toThrow(/elasticsearch httpHostNames\[0\] must be a lowercase RFC 1123 subdomain/);
  expect(() => new ElasticsearchCluster(chart(), 'Es', { httpHostNames: ['logs.example.com'], security: ElasticsearchSecurity.disabledForDevelopmentOnly() }))
    .toThrow(/elasticsearch httpHostNames is set but security is disabled/);
  expect(() => new SecurityLoggingChart(Testing.app(), 's', { elasticsearchClientCidrs: ['192.0.2.0'] })).toThrow(/chart elasticsearchClientCidrs\[0\] must be a CIDR/);
  const app = Testing.app();
  expect(() => new SecurityLoggingChart(app, 's', {
    deployKibana: false, elasticsearchClientCidrs: ['192.0.2.0/24'],
    externalElasticsearch: { url: ES_URL, version: '9.5.7', setupCredentials: kplus.Secret.fromSecretName(app, 'S', 'setup') },
  })).toThrow(/chart elasticsearchClientCidrs is set with externalElasticsearch: it lets clients into the in-cluster Elasticsearch, which externalElasticsearch replaces/);
  expect(() => new SecurityLoggingChart(Testing.app(), 's', { networkPolicies: false, elasticsearchClientCidrs: ['192.0.2.0/24'] })).toThrow(/chart elasticsearchClientCidrs is set but networkPolicies is false/);
});

describe('Kibana on an external Elasticsearch', () => {
  const kibanaStack = (caSecret: boolean) => {
    const app = Testing.app();
    const stack = new SecurityLoggingChart(app, 'stack', {
      clusterName: 'prod-eu',
      kibana: { importCredentials: kplus.Secret.fromSecretName(app, 'Import', 'kibana-import-user') },
      externalElasticsearch: {
        url: ES_URL, version: '9.5.7', egressCidrs: ['203.0.113.0/24'],
        setupCredentials: kplus.Secret.fromSecretName(app, 'Setup', 'elasticsearch-setup-credentials'),
        caSecret: caSecret ? kplus.Secret.fromSecretName(app, 'Ca', 'logs-ca') : undefined,
      },
    });
    return { stack, objects: stackObjects(stack) };
  };

  test('reads the URL with a service token, serves HTTPS with a CA of its own, and its imports log in as the given user', () => {
    const { stack, objects } = kibanaStack(false);
    assertValidManifests(objects);
    const yml = parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'kibana-config').data['kibana.yml']);
    expect(yml['elasticsearch.hosts']).toEqual([ES_URL]);
    expect(yml['elasticsearch.serviceAccountToken']).toBe('${KIBANA_ELASTICSEARCH_SERVICE_TOKEN}');
    // A publicly trusted certificate: Node's CAs verify it (Kibana's default verificationMode is full).
    expect(yml['elasticsearch.ssl.certificateAuthorities']).toBeUndefined();
    expect(yml['server.ssl.enabled']).toBe(true);
    const bootstrap = jobFiles(objects, 'kibana-bootstrap-')['run.sh'];
    expect(bootstrap).toContain("'kibana-ca'");
    expect(bootstrap).toContain('- "kibana.security-logging.svc"');
    for (const prefix of ['kibana-saved-objects-', 'kibana-detection-rules-']) {
      expect(jobNamed(objects, prefix).spec.template.spec.volumes.filter((v: any) => v.secret).map((v: any) => v.secret.secretName)).toEqual(['kibana-import-user', 'kibana-certs']);
    }
    expect(stack.elasticsearchSetup.requiredPrivileges.cluster).toContain('manage_service_account');
    const kibana = { namespace: 'security-logging', labels: { 'app.kubernetes.io/name': 'kibana', 'app.kubernetes.io/instance': 'kibana' } };
    expect([isAllowed(objects, kibana, { ip: '203.0.113.7' }, 9243), isAllowed(objects, kibana, { ip: '203.0.113.7' }, 443)]).toEqual([true, false]);
  });

  test('the setup Job gives it a service account token (with the CA, when the cluster has one of its own)', async () => {
    const { objects } = kibanaStack(true);
    const yml = parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'kibana-config').data['kibana.yml']);
    expect(yml['elasticsearch.ssl.certificateAuthorities']).toEqual(['/usr/share/kibana/config/elasticsearch/ca.crt']);
    const cluster = fakeCluster('unused', { [SETUP_USER]: SETUP_PASSWORD });
    const run = await runInFakeCluster(cluster, jobFiles(objects, 'elasticsearch-setup-'), { elasticsearchUrl: ES_URL, mounts: externalMounts(true) });
    expect(run.code).toBe(0);
    const secret = secretsOf(cluster).find((s) => s.name === 'kibana-elasticsearch');
    expect(Object.keys(secret?.data ?? {}).sort()).toEqual(['ca.crt', 'token']);
    expect(Object.values(elasticsearchStateOf(cluster).tokens)).toContain(secret?.data.token);
  });
});

describe('the setup checks what it hands out and what it is handed', () => {
  test('a key its owner cannot fill (setup credentials without the writers\' privileges) fails the Job, naming the key', async () => {
    const cluster = fakeCluster('unused', { [SETUP_USER]: SETUP_PASSWORD });
    const files = jobFiles(stackObjects(externalStack({}, { caSecret: true })), 'elasticsearch-setup-');
    const run = await runInFakeCluster(cluster, files, { elasticsearchUrl: ES_URL, mounts: externalMounts(true), fail: { 'POST /_security/user/_has_privileges': 403 } });
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/the API key of Secret security-logging-agents\/fluentd-elasticsearch lacks privileges of \S*privileges-prod-eu-security-logging-agents-fluentd\.json: the setup credentials must hold them/);
  });

  test('a supplied key with a trailing newline is refused before any agent reads it', async () => {
    const cluster = fakeCluster('unused', { [SETUP_USER]: SETUP_PASSWORD });
    const files = jobFiles(stackObjects(externalStack({}, { caSecret: true, consumers: ElasticsearchConsumerCredentials.SUPPLIED })), 'elasticsearch-setup-');
    addSecret(cluster, 'security-logging-agents', 'fluentd-elasticsearch', { 'api_key': `${Buffer.from('id:key').toString('base64')}\n`, 'ca.crt': 'LOGS CA' });
    const run = await runInFakeCluster(cluster, files, { elasticsearchUrl: ES_URL, mounts: externalMounts(true) });
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/the api_key of Secret security-logging-agents\/fluentd-elasticsearch is not only base64/);
  });

  test('a writer of one\'s own without a cluster name is refused (JavaScript has no type checker)', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'logging' });
    const es = new ExternalElasticsearch(chart, 'Es', { url: ES_URL, version: '9.5.7', setupCredentials: kplus.Secret.fromSecretName(chart, 'S', 'setup') });
    const writer = Object.assign(new Construct(chart, 'Mine'), { writerName: 'mine', writtenIndexFamilies: () => ['mine-logs'] });
    expect(() => es.addWriter(writer as any)).toThrow(/elasticsearch writer c\/Mine clusterName/);
  });
});
