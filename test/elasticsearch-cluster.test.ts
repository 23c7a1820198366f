import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { parse } from 'yaml';
import { jobFiles, jobNamed, objectNamed, objectsOf, testChart } from './helpers/chart';
import {
  ElasticsearchAntiAffinity, ElasticsearchCluster, ElasticsearchMaxMapCount, ElasticsearchNodeRole, ElasticsearchScheme,
  ElasticsearchSecurity, ElasticsearchStorage, FluentdDaemonSet,
} from '../src';


function settingsOf(chart: ReturnType<typeof testChart>, configMapName: string): any {
  const cm = objectNamed(chart, 'ConfigMap', configMapName);
  // elasticsearch.yml is flat YAML with dotted keys.
  return parse(cm.data['elasticsearch.yml']);
}

describe('ElasticsearchCluster', () => {
  test('defaults', () => {
    const chart = testChart();
    new ElasticsearchCluster(chart, 'Elasticsearch');
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('custom', () => {
    const chart = testChart();
    new ElasticsearchCluster(chart, 'Elasticsearch', {
      name: 'es',
      version: '8.19.25',
      imageRepository: 'registry.example.com/elasticsearch',
      nodeGroups: [
        { name: 'master', replicas: 3, roles: [ElasticsearchNodeRole.MASTER], memoryLimit: Size.gibibytes(2), storage: ElasticsearchStorage.persistent({ size: Size.gibibytes(5) }) },
        { name: 'data', replicas: 4, roles: [ElasticsearchNodeRole.DATA, ElasticsearchNodeRole.INGEST], heapSize: Size.gibibytes(4) },
      ],
      memoryLimit: Size.gibibytes(8),
      cpuRequest: kplus.Cpu.units(2),
      storage: ElasticsearchStorage.persistent({ size: Size.gibibytes(100), storageClassName: 'fast-ssd' }),
      antiAffinity: ElasticsearchAntiAffinity.PREFERRED,
      maxMapCount: ElasticsearchMaxMapCount.DISABLE_MMAP,
      settings: { 'indices.memory.index_buffer_size': '20%' },
      priorityClassName: 'logging-critical',
    });
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  describe('defaults in detail', () => {
    const chart = testChart();
    const es = new ElasticsearchCluster(chart, 'Elasticsearch');
    const sts = objectNamed(chart, 'StatefulSet', 'elasticsearch');
    const pod = sts.spec.template.spec;
    const container = pod.containers[0];

    test('StatefulSet: 3 replicas, Parallel, RollingUpdate, 120 s grace', () => {
      expect(sts.spec.replicas).toBe(3);
      expect(sts.spec.podManagementPolicy).toBe('Parallel');
      expect(sts.spec.updateStrategy.type).toBe('RollingUpdate');
      expect(pod.terminationGracePeriodSeconds).toBe(120);
      expect(sts.spec.serviceName).toBe('elasticsearch-headless');
    });

    test('all nodes master-eligible: no node.roles, initial masters (first start only) are the pod names, seed hosts the headless Service', () => {
      const settings = settingsOf(chart, 'elasticsearch-config');
      expect(settings['node.roles']).toBeUndefined();
      // Not in the file, which every start reads: the start script passes it until the cluster has formed.
      expect(settings['cluster.initial_master_nodes']).toBeUndefined();
      expect(container.command[2]).toContain('-Ecluster.initial_master_nodes=elasticsearch-0,elasticsearch-1,elasticsearch-2\n');
      expect(settings['discovery.seed_hosts']).toEqual(['elasticsearch-headless']);
      expect(settings['discovery.type']).toBeUndefined();
      expect(settings['cluster.name']).toBe('elasticsearch');
      expect(settings['node.name']).toBe('${NODE_NAME}');
      expect(container.env).toContainEqual({ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
      expect(es.masterNodeNames).toEqual(['elasticsearch-0', 'elasticsearch-1', 'elasticsearch-2']);
    });

    test('headless Service: clusterIP None, publishNotReadyAddresses, transport 9300, selects every node', () => {
      const headless = objectNamed(chart, 'Service', 'elasticsearch-headless');
      expect(headless.spec.clusterIP).toBe('None');
      expect(headless.spec.publishNotReadyAddresses).toBe(true);
      expect(headless.spec.ports).toContainEqual({ name: 'transport', port: 9300, targetPort: 9300 });
      expect(headless.spec.selector).toEqual({ 'app.kubernetes.io/name': 'elasticsearch', 'app.kubernetes.io/instance': 'elasticsearch' });
      for (const [key, value] of Object.entries(headless.spec.selector)) {
        expect(sts.spec.template.metadata.labels[key]).toBe(value);
      }
    });

    test('client Service on 9200 and the connection object', () => {
      const client = objectNamed(chart, 'Service', 'elasticsearch');
      expect(client.spec.ports).toEqual([{ name: 'http', port: 9200, targetPort: 9200 }]);
      expect(client.spec.clusterIP).toBeUndefined();
      expect(es.connection.host).toBe('elasticsearch.logging.svc');
      expect(es.connection.port).toBe(9200);
      expect(es.connection.scheme).toBe(ElasticsearchScheme.HTTPS);
      expect(es.connection.url).toBe('https://elasticsearch.logging.svc:9200');
      // The cluster's own connection carries no credentials: each consumer gets its own.
      expect(es.connection.secured).toBe(false);
    });

    test('data on a 30 GiB volumeClaimTemplate at /usr/share/elasticsearch/data, retained', () => {
      expect(sts.spec.volumeClaimTemplates).toEqual([expect.objectContaining({
        metadata: expect.objectContaining({ name: 'data' }),
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '30Gi' } } },
      })]);
      expect(container.volumeMounts).toContainEqual({ name: 'data', mountPath: '/usr/share/elasticsearch/data' });
      expect(pod.volumes.map((v: any) => v.name)).not.toContain('data');
      expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    });

    test('PodDisruptionBudget maxUnavailable 1 over the whole cluster', () => {
      const [pdb] = objectsOf(chart, 'PodDisruptionBudget');
      expect(pdb.spec.maxUnavailable).toBe(1);
      expect(pdb.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'elasticsearch', 'app.kubernetes.io/instance': 'elasticsearch' });
    });

    test('required anti-affinity on kubernetes.io/hostname against every node of the cluster', () => {
      expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([{
        labelSelector: { matchLabels: { 'app.kubernetes.io/instance': 'elasticsearch', 'app.kubernetes.io/name': 'elasticsearch' } },
        topologyKey: 'kubernetes.io/hostname',
      }]);
    });

    test('non-root 1000, fsGroup 1000, every capability dropped, no privilege escalation, seccomp RuntimeDefault', () => {
      expect(pod.securityContext).toMatchObject({ runAsUser: 1000, fsGroup: 1000, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(container.securityContext).toMatchObject({
        runAsUser: 1000, runAsNonRoot: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
    });

    test('memory 2 GiB request = limit, heap half of it in jvm.options.d', () => {
      expect(container.resources).toEqual({ requests: { cpu: '1000m', memory: '2048Mi' }, limits: { memory: '2048Mi' } });
      const cm = objectNamed(chart, 'ConfigMap', 'elasticsearch-config');
      expect(cm.data['heap.options']).toBe('-Xms1024m\n-Xmx1024m\n');
      expect(container.volumeMounts).toContainEqual({
        name: 'config', mountPath: '/usr/share/elasticsearch/config/jvm.options.d/heap.options', subPath: 'heap.options', readOnly: true,
      });
      expect(container.volumeMounts).toContainEqual({
        name: 'config', mountPath: '/usr/share/elasticsearch/config/elasticsearch.yml', subPath: 'elasticsearch.yml', readOnly: true,
      });
    });

    test('vm.max_map_count: privileged init container raising (never lowering) it to 1048576', () => {
      const [init] = pod.initContainers;
      expect(init.securityContext).toMatchObject({ privileged: true, runAsUser: 0 });
      expect(init.command.join(' ')).toContain('if [ "$current" -lt 1048576 ]; then sysctl -w vm.max_map_count=1048576; fi');
      expect(es.maxMapCountValue).toBe(1048576);
    });

    test('readiness on the TCP readiness port, which does not wait for green or yellow', () => {
      expect(settingsOf(chart, 'elasticsearch-config')['readiness.port']).toBe(8080);
      expect(container.readinessProbe).toMatchObject({ tcpSocket: { port: 8080 } });
      expect(JSON.stringify(container.readinessProbe)).not.toMatch(/wait_for_status|_cluster\/health/);
      expect(container.livenessProbe).toBeUndefined();
    });

    test('security on: TLS on HTTP and transport from the mounted certificate Secret, inside the config directory', () => {
      const settings = settingsOf(chart, 'elasticsearch-config');
      expect(Object.fromEntries(Object.entries(settings).filter(([k]) => k.startsWith('xpack.security.')))).toEqual({
        'xpack.security.enabled': true,
        'xpack.security.http.ssl.enabled': true,
        'xpack.security.http.ssl.key': 'certs/tls.key',
        'xpack.security.http.ssl.certificate': 'certs/tls.crt',
        'xpack.security.http.ssl.certificate_authorities': ['certs/ca.crt'],
        'xpack.security.transport.ssl.enabled': true,
        'xpack.security.transport.ssl.key': 'certs/tls.key',
        'xpack.security.transport.ssl.certificate': 'certs/tls.crt',
        'xpack.security.transport.ssl.certificate_authorities': ['certs/ca.crt'],
        // Nodes connect by address: the chain is checked, not the host name.
        'xpack.security.transport.ssl.verification_mode': 'certificate',
      });
      // Since 8.18 Elasticsearch reads TLS files only from its config directory.
      expect(container.volumeMounts).toContainEqual({ name: 'certs', mountPath: '/usr/share/elasticsearch/config/certs', readOnly: true });
      expect(pod.volumes).toContainEqual({ name: 'certs', secret: { secretName: 'elasticsearch-certs' } });
      // From a secretKeyRef: the image refuses ELASTIC_PASSWORD_FILE unless its mode is 400 or 600.
      expect(container.env).toContainEqual({
        name: 'ELASTIC_PASSWORD', valueFrom: { secretKeyRef: { name: 'elasticsearch-elastic-credentials', key: 'password' } },
      });
      expect(container.env.filter((e: any) => e.name.startsWith('ELASTIC_PASSWORD') && e.value !== undefined)).toEqual([]);
    });

    test('a bootstrap Job creates the CA, the certificate and the elastic password, never replacing a Secret', () => {
      const objects = Testing.synth(chart);
      const job = jobNamed(objects, 'elasticsearch-bootstrap-');
      expect(job.spec.template.spec.serviceAccountName).toBe('elasticsearch-bootstrap');
      expect(job.spec.template.spec.automountServiceAccountToken).toBe(true);
      expect(job.spec.template.spec.containers[0].image).toBe(es.image);
      const script = jobFiles(objects, 'elasticsearch-bootstrap-')['run.sh'];
      // The CA outlives the certificates (3650 against 1095 days), so it can sign their successors.
      expect(script).toContain("ensure_ca 'elasticsearch-ca' 3650");
      expect(script).toContain('"$CERTUTIL" ca --silent --pem --days "$2" --out /tmp/ca.zip');
      expect(script).toContain('"$CERTUTIL" cert --silent --pem --in /tmp/instances.yml --ca-cert /tmp/ca/ca.crt --ca-key /tmp/ca/ca.key --days 1095');
      expect(script).toMatch(/dns:\n((\s+- "[^"]+"\n)+)EOF/);
      const dns = /dns:\n((?:\s+- "[^"]+"\n)+)EOF/.exec(script)?.[1].trim().split('\n').map((l) => l.trim().slice(3, -1));
      expect(dns).toEqual([
        'elasticsearch', 'elasticsearch.logging', 'elasticsearch.logging.svc', 'elasticsearch.logging.svc.cluster.local',
        'elasticsearch-headless', 'elasticsearch-headless.logging', 'elasticsearch-headless.logging.svc', 'elasticsearch-headless.logging.svc.cluster.local',
        'localhost',
      ]);
      expect(script).toContain("create_secret \"$NS\" 'elasticsearch-elastic-credentials' username=/tmp/username password=/tmp/password || true");
      // Only 201 (created) and 409 (exists: kept) are accepted; nothing ever PUTs, PATCHes or DELETEs a Secret.
      expect(script).toContain('409) echo "Secret $namespace/$name exists: kept as it is"; return 1 ;;');
      expect(script).not.toMatch(/kube (PUT|PATCH|DELETE)/);
      const role = objectNamed(chart, 'Role', 'elasticsearch-bootstrap');
      expect(role.rules).toEqual([
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
        { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['elasticsearch-ca', 'elasticsearch-certs', 'elasticsearch-elastic-credentials'] },
      ]);
    });
  });

  test('cert-manager: a Certificate from the named issuer into the same Secret, and the Job makes only the password', () => {
    const chart = testChart();
    new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1, security: ElasticsearchSecurity.certManager({ issuerName: 'logging-ca' }) });
    const cert = objectNamed(chart, 'Certificate', 'elasticsearch-certs');
    expect(cert.apiVersion).toBe('cert-manager.io/v1');
    expect(cert.spec).toEqual({
      secretName: 'elasticsearch-certs',
      secretTemplate: { labels: cert.metadata.labels },
      commonName: 'elasticsearch',
      dnsNames: [
        'elasticsearch', 'elasticsearch.logging', 'elasticsearch.logging.svc', 'elasticsearch.logging.svc.cluster.local',
        'elasticsearch-headless', 'elasticsearch-headless.logging', 'elasticsearch-headless.logging.svc', 'elasticsearch-headless.logging.svc.cluster.local',
        'localhost',
      ],
      issuerRef: { name: 'logging-ca', kind: 'Issuer', group: 'cert-manager.io' },
      duration: '2160h',
      renewBefore: '720h',
      privateKey: { algorithm: 'RSA', size: 2048, encoding: 'PKCS8', rotationPolicy: 'Always' },
      usages: ['server auth', 'client auth', 'digital signature', 'key encipherment'],
    });
    const script = jobFiles(Testing.synth(chart), 'elasticsearch-bootstrap-')['run.sh'];
    expect(script).not.toContain('"$CERTUTIL" cert');
    expect(script).not.toMatch(/^\s*ensure_ca '/m);
    expect(objectNamed(chart, 'Role', 'elasticsearch-bootstrap').rules[1].resourceNames).toEqual(['elasticsearch-elastic-credentials']);
  });

  test('security disabled (development only): plain HTTP, no Job, no Secret mounted', () => {
    const chart = testChart();
    const es = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1, security: ElasticsearchSecurity.disabledForDevelopmentOnly() });
    expect(settingsOf(chart, 'elasticsearch-config')['xpack.security.enabled']).toBe(false);
    expect(es.connection.url).toBe('http://elasticsearch.logging.svc:9200');
    expect(es.bootstrapJob).toBeUndefined();
    expect(objectsOf(chart, 'Job')).toEqual([]);
    expect(objectNamed(chart, 'StatefulSet', 'elasticsearch').spec.template.spec.volumes.filter((v: any) => v.secret)).toEqual([]);
  });

  test('a consumer without an ElasticsearchSetup is an error at synth, naming its Secret', () => {
    const chart = testChart();
    const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
    new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch });
    expect(() => Testing.synth(chart)).toThrow(/the credentials Secrets logging\/fluentd-elasticsearch are made by no ElasticsearchSetup/);
  });

  describe('cluster.initial_master_nodes: only until the node has joined a formed cluster', () => {
    // The start script of the synthesized pod, run by bash with the image's entrypoint
    // and data path replaced by a stub and a temporary folder, and a local TCP server
    // in place of Elasticsearch's readiness port.
    const chart = testChart();
    new ElasticsearchCluster(chart, 'Elasticsearch');
    const script: string = objectNamed(chart, 'StatefulSet', 'elasticsearch').spec.template.spec.containers[0].command[2];

    function start(dataDir: string, readinessPort: number): Promise<string[]> {
      const stub = path.join(dataDir, '..', 'entrypoint-stub.sh');
      // The stub stays up long enough for the background wait to see the readiness port.
      fs.writeFileSync(stub, '#!/bin/bash\nprintf "%s\\n" "$@" > "$(dirname "$0")/args"\nsleep 3\n', { mode: 0o755 });
      const local = script
        .replace('/usr/share/elasticsearch/data/', `${dataDir}/`)
        .replace('(/bin/tini -- /usr/local/bin/docker-entrypoint.sh eswrapper)', `(${stub} eswrapper)`)
        .replace('/dev/tcp/127.0.0.1/8080', `/dev/tcp/127.0.0.1/${readinessPort}`)
        .replace('sleep 5', 'sleep 0.2');
      expect(local).not.toBe(script);
      // In a process group of its own: the background wait outlives the entrypoint when
      // the node never becomes ready (as in the pod, until the container stops), so the
      // group is killed once the entrypoint has exited.
      return new Promise((resolve, reject) => {
        const child = spawn('bash', ['-c', local], { stdio: 'ignore', detached: true });
        child.on('error', reject);
        child.on('exit', (code) => {
          try {
            process.kill(-(child.pid as number), 'SIGKILL');
          } catch {
            // the group has ended already
          }
          if (code !== 0) reject(new Error(`the start script exited with ${code}`));
          else resolve(fs.readFileSync(path.join(dataDir, '..', 'args'), 'utf-8').trim().split('\n'));
        });
      });
    }

    test('the first start passes the masters and, once the readiness port opens, leaves the marker; the next start passes nothing', async () => {
      const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'es-start-')), 'data');
      fs.mkdirSync(dataDir);
      const server = net.createServer((socket) => socket.end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as net.AddressInfo).port;
      try {
        expect(await start(dataDir, port)).toEqual(['eswrapper', '-Ecluster.initial_master_nodes=elasticsearch-0,elasticsearch-1,elasticsearch-2']);
        // The background wait touched the marker while the stub ran.
        expect(fs.existsSync(path.join(dataDir, '.cdk8s-cluster-formed'))).toBe(true);
        expect(await start(dataDir, port)).toEqual(['eswrapper']);
      } finally {
        server.close();
      }
    });

    test('a node that never became ready (no cluster formed) keeps passing the masters', async () => {
      const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'es-start-')), 'data');
      fs.mkdirSync(dataDir);
      // Nothing listens on this port: find a free one and close it again.
      const probe = net.createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const port = (probe.address() as net.AddressInfo).port;
      await new Promise((resolve) => probe.close(resolve));
      expect(await start(dataDir, port)).toEqual(['eswrapper', '-Ecluster.initial_master_nodes=elasticsearch-0,elasticsearch-1,elasticsearch-2']);
      expect(fs.existsSync(path.join(dataDir, '.cdk8s-cluster-formed'))).toBe(false);
      expect(await start(dataDir, port)).toEqual(['eswrapper', '-Ecluster.initial_master_nodes=elasticsearch-0,elasticsearch-1,elasticsearch-2']);
    });
  });

  test('replicas: 1 is a proper single-node cluster', () => {
    const chart = testChart();
    new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
    const settings = settingsOf(chart, 'elasticsearch-config');
    expect(settings['discovery.type']).toBe('single-node');
    expect(settings['cluster.initial_master_nodes']).toBeUndefined();
    expect(settings['discovery.seed_hosts']).toBeUndefined();
    const sts = objectNamed(chart, 'StatefulSet', 'elasticsearch');
    expect(sts.spec.replicas).toBe(1);
    // The image's own entrypoint: nothing to bootstrap.
    expect(sts.spec.template.spec.containers[0].command).toBeUndefined();
  });

  test('a config change changes the pod template hash, so pods roll', () => {
    const hashOf = (settings: any) => {
      const chart = testChart();
      new ElasticsearchCluster(chart, 'Elasticsearch', { settings });
      return objectNamed(chart, 'StatefulSet', 'elasticsearch').spec.template.metadata.annotations['checksum/config'];
    };
    expect(hashOf({})).toMatch(/^[0-9a-f]{16}$/);
    expect(hashOf({})).toBe(hashOf({}));
    expect(hashOf({ 'indices.query.bool.max_clause_count': 2048 })).not.toBe(hashOf({}));
  });

  describe('node groups', () => {
    const chart = testChart();
    const es = new ElasticsearchCluster(chart, 'Elasticsearch', {
      nodeGroups: [
        { name: 'master', replicas: 3, roles: [ElasticsearchNodeRole.MASTER] },
        { name: 'data', replicas: 2, roles: [ElasticsearchNodeRole.DATA, ElasticsearchNodeRole.INGEST], memoryLimit: Size.gibibytes(8) },
      ],
    });

    test('one StatefulSet per group, one cluster name, shared discovery', () => {
      const sets = objectsOf(chart, 'StatefulSet');
      expect(sets.map((s) => [s.metadata.name, s.spec.replicas])).toEqual([['elasticsearch-master', 3], ['elasticsearch-data', 2]]);
      const master = settingsOf(chart, 'elasticsearch-master-config');
      const data = settingsOf(chart, 'elasticsearch-data-config');
      expect(master['cluster.name']).toBe(data['cluster.name']);
      expect(master['node.roles']).toEqual(['master']);
      expect(data['node.roles']).toEqual(['data', 'ingest']);
      for (const s of [master, data]) {
        expect(s['discovery.seed_hosts']).toEqual(['elasticsearch-headless']);
        expect(s['cluster.initial_master_nodes']).toBeUndefined();
      }
      // Only master-eligible nodes bootstrap (Elastic: not on master-ineligible nodes).
      const commands = sets.map((set) => set.spec.template.spec.containers[0].command);
      expect(commands[0][2]).toContain('-Ecluster.initial_master_nodes=elasticsearch-master-0,elasticsearch-master-1,elasticsearch-master-2\n');
      expect(commands[1]).toBeUndefined();
      expect(sets.every((s) => s.spec.serviceName === 'elasticsearch-headless')).toBe(true);
      expect(es.totalReplicas).toBe(5);
    });

    test('per-group resources', () => {
      const data = objectNamed(chart, 'StatefulSet', 'elasticsearch-data');
      expect(data.spec.template.spec.containers[0].resources.limits.memory).toBe('8192Mi');
      expect(objectNamed(chart, 'ConfigMap', 'elasticsearch-data-config').data['heap.options']).toBe('-Xms4096m\n-Xmx4096m\n');
    });

    const selects = (selector: any, podLabels: any) => Object.entries(selector).every(([k, v]) => podLabels[k] === v);
    const podLabels = (name: string) => objectNamed(chart, 'StatefulSet', name).spec.template.metadata.labels;

    test('discovery and the PDB span both groups', () => {
      const [pdb] = objectsOf(chart, 'PodDisruptionBudget');
      const headless = objectNamed(chart, 'Service', 'elasticsearch-headless');
      for (const name of ['elasticsearch-master', 'elasticsearch-data']) {
        expect(selects(headless.spec.selector, podLabels(name))).toBe(true);
        expect(selects(pdb.spec.selector.matchLabels, podLabels(name))).toBe(true);
      }
    });

    test('client traffic goes to the data nodes, not to the dedicated masters', () => {
      const client = objectNamed(chart, 'Service', 'elasticsearch');
      expect(selects(client.spec.selector, podLabels('elasticsearch-data'))).toBe(true);
      expect(selects(client.spec.selector, podLabels('elasticsearch-master'))).toBe(false);
    });
  });

  test('preferred anti-affinity and no privileged init container when mmap is off', () => {
    const chart = testChart();
    new ElasticsearchCluster(chart, 'Elasticsearch', {
      antiAffinity: ElasticsearchAntiAffinity.PREFERRED,
      maxMapCount: ElasticsearchMaxMapCount.DISABLE_MMAP,
    });
    const pod = objectNamed(chart, 'StatefulSet', 'elasticsearch').spec.template.spec;
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]).toMatchObject({
      weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname' },
    });
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(pod.initContainers).toBeUndefined();
    expect(settingsOf(chart, 'elasticsearch-config')['node.store.allow_mmap']).toBe(false);
  });

  test('8.19 and 9.x: the init container sets 1048576, the image is of the version', () => {
    for (const version of ['8.19.25', '9.0.0', '9.5.7']) {
      const es = new ElasticsearchCluster(testChart(), 'Elasticsearch', { version });
      expect([es.maxMapCountValue, es.image, es.majorVersion]).toEqual([1048576, `docker.elastic.co/elasticsearch/elasticsearch:${version}`, Number(version[0])]);
    }
  });

  test('explicitly ephemeral storage is an emptyDir and no claim', () => {
    const chart = testChart();
    new ElasticsearchCluster(chart, 'Elasticsearch', { storage: ElasticsearchStorage.ephemeralForDevelopmentOnly() });
    const sts = objectNamed(chart, 'StatefulSet', 'elasticsearch');
    expect(sts.spec.volumeClaimTemplates).toBeUndefined();
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'data', emptyDir: {} });
  });

  test('storage class and size', () => {
    const chart = testChart();
    new ElasticsearchCluster(chart, 'Elasticsearch', {
      storage: ElasticsearchStorage.persistent({ size: Size.mebibytes(1536), storageClassName: 'gp3' }),
    });
    expect(objectNamed(chart, 'StatefulSet', 'elasticsearch').spec.volumeClaimTemplates[0].spec)
      .toMatchObject({ storageClassName: 'gp3', resources: { requests: { storage: '1536Mi' } } });
  });

  test('undefined settings are left out, nested settings become dotted keys', () => {
    const chart = testChart();
    new ElasticsearchCluster(chart, 'Elasticsearch', { settings: { indices: { memory: { index_buffer_size: '20%' } }, 'x.y': undefined } });
    const settings = settingsOf(chart, 'elasticsearch-config');
    expect(settings['indices.memory.index_buffer_size']).toBe('20%');
    expect(Object.keys(settings)).not.toContain('x.y');
  });

  test('masterNodeNames and statefulSets are copies', () => {
    const es = new ElasticsearchCluster(testChart(), 'Elasticsearch');
    es.masterNodeNames.pop();
    es.statefulSets.pop();
    expect(es.masterNodeNames).toHaveLength(3);
    expect(es.statefulSets).toHaveLength(1);
  });

  test('fails if its chart has no namespace', () => {
    const chart = new Chart(Testing.app(), 'no-namespace');
    expect(() => new ElasticsearchCluster(chart, 'Elasticsearch')).toThrow(/elasticsearch needs its chart to have a namespace/);
  });

  describe('fails if', () => {
    const build = (props: any) => () => new ElasticsearchCluster(testChart(), 'Elasticsearch', props);
    test.each([
      ['replicas < 1', { replicas: 0 }, /elasticsearch replicas must be an integer >= 1, got 0/],
      ['replicas is not an integer', { replicas: 1.5 }, /elasticsearch replicas must be an integer >= 1, got 1.5/],
      ['heap above half the memory limit', { memoryLimit: Size.gibibytes(2), heapSize: Size.mebibytes(1100) },
        /heapSize 1100Mi is more than half the memory limit 2Gi.*use at most 1024Mi or raise memoryLimit/],
      ['an invalid Kubernetes name', { name: 'Elastic_Search' }, /elasticsearch name must be a lowercase RFC 1123 label.*got "Elastic_Search"/],
      ['a name too long for its pods', { name: 'a'.repeat(41) }, /elasticsearch name must be .* at most 40 characters/],
      ['a storage size that is not a size', { get storage() { return ElasticsearchStorage.persistent({ size: Size.gibibytes(NaN) }); } },
        /elasticsearch storage size must be a positive, whole number of bytes such as Size.gibibytes\(30\), got NaNGi/],
      ['a memory limit that is not a size', { memoryLimit: Size.gibibytes(NaN) },
        /memoryLimit must be a positive, whole number of bytes such as Size.gibibytes\(30\), got NaNGi/],
      ['a storage size of zero', { get storage() { return ElasticsearchStorage.persistent({ size: Size.gibibytes(0) }); } },
        /elasticsearch storage size must be a positive, whole number of bytes.*got 0Gi/],
      ['a storage size of fractional bytes', { get storage() { return ElasticsearchStorage.persistent({ size: Size.kibibytes(0.1) }); } },
        /elasticsearch storage size must be a positive, whole number of bytes.*got 0.1Ki/],
      ['an invalid storage class name', { get storage() { return ElasticsearchStorage.persistent({ storageClassName: 'Fast SSD' }); } },
        /storageClassName must be a lowercase RFC 1123 subdomain.*got "Fast SSD"/],
      ['node groups with no master-eligible node', { nodeGroups: [{ name: 'data', replicas: 3, roles: [ElasticsearchNodeRole.DATA] }] },
        /nodeGroups have no master-eligible node that can be elected: give at least one group the MASTER role/],
      ['node groups with no data node', { nodeGroups: [{ name: 'm', replicas: 3, roles: [ElasticsearchNodeRole.MASTER] }] },
        /no node that holds data/],
      ['an empty node group list', { nodeGroups: [] }, /nodeGroups must hold at least one group/],
      ['duplicate node group names', { nodeGroups: [{ name: 'a', replicas: 1 }, { name: 'a', replicas: 1 }] },
        /nodeGroups\[1\].name "a" is used by another node group/],
      ['a node group with 0 replicas', { nodeGroups: [{ name: 'a', replicas: 0 }] }, /nodeGroups\[0\].replicas must be an integer >= 1, got 0/],
      ['replicas together with node groups', { replicas: 3, nodeGroups: [{ name: 'a', replicas: 3 }] }, /replicas and nodeGroups cannot both be set/],
      ['voting_only without master', { nodeGroups: [{ name: 'a', replicas: 3, roles: [ElasticsearchNodeRole.VOTING_ONLY, ElasticsearchNodeRole.DATA] }] },
        /VOTING_ONLY needs MASTER too/],
      ['data combined with a tier', { nodeGroups: [{ name: 'a', replicas: 3, roles: [ElasticsearchNodeRole.MASTER, ElasticsearchNodeRole.DATA, ElasticsearchNodeRole.DATA_HOT] }] },
        /generic DATA role cannot be combined with tiered data roles/],
      ['an unknown role', { nodeGroups: [{ name: 'a', replicas: 3, roles: ['boss'] }] }, /unknown role "boss"; allowed: master, data/],
      ['a version that is not a version', { version: 'latest' }, /elasticsearch version must be MAJOR.MINOR.PATCH such as "9.5.7", got "latest"/],
      ['a 7.x version', { version: '7.17.0' }, /elasticsearch version "7.17.0" is not a tested version: the supported versions are 8.19.x and 9.0.x to 9.5.x/],
      ['an 8.x before 8.19', { version: '8.18.4' }, /elasticsearch version "8.18.4" is not a tested version: the supported versions are 8.19.x and 9.0.x to 9.5.x \(an older 8.x must be upgraded to 8.19 first/],
      ['a 9.x minor not tested yet', { version: '9.6.0' }, /elasticsearch version "9.6.0" is not a tested version/],
      ['a next major', { version: '10.0.0' }, /elasticsearch version "10.0.0" is not a tested version/],
      ['settings override a derived setting', { settings: { 'discovery.type': 'single-node' } },
        /elasticsearch settings must not set "discovery.type": the construct manages "discovery.type"/],
      ['nested settings override a derived setting', { settings: { discovery: { type: 'single-node' } } },
        /elasticsearch settings must not set "discovery.type"/],
      ['settings turn security on behind the consumers\' backs', { settings: { xpack: { security: { enabled: true } } } },
        /must not set "xpack.security.enabled": the construct manages "xpack.security."/],
      ['settings carry a credential', { settings: { 's3.client.default.secret_key': 'x' } },
        /must not set "s3.client.default.secret_key": it holds a secret, and settings are rendered into a ConfigMap; .*keystore/],
      ['an image repository with a tag', { imageRepository: 'mirror.example.com/elasticsearch:8.19.22' },
        /elasticsearch imageRepository must be a repository without a tag or digest/],
      ['only voting-only masters', { nodeGroups: [
        { name: 'vote', replicas: 3, roles: [ElasticsearchNodeRole.MASTER, ElasticsearchNodeRole.VOTING_ONLY] },
        { name: 'data', replicas: 3, roles: [ElasticsearchNodeRole.DATA] }] },
      /no master-eligible node that can be elected/],
      ['a tiny memory limit', { memoryLimit: Size.mebibytes(256) }, /memoryLimit must be a whole number of MiB and at least 512 MiB, got 256Mi/],
      ['an invalid priority class', { priorityClassName: 'High Prio' }, /priorityClassName must be a lowercase RFC 1123 subdomain/],
    ])('%s', (_name, props, message) => {
      expect(build(props)).toThrow(message);
    });
  });
});
