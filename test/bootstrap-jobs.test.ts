import { Testing } from 'cdk8s';
import { FakeCluster, FakeRun, addDataStreams, cloneCluster, elasticsearchStateOf, fakeCluster, rolloversOf, runInFakeCluster, secretsOf } from './helpers/fake-cluster';
import { jobFiles, stackOf } from './helpers/chart';
import { ElasticsearchSecurity } from '../src';

/**
 * The in-cluster Jobs that make the stack's certificates, passwords, users and tokens,
 * run for real (bash, with their rendered scripts) against a fake Kubernetes Secrets
 * API and a fake Elasticsearch security API (test/helpers/fake-cluster.ts).
 */
const objects = Testing.synth(stackOf());
const esBootstrap = jobFiles(objects, 'elasticsearch-bootstrap-');
const kibanaBootstrap = jobFiles(objects, 'kibana-bootstrap-');
const setup = jobFiles(objects, 'elasticsearch-setup-');
const NS = 'security-logging';
const secretNamed = (cluster: FakeCluster, name: string) => secretsOf(cluster).find((s) => s.name === name);

/** The mounts the setup Job's pod has: the elastic password and the cluster's CA. */
function setupMounts(cluster: FakeCluster) {
  return { '/elastic/password': cluster.elasticPassword, '/elasticsearch/ca.crt': secretNamed(cluster, 'elasticsearch-certs')?.data['ca.crt'] ?? 'CA' };
}

/** A second run of a bootstrap Job reads every Secret and creates or replaces none. */
async function expectSecondRunChangesNothing(files: { [file: string]: string }): Promise<void> {
  const cluster = fakeCluster();
  await runInFakeCluster(cluster, files);
  const before = secretsOf(cluster);
  const again = await runInFakeCluster(cluster, files);
  expect(again.code).toBe(0);
  expect(again.calls.filter((c) => !c.startsWith('GET '))).toEqual([]);
  expect(secretsOf(cluster)).toEqual(before);
}

describe('the Elasticsearch bootstrap Job', () => {
  test('first run: a CA, the nodes\' certificate signed by it, and the elastic password, each in its Secret', async () => {
    const cluster = fakeCluster();
    const run = await runInFakeCluster(cluster, esBootstrap);
    expect(run.output).toContain('done');
    expect(run.code).toBe(0);
    expect(secretsOf(cluster).map((s) => `${s.namespace}/${s.name}`)).toEqual([
      `${NS}/elasticsearch-ca`, `${NS}/elasticsearch-certs`, `${NS}/elasticsearch-elastic-credentials`,
    ]);
    const ca = secretNamed(cluster, 'elasticsearch-ca')?.data;
    const certs = secretNamed(cluster, 'elasticsearch-certs')?.data;
    expect(Object.keys(certs ?? {})).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(certs?.['ca.crt']).toBe(ca?.['ca.crt']);
    expect(certs?.['tls.crt']).toContain(`signed by ${ca?.['ca.crt']}`);
    expect(certs?.['tls.crt']).toContain('elasticsearch.security-logging.svc,');
    // The CA key stays in the CA Secret, which the nodes do not mount.
    expect(Object.values(certs ?? {}).join()).not.toContain('CA-KEY');
    const credentials = secretNamed(cluster, 'elasticsearch-elastic-credentials')?.data;
    expect(credentials?.username).toBe('elastic');
    expect(credentials?.password).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(secretNamed(cluster, 'elasticsearch-certs')?.labels['app.kubernetes.io/name']).toBe('elasticsearch');
  });

  test('running again changes nothing: every Secret is read, none is created or replaced', () => expectSecondRunChangesNothing(esBootstrap));

  test('a Secret made meanwhile by another run (409) is kept, and the stored CA is the one used', async () => {
    const cluster = fakeCluster();
    await runInFakeCluster(cluster, kibanaBootstrap);
    const ca = secretNamed(cluster, 'elasticsearch-ca')?.data['ca.crt'];
    const run = await runInFakeCluster(cluster, esBootstrap);
    expect(run.code).toBe(0);
    expect(run.calls.filter((c) => c.startsWith('POST '))).toHaveLength(2);
    expect(secretNamed(cluster, 'elasticsearch-certs')?.data['ca.crt']).toBe(ca);
    expect(secretNamed(cluster, 'kibana-certs')?.data['ca.crt']).toBe(ca);
  });

  test('an API error fails the attempt (the Job retries) and is printed', async () => {
    const cluster = fakeCluster();
    const run = await runInFakeCluster(cluster, esBootstrap, { fail: { [`POST /api/v1/namespaces/${NS}/secrets`]: 403 } });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(`creating Secret ${NS}/elasticsearch-ca answered 403`);
    const unreadable = await runInFakeCluster(fakeCluster(), esBootstrap, { fail: { [`GET /api/v1/namespaces/${NS}/secrets/elasticsearch-certs`]: 500 } });
    expect(unreadable.code).not.toBe(0);
    expect(unreadable.output).toContain(`reading Secret ${NS}/elasticsearch-certs answered 500`);
  });

  test('a file that is missing fails the attempt instead of storing an empty Secret', async () => {
    const cluster = fakeCluster();
    // As if certutil had put the certificate elsewhere: the Secret would be stored without it, for good.
    const broken = { 'run.sh': esBootstrap['run.sh'].replace('tls.crt=/tmp/certs/elasticsearch/elasticsearch.crt', 'tls.crt=/tmp/certs/elsewhere.crt') };
    const run = await runInFakeCluster(cluster, broken);
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/creating Secret security-logging\/elasticsearch-certs: \S+\/tmp\/certs\/elsewhere.crt is missing or empty/);
    expect(secretsOf(cluster).map((s) => s.name)).toEqual(['elasticsearch-ca']);
  });

  test('with cert-manager it makes only the password', async () => {
    const files = jobFiles(Testing.synth(stackOf({ elasticsearch: { security: ElasticsearchSecurity.certManager({ issuerName: 'ca' }) } })), 'elasticsearch-bootstrap-');
    const cluster = fakeCluster();
    expect((await runInFakeCluster(cluster, files)).code).toBe(0);
    expect(secretsOf(cluster).map((s) => s.name)).toEqual(['elasticsearch-elastic-credentials']);
  });
});

describe('the Kibana bootstrap Job: its certificate and its encryption keys', () => {
  test('first run: the certificate signed by the cluster\'s CA, and three random encryption keys of 40 characters', async () => {
    const cluster = fakeCluster();
    const run = await runInFakeCluster(cluster, kibanaBootstrap);
    expect(run.code).toBe(0);
    expect(secretsOf(cluster).map((s) => s.name)).toEqual(['elasticsearch-ca', 'kibana-certs', 'kibana-encryption-keys']);
    const keys = secretNamed(cluster, 'kibana-encryption-keys')?.data ?? {};
    expect(Object.keys(keys)).toEqual(['encryptedSavedObjects', 'security', 'reporting']);
    // Kibana wants at least 32 characters; each key is its own.
    for (const key of Object.values(keys)) expect(key).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(new Set(Object.values(keys)).size).toBe(3);
    expect(secretNamed(cluster, 'kibana-encryption-keys')?.labels['app.kubernetes.io/name']).toBe('kibana');
  });

  test('running again never replaces the keys (a new saved-objects key would make the encrypted objects unreadable)', () => expectSecondRunChangesNothing(kibanaBootstrap));

  test('with cert-manager or without security, it still makes the keys (and no certificate)', async () => {
    for (const security of [ElasticsearchSecurity.certManager({ issuerName: 'ca' }), ElasticsearchSecurity.disabledForDevelopmentOnly()]) {
      const files = jobFiles(Testing.synth(stackOf({ elasticsearch: { security } })), 'kibana-bootstrap-');
      const cluster = fakeCluster();
      expect((await runInFakeCluster(cluster, files)).code).toBe(0);
      expect(secretsOf(cluster).map((s) => s.name)).toEqual(['kibana-encryption-keys']);
    }
  });
});

describe('the setup Job: writers\' users and Kibana\'s token', () => {
  // Bootstrapped, then set up once; tests that change something work on a copy.
  let bootstrapped: FakeCluster;
  let cluster: FakeCluster;
  let run: FakeRun;
  beforeAll(async () => {
    const start = fakeCluster();
    await runInFakeCluster(start, esBootstrap);
    await runInFakeCluster(start, kibanaBootstrap);
    bootstrapped = cloneCluster(start);
    cluster = cloneCluster(start);
    run = await runInFakeCluster(cluster, setup, { mounts: setupMounts(cluster) });
  }, 30_000);

  test('Fluentd gets a user that may only create documents in its families, its password in a Secret in its namespace', () => {
    expect(run.output).toMatch(/done\n$/);
    expect(run.code).toBe(0);
    const secret = secretNamed(cluster, 'fluentd-elasticsearch');
    expect(secret?.namespace).toBe(`${NS}-agents`);
    expect(secret?.data.username).toBe(`${NS}-agents-fluentd`);
    expect(secret?.data.password).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(secret?.data['ca.crt']).toBe(secretNamed(cluster, 'elasticsearch-ca')?.data['ca.crt']);
    const es = elasticsearchStateOf(cluster);
    expect(es.users[`${NS}-agents-fluentd`]).toEqual({
      password: secret?.data.password, roles: [`${NS}-agents-fluentd-writer`], full_name: `log writer ${NS}-agents/fluentd-elasticsearch`,
    });
    expect(es.roles[`${NS}-agents-fluentd-writer`]).toEqual({
      cluster: [],
      indices: [{
        names: [
          'seclog-audit', 'seclog-audit-*', 'seclog-containers', 'seclog-containers-*', 'seclog-falco', 'seclog-falco-*', 'seclog-journal', 'seclog-journal-*',
          'seclog-kubearmor-alerts', 'seclog-kubearmor-alerts-*', 'seclog-kubearmor-logs', 'seclog-kubearmor-logs-*',
          'seclog-kubearmor-messages', 'seclog-kubearmor-messages-*',
        ],
        privileges: ['create_doc', 'auto_configure'],
      }],
    });
  });

  test('Kibana gets a service account token (never the elastic user) and the CA in its Secret', () => {
    const secret = secretNamed(cluster, 'kibana-elasticsearch');
    const tokens = elasticsearchStateOf(cluster).tokens;
    expect(Object.keys(tokens)).toHaveLength(1);
    expect(Object.keys(tokens)[0]).toMatch(/^security-logging-kibana-elasticsearch-\d+$/);
    expect(secret?.data).toEqual({ 'token': Object.values(tokens)[0], 'ca.crt': secretNamed(cluster, 'elasticsearch-ca')?.data['ca.crt'] });
  });

  test('the pipelines pass their checks on the cluster (the ingest model stands in for it), before they are put', () => {
    const simulated = run.calls.filter((c) => c.endsWith('/_ingest/pipeline/_simulate'));
    expect(simulated).toHaveLength(8);
    expect(run.calls.indexOf(simulated[0])).toBeLessThan(run.calls.findIndex((c) => c.startsWith('PUT ') && c.includes('/_ingest/pipeline/')));
    expect(run.output).toContain('pipeline seclog-falco-pipeline: every check passed');
    expect(run.output).toContain('pipeline seclog-journal-pipeline: every check passed');
  });

  test('a first run rolls nothing over; a changed template rolls its existing streams over at their next write, an unchanged one not', async () => {
    expect(rolloversOf(cluster)).toEqual([]);
    const again = cloneCluster(cluster);
    addDataStreams(again, ['seclog-falco', 'seclog-audit-kube-system', 'seclog-audit-none', 'seclog-containers']);
    expect((await runInFakeCluster(again, setup, { mounts: setupMounts(again) })).code).toBe(0);
    expect(rolloversOf(again)).toEqual([]);
    // The same templates with other content (an older library's), as an upgrade finds them.
    const upgraded = cloneCluster(bootstrapped);
    addDataStreams(upgraded, ['seclog-falco', 'seclog-audit-kube-system', 'seclog-audit-none', 'seclog-falcon-other']);
    const result = await runInFakeCluster(upgraded, setup, { mounts: setupMounts(upgraded) });
    expect(result.code).toBe(0);
    expect(rolloversOf(upgraded)).toEqual(['seclog-audit-kube-system', 'seclog-audit-none', 'seclog-falco']);
  });

  test('running again keeps every credential: the same password is PUT again, no new token, no new Secret', async () => {
    const again = cloneCluster(cluster);
    const secrets = secretsOf(again);
    const es = elasticsearchStateOf(again);
    const second = await runInFakeCluster(again, setup, { mounts: setupMounts(again) });
    expect(second.code).toBe(0);
    // Nothing is created again; the pipelines' checks run again (a simulation stores nothing).
    expect(second.calls.filter((c) => c.startsWith('POST ') && !c.endsWith('/_ingest/pipeline/_simulate'))).toEqual([]);
    expect(second.calls.filter((c) => c.includes('/_security/user/'))).toEqual([
      `PUT https://elasticsearch.${NS}.svc:9200/_security/user/${NS}-agents-fluentd`,
      `PUT https://elasticsearch.${NS}.svc:9200/_security/user/${NS}-kubernetes-events`,
    ]);
    expect(secretsOf(again)).toEqual(secrets);
    expect(elasticsearchStateOf(again)).toEqual(es);
  });

  test('a token made but not stored (the Secret appeared meanwhile) is deleted again', async () => {
    const raced = cloneCluster(bootstrapped);
    const result = await runInFakeCluster(raced, setup, { mounts: setupMounts(raced), fail: { [`POST /api/v1/namespaces/${NS}/secrets#kibana-elasticsearch`]: 409 } });
    expect(result.code).toBe(0);
    expect(result.calls.some((c) => c.startsWith('DELETE ') && c.includes('/credential/token/'))).toBe(true);
    expect(elasticsearchStateOf(raced).tokens).toEqual({});
  });

  test('a token whose Secret cannot be stored is deleted when the attempt fails (no orphan token per retry)', async () => {
    const failing = cloneCluster(bootstrapped);
    const result = await runInFakeCluster(failing, setup, { mounts: setupMounts(failing), fail: { [`POST /api/v1/namespaces/${NS}/secrets#kibana-elasticsearch`]: 500 } });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(`creating Secret ${NS}/kibana-elasticsearch answered 500`);
    expect(result.calls.filter((c) => c.includes('/credential/token/')).map((c) => c.split(' ')[0])).toEqual(['POST', 'DELETE']);
    expect(elasticsearchStateOf(failing).tokens).toEqual({});
  });

  test('the fake Elasticsearch refuses calls without the elastic password, so the runs above did authenticate', async () => {
    const health = async (password: string) => (await runInFakeCluster(cloneCluster(bootstrapped), {
      'run.sh': `printf 'cacert = "/tmp/ca.crt"\\nuser = "elastic:${password}"\\n' > /tmp/c; ` +
        `curl --config /tmp/c --fail --output /dev/null 'https://elasticsearch.${NS}.svc:9200/_cluster/health'`,
    })).code;
    expect(await health('wrong')).toBe(22);
    expect(await health(bootstrapped.elasticPassword)).toBe(0);
  });
});
