import { Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { parse } from 'yaml';
import { jobFiles, objectNamed, testChart } from './helpers/chart';
import {
  CertificateIssuerKind, ElasticsearchCluster, ElasticsearchSecurity, ElasticsearchSetup, Kibana, KibanaConfig,
} from '../src';

function stack(props: any = {}) {
  const chart = testChart();
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
  const kibana = new Kibana(chart, 'Kibana', { elasticsearch, ...props });
  new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
  return { chart, elasticsearch, kibana };
}

describe('Kibana', () => {
  test('defaults', () => {
    const { chart } = stack();
    expect(Testing.synth(chart).filter((o) => o.metadata.name.startsWith('kibana'))).toMatchSnapshot();
  });

  test('custom', () => {
    const { chart } = stack({
      name: 'dashboards',
      replicas: 2,
      imageRepository: 'registry.example.com/kibana',
      memoryLimit: Size.gibibytes(2),
      cpuRequest: kplus.Cpu.units(1),
      publicBaseUrl: 'https://kibana.example.com',
      settings: { 'xpack.reporting.enabled': false },
      priorityClassName: 'logging',
    });
    expect(Testing.synth(chart).filter((o) => o.metadata.name.startsWith('dashboards'))).toMatchSnapshot();
  });

  describe('defaults in detail', () => {
    const { chart, kibana } = stack();
    const deployment = objectNamed(chart, 'Deployment', 'kibana');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];

    test('same version as the cluster, wired from its connection', () => {
      expect(container.image).toBe('docker.elastic.co/kibana/kibana:9.5.7');
      const yml = parse(objectNamed(chart, 'ConfigMap', 'kibana-config').data['kibana.yml']);
      expect(yml['elasticsearch.hosts']).toEqual(['https://elasticsearch.logging.svc:9200']);
      expect(yml['server.host']).toBe('0.0.0.0');
      expect(yml['server.name']).toBe('kibana');
      expect(kibana.config.settings['elasticsearch.hosts']).toEqual(['https://elasticsearch.logging.svc:9200']);
      expect(kibana.url).toBe('https://kibana.logging.svc:5601');
    });

    test('a service account token from its Secret, the CA verified, HTTPS served; nothing secret in kibana.yml', () => {
      const yml = parse(objectNamed(chart, 'ConfigMap', 'kibana-config').data['kibana.yml']);
      expect(yml).toMatchObject({
        'elasticsearch.serviceAccountToken': '${KIBANA_ELASTICSEARCH_SERVICE_TOKEN}',
        'elasticsearch.ssl.certificateAuthorities': ['/usr/share/kibana/config/elasticsearch/ca.crt'],
        'elasticsearch.ssl.verificationMode': 'full',
        'server.ssl.enabled': true,
        'server.ssl.certificate': '/usr/share/kibana/config/tls/tls.crt',
        'server.ssl.key': '/usr/share/kibana/config/tls/tls.key',
      });
      expect(yml['elasticsearch.username']).toBeUndefined();
      expect(kibana.connection.secretName).toBe('kibana-elasticsearch');
      expect(container.env.filter((e: any) => e.valueFrom.secretKeyRef.name !== 'kibana-encryption-keys')).toEqual([{
        name: 'KIBANA_ELASTICSEARCH_SERVICE_TOKEN', valueFrom: { secretKeyRef: { name: 'kibana-elasticsearch', key: 'token' } },
      }]);
      const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v.secret]).filter(([, secret]: any) => secret));
      expect(volumes).toEqual({
        'elasticsearch-ca': { secretName: 'kibana-elasticsearch', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
        'tls': { secretName: 'kibana-certs', items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }] },
      });
      for (const name of Object.keys(volumes)) expect(container.volumeMounts.find((m: any) => m.name === name).readOnly).toBe(true);
    });

    test('its certificate from a bootstrap Job signed by the cluster CA, for the Service names', () => {
      const script = jobFiles(Testing.synth(chart), 'kibana-bootstrap-')['run.sh'];
      expect(script).toContain("ensure_ca 'elasticsearch-ca' 3650");
      expect(script).toMatch(/- "kibana"\n\s+- "kibana.logging"\n\s+- "kibana.logging.svc"\n\s+- "kibana.logging.svc.cluster.local"\nEOF/);
      expect(script).toContain("create_secret \"$NS\" 'kibana-certs' ca.crt=/tmp/ca/ca.crt tls.crt=/tmp/certs/kibana/kibana.crt tls.key=/tmp/certs/kibana/kibana.key");
    });

    test('kibana.yml mounted over the image default, checksum rolls the pods', () => {
      expect(container.volumeMounts).toContainEqual({ name: 'config', mountPath: '/usr/share/kibana/config/kibana.yml', subPath: 'kibana.yml', readOnly: true });
      expect(deployment.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{16}$/);
    });

    test('Service on 5601 selecting the Deployment', () => {
      const svc = objectNamed(chart, 'Service', 'kibana');
      expect(svc.spec.ports).toEqual([{ name: 'http', port: 5601, targetPort: 5601 }]);
      for (const [key, value] of Object.entries(svc.spec.selector)) {
        expect(deployment.spec.template.metadata.labels[key]).toBe(value);
      }
    });

    test('readiness on the status API; liveness only on the port', () => {
      // With security on, /api/status wants credentials; the login page does not.
      expect(container.readinessProbe.httpGet).toEqual({ path: '/login', port: 5601, scheme: 'HTTPS' });
      expect(container.livenessProbe.tcpSocket).toEqual({ port: 5601 });
      expect(container.startupProbe.tcpSocket).toEqual({ port: 5601 });
    });

    test('non-root, read-only root filesystem with writable data, logs and /tmp', () => {
      expect(container.securityContext).toMatchObject({
        runAsUser: 1000, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] },
      });
      expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      expect(container.volumeMounts.map((m: any) => m.mountPath)).toEqual(expect.arrayContaining(['/usr/share/kibana/data', '/usr/share/kibana/logs', '/tmp']));
      expect(pod.automountServiceAccountToken).toBe(false);
    });

    test('resources and replicas', () => {
      expect(container.resources).toEqual({ requests: { cpu: '500m', memory: '1024Mi' }, limits: { memory: '1024Mi' } });
      expect(deployment.spec.replicas).toBe(1);
    });
  });

  test('a config change changes the pod checksum, so pods roll', () => {
    const checksum = (props: any) => objectNamed(stack(props).chart, 'Deployment', 'kibana').spec.template.metadata.annotations['checksum/config'];
    expect(checksum({})).toBe(checksum({}));
    expect(checksum({ publicBaseUrl: 'https://kibana.example.com' })).not.toBe(checksum({}));
  });

  test('with security disabled: plain HTTP both ways, no credentials, status API readiness', () => {
    const chart = testChart();
    const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1, security: ElasticsearchSecurity.disabledForDevelopmentOnly() });
    const kibana = new Kibana(chart, 'Kibana', { elasticsearch });
    const container = objectNamed(chart, 'Deployment', 'kibana').spec.template.spec.containers[0];
    expect(kibana.url).toBe('http://kibana.logging.svc:5601');
    // Only the encryption keys: no Elasticsearch credentials.
    expect(container.env.map((e: any) => e.valueFrom.secretKeyRef.name)).toEqual(['kibana-encryption-keys', 'kibana-encryption-keys', 'kibana-encryption-keys']);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/api/status', port: 5601, scheme: 'HTTP' });
    expect(Object.keys(kibana.config.settings).filter((k) => /ssl|serviceAccountToken/.test(k))).toEqual([]);
    expect(kibana.config.settings['elasticsearch.hosts']).toEqual(['http://elasticsearch.logging.svc:9200']);
  });

  test('encryption keys: kibana.yml reads them from variables (no key in any manifest), each from the Secret the bootstrap Job makes', () => {
    const chart = testChart();
    const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
    const kibana = new Kibana(chart, 'Kibana', { elasticsearch });
    new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
    const settings = parse(objectNamed(chart, 'ConfigMap', 'kibana-config').data['kibana.yml']);
    expect(settings).toMatchObject({
      'xpack.encryptedSavedObjects.encryptionKey': '${KIBANA_ENCRYPTED_SAVED_OBJECTS_KEY}',
      'xpack.security.encryptionKey': '${KIBANA_SECURITY_ENCRYPTION_KEY}',
      'xpack.reporting.encryptionKey': '${KIBANA_REPORTING_ENCRYPTION_KEY}',
    });
    const env = objectNamed(chart, 'Deployment', 'kibana').spec.template.spec.containers[0].env;
    for (const [name, key] of [['KIBANA_ENCRYPTED_SAVED_OBJECTS_KEY', 'encryptedSavedObjects'], ['KIBANA_SECURITY_ENCRYPTION_KEY', 'security'], ['KIBANA_REPORTING_ENCRYPTION_KEY', 'reporting']]) {
      expect(env).toContainEqual({ name, valueFrom: { secretKeyRef: { name: 'kibana-encryption-keys', key } } });
    }
    // Not the names kibana-docker turns into command-line flags (the keys would show in the process's arguments).
    expect(env.map((e: any) => e.name).filter((n: string) => n.startsWith('XPACK_'))).toEqual([]);
    expect(kibana.encryptionKeysSecretName).toBe('kibana-encryption-keys');
    expect(Testing.synth(chart).filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  test('with cert-manager: a Certificate for the Service names from the named issuer; the bootstrap Job makes only the keys', () => {
    const chart = testChart();
    const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', {
      replicas: 1, security: ElasticsearchSecurity.certManager({ issuerName: 'logging-ca', issuerKind: CertificateIssuerKind.CLUSTER_ISSUER }),
    });
    new Kibana(chart, 'Kibana', { elasticsearch });
    new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
    expect(jobFiles(Testing.synth(chart), 'kibana-bootstrap-')['run.sh']).not.toContain('CERTUTIL" cert');
    const cert = objectNamed(chart, 'Certificate', 'kibana-certs');
    expect(cert.spec).toMatchObject({
      secretName: 'kibana-certs',
      issuerRef: { name: 'logging-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      dnsNames: ['kibana', 'kibana.logging', 'kibana.logging.svc', 'kibana.logging.svc.cluster.local'],
    });
  });

  test('kibana.yml golden', () => {
    expect(new KibanaConfig({
      serverName: 'kibana',
      elasticsearchHosts: ['http://es.ns.svc:9200'],
      publicBaseUrl: 'https://kibana.example.com',
      extraSettings: { 'logging.root.level': 'warn' },
    }).render()).toBe([
      'server.name: kibana',
      'server.host: 0.0.0.0',
      'server.port: 5601',
      'server.publicBaseUrl: https://kibana.example.com',
      'elasticsearch.hosts:',
      '  - http://es.ns.svc:9200',
      'elasticsearch.requestTimeout: 30000',
      'telemetry.optIn: false',
      'logging.root.level: warn',
      '',
    ].join('\n'));
  });

  describe('fails if', () => {
    test('Kibana without a cluster', () => {
      expect(() => new Kibana(testChart(), 'Kibana', {} as any)).toThrow(/kibana elasticsearch is required: pass the Elasticsearch Kibana reads and writes, an ElasticsearchCluster, ExternalElasticsearch/);
      expect(() => new Kibana(testChart(), 'Kibana', { elasticsearch: 'http://es:9200' } as any)).toThrow(/got "http:\/\/es:9200"/);
    });
    test('Kibana in another namespace than its secured cluster', () => {
      const elasticsearch = new ElasticsearchCluster(testChart('data'), 'Elasticsearch', { replicas: 1 });
      expect(() => new Kibana(testChart('ui'), 'Kibana', { elasticsearch }))
        .toThrow(/kibana must be in the namespace of its Elasticsearch cluster \("data"\) when security is on: .* got namespace "ui"/);
    });
    test.each([
      ['replicas < 1', { replicas: 0 }, /kibana replicas must be an integer >= 1, got 0/],
      ['an invalid name', { name: 'Kibana!' }, /kibana name must be a lowercase RFC 1123 label/],
      ['a memory limit that is not a size', { memoryLimit: Size.gibibytes(NaN) }, /kibana memoryLimit must be a positive/],
      ['a publicBaseUrl with a trailing slash', { publicBaseUrl: 'https://k.example.com/' }, /publicBaseUrl must be an http\(s\) URL .* no trailing slash/],
      ['settings override a managed key', { settings: { 'elasticsearch.hosts': ['http://x'] } }, /must not set "elasticsearch.hosts": the construct manages/],
      ['settings name the elastic superuser', { settings: { elasticsearch: { username: 'elastic' } } }, /must not set "elasticsearch.username"/],
      ['settings carry a password', { settings: { 'elasticsearch.password': 'changeme' } }, /must not set "elasticsearch.password": it holds a secret, and settings are rendered into a ConfigMap/],
      ['settings carry a service account token', { settings: { 'elasticsearch.serviceAccountToken': 'AAEAA' } }, /a secret must reach the container from a Secret/],
      ['a memory limit Kibana cannot start in', { memoryLimit: Size.mebibytes(256) }, /kibana memoryLimit must be at least 512 MiB/],
      ['an image repository with a digest', { imageRepository: 'kibana@sha256:' + 'a'.repeat(64) }, /kibana imageRepository must be a repository without a tag or digest/],
      ['settings set TLS', { settings: { 'server.ssl.enabled': false } }, /must not set "server.ssl.enabled": the construct manages "server.ssl."/],
    ])('%s', (_name, props, message) => {
      expect(() => stack(props)).toThrow(message);
    });
  });
});
