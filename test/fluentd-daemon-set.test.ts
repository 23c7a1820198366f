import * as fs from 'fs';
import * as path from 'path';
import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { objectNamed, objectsLabelled, objectsOf, testChart } from './helpers/chart';
import {
  ContainerLogFormat, ElasticsearchCluster, ElasticsearchSetup, FluentdBuffer, S3Credentials, FluentdDaemonSet, FluentdLogLevel, FluentdOverflowAction, FluentdSection,
} from '../src';

function stack(props: any = {}, namespace = 'logging') {
  const chart = testChart(namespace);
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
  const fluentd = new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch, ...props });
  new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
  return { chart, elasticsearch, fluentd };
}


describe('FluentdDaemonSet', () => {
  test('defaults', () => {
    expect(objectsLabelled(stack().chart, 'fluentd')).toMatchSnapshot();
  });

  test('custom', () => {
    const { chart, fluentd } = stack({
      name: 'log-agent',
      image: 'registry.example.com/fluentd-kubernetes-daemonset:v1.19.3-debian-elasticsearch9-1.1',
      containerLogFormat: ContainerLogFormat.DOCKER_JSON,
      indexPrefix: 'prod',
      buffer: {
        totalLimitSize: Size.gibibytes(8),
        chunkLimitSize: Size.mebibytes(16),
        flushInterval: Duration.seconds(10),
        flushThreadCount: 4,
        overflowAction: FluentdOverflowAction.DROP_OLDEST_CHUNK,
        retryMaxInterval: Duration.minutes(5),
      },
      memoryLimit: Size.gibibytes(1),
      cpuRequest: kplus.Cpu.millis(250),
      logLevel: FluentdLogLevel.WARN,
      priorityClassName: 'system-node-critical',
      serviceMonitor: true,
    });
    fluentd.addDirectives(FluentdSection.source('forward', { id: 'in_forward', label: '@KUBERNETES', params: { port: 24224 } }));
    expect(objectsLabelled(chart, 'fluentd')).toMatchSnapshot();
  });

  describe('defaults in detail', () => {
    const { chart, fluentd } = stack();
    const ds = objectNamed(chart, 'DaemonSet', 'fluentd');
    const pod = ds.spec.template.spec;
    const container = pod.containers[0];
    const conf: string = objectNamed(chart, 'ConfigMap', 'fluentd-config').data['fluent.conf'];

    test('the image reads our config: /fluentd/etc/${FLUENTD_CONF} is the mounted ConfigMap key', () => {
      // The image's entrypoint.sh ends in: exec fluentd -c /fluentd/etc/${FLUENTD_CONF} -p /fluentd/plugins ...
      const env = Object.fromEntries(container.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
      const configPath = `/fluentd/etc/${env.FLUENTD_CONF}`;
      const mount = container.volumeMounts.find((m: any) => configPath.startsWith(m.mountPath + '/'));
      expect(mount).toBeDefined();
      const volume = pod.volumes.find((v: any) => v.name === mount.name);
      expect(volume.configMap.name).toBe('fluentd-config');
      expect(path.posix.relative(mount.mountPath, configPath)).toBe('fluent.conf');
      expect(objectNamed(chart, 'ConfigMap', 'fluentd-config').data).toHaveProperty(['fluent.conf']);
      expect(fluentd.configPath).toBe(configPath);
      // Mounted beside the image's own files rather than over them, and read-only.
      expect(mount.mountPath).not.toBe('/fluentd/etc');
      expect(mount.readOnly).toBe(true);
    });

    test('ServiceAccount, ClusterRole (pods, namespaces: get, list, watch) and binding', () => {
      expect(pod.serviceAccountName).toBe('fluentd');
      const [role] = objectsOf(chart, 'ClusterRole');
      expect(role.metadata.name).toBe('logging-fluentd');
      expect(role.metadata.namespace).toBeUndefined();
      const rules = role.rules.map((r: any) => ({ apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs }));
      expect(rules).toEqual([
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
      ]);
      const [binding] = objectsOf(chart, 'ClusterRoleBinding');
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'logging-fluentd' });
      expect(binding.subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: 'fluentd', namespace: 'logging' }]);
    });

    test('every node: every taint tolerated (control-plane, GPU, dedicated nodes), no node selection', () => {
      expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
      expect(pod.affinity).toBeUndefined();
    });

    test('/var/log read-only; only its own state directory (pos files, buffers) writable, on the host', () => {
      const mounts = Object.fromEntries(container.volumeMounts.map((m: any) => [m.mountPath, m]));
      expect(mounts['/var/log'].readOnly).toBe(true);
      expect(mounts['/var/log/fluentd-logging-fluentd'].readOnly).toBeUndefined();
      const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
      expect(volumes.varlog.hostPath).toEqual({ path: '/var/log', type: 'Directory' });
      expect(volumes.state.hostPath).toEqual({ path: '/var/log/fluentd-logging-fluentd', type: 'DirectoryOrCreate' });
      expect(conf).toContain('pos_file /var/log/fluentd-logging-fluentd/containers.log.pos');
      expect(conf).toContain('path /var/log/fluentd-logging-fluentd/buffer/out_es_containers');
    });

    test('root without capabilities, no privilege escalation, not privileged', () => {
      expect(container.securityContext).toMatchObject({
        runAsUser: 0, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] },
      });
      expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    });

    test('env: node name for the metadata watch, strict config values', () => {
      expect(container.env).toContainEqual({ name: 'K8S_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
      expect(container.env).toContainEqual({ name: 'FLUENTD_OPT', value: '--strict-config-value' });
    });

    test('tails CRI container logs, excluding its own, and joins partial lines', () => {
      expect(conf).toContain('path /var/log/containers/*.log');
      expect(conf).toContain('exclude_path ["/var/log/containers/fluentd-*_logging_*.log"]');
      expect(conf).toMatch(/<parse>\n\s+@type cri\n\s+keep_time_key false\n\s+time_type mixed\n\s+time_format %Y-%m-%dT%H:%M:%S.%L%z\n\s+time_format_fallbacks \["%iso8601"\]\n\s+<\/parse>/);
      expect(conf).toMatch(/@type concat[\s\S]*use_partial_cri_logtag true[\s\S]*stream_identity_key stream[\s\S]*separator ''/);
    });

    test('the stream field survives the join: concat deletes partial_cri_stream_key from every record', () => {
      const key = /partial_cri_stream_key (\S+)/.exec(conf)?.[1];
      expect(key).toBeDefined();
      expect(key).not.toBe('stream');
      expect(conf).not.toContain(key + ' ');
      expect(conf.split(key as string)).toHaveLength(2); // named once: nothing else reads or writes it
    });

    test('metadata from the file name only, before the JSON lift, so a pod cannot claim another pod\'s identity', () => {
      const metadata = conf.indexOf('@type kubernetes_metadata');
      const lift = conf.indexOf('@type parser');
      expect(metadata).toBeGreaterThan(0);
      expect(lift).toBeGreaterThan(metadata);
      expect(conf).toMatch(/@type kubernetes_metadata\n[\s\S]*?lookup_from_k8s_field false\n/);
    });

    test('JSON payloads lifted into fields under payload, raw line kept in message', () => {
      expect(conf).toMatch(/@type parser\n[\s\S]*key_name message\n\s+hash_value_field payload\n[\s\S]*reserve_data true[\s\S]*@type json/);
      expect(conf).toContain('remove_key_name_field false');
    });

    test('field names are de-dotted (labels app and app.kubernetes.io/name cannot clash in the mapping)', () => {
      expect(conf).toMatch(/@type dedot\n[\s\S]*?de_dot_nested true\n/);
      expect(conf.indexOf('@type dedot')).toBeLessThan(conf.indexOf('@type elasticsearch'));
    });

    test('undeliverable events go to a counted dead-letter output, not silently away', () => {
      expect(conf).toMatch(/<label @ERROR>\n\s+<match \*\*>\n\s+@type stdout\n\s+@id dead_letter/);
    });

    test('output to the cluster from its connection, durable file buffer', () => {
      expect(conf).toMatch(/@type elasticsearch\n[\s\S]*host elasticsearch\.logging\.svc\n\s+port 9200\n\s+scheme https\n/);
      expect(conf).toContain('index_name seclog-containers\n');
      expect(conf).toContain('write_operation create\n');
      // create needs an _id: fluent-plugin-elasticsearch drops records without one.
      expect(conf).toMatch(/@type elasticsearch_genid\n\s+@id out_es_containers_id\n\s+hash_id_key _document_id\n[\s\S]*?@type elasticsearch\n[\s\S]*?id_key _document_id\n\s+remove_keys _document_id\n/);
      expect(conf).toContain('include_timestamp true\n');
      expect(conf).toMatch(/<buffer tag>\n\s+@type file\n/);
      expect(conf).toContain('total_limit_size 2g');
      expect(conf).toContain('overflow_action block');
      expect(conf).toContain('retry_type exponential_backoff');
      expect(conf).toContain('retry_forever true');
      expect(conf).toContain('flush_at_shutdown true');
      expect(pod.terminationGracePeriodSeconds).toBe(60);
    });

    test('as its own user: credentials from its Secret by secretKeyRef, CA verified, nothing secret in the config', () => {
      expect(conf).toContain([
        '    scheme https',
        `    user "#{ENV['FLUENT_ELASTICSEARCH_USER']}"`,
        `    password "#{ENV['FLUENT_ELASTICSEARCH_PASSWORD']}"`,
        '    ssl_verify true',
        '    ca_file /etc/fluentd-elasticsearch/ca.crt',
        '    ssl_min_version TLSv1_2',
        '    ssl_max_version TLSv1_3',
      ].join('\n'));
      const env = Object.fromEntries(container.env.map((e: any) => [e.name, e]));
      expect(env.FLUENT_ELASTICSEARCH_USER.valueFrom).toEqual({ secretKeyRef: { name: 'fluentd-elasticsearch', key: 'username' } });
      expect(env.FLUENT_ELASTICSEARCH_PASSWORD.valueFrom).toEqual({ secretKeyRef: { name: 'fluentd-elasticsearch', key: 'password' } });
      expect(env.FLUENT_ELASTICSEARCH_PASSWORD.value).toBeUndefined();
      const ca = pod.volumes.find((v: any) => v.name === 'elasticsearch-ca');
      expect(ca.secret).toEqual({ secretName: 'fluentd-elasticsearch', items: [{ key: 'ca.crt', path: 'ca.crt' }] });
      expect(container.volumeMounts).toContainEqual({ name: 'elasticsearch-ca', mountPath: '/etc/fluentd-elasticsearch', readOnly: true });
      expect(fluentd.writtenIndexFamilies()).toEqual(['seclog-containers']);
    });

    test('Prometheus metrics on 24231, probed; metrics Service; no ServiceMonitor unless asked', () => {
      expect(conf).toMatch(/@type prometheus\n[\s\S]*port 24231\n\s+metrics_path \/metrics/);
      expect(container.ports).toEqual([{ containerPort: 24231, name: 'metrics' }]);
      expect(container.readinessProbe.httpGet).toEqual({ path: '/metrics', port: 24231, scheme: 'HTTP' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/metrics', port: 24231, scheme: 'HTTP' });
      expect(objectNamed(chart, 'Service', 'fluentd-metrics').spec.ports).toEqual([{ name: 'metrics', port: 24231, targetPort: 24231 }]);
      expect(objectsOf(chart, 'ServiceMonitor')).toEqual([]);
    });

    test('resources', () => {
      expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '512Mi' } });
    });

    test('the rendered config matches the golden file', () => {
      const golden = path.join(__dirname, 'fixtures', 'fluent-cri.conf');
      expect(conf).toBe(fs.readFileSync(golden, 'utf-8'));
    });
  });

  test('Docker json-file: json parse, newline-terminated pieces joined, log moved to message, Docker dir mounted', () => {
    const { chart } = stack({ containerLogFormat: ContainerLogFormat.DOCKER_JSON });
    const conf: string = objectNamed(chart, 'ConfigMap', 'fluentd-config').data['fluent.conf'];
    expect(conf).toBe(fs.readFileSync(path.join(__dirname, 'fixtures', 'fluent-docker.conf'), 'utf-8'));
    const ds = objectNamed(chart, 'DaemonSet', 'fluentd');
    expect(ds.spec.template.spec.volumes).toContainEqual({ name: 'docker-containers', hostPath: { path: '/var/lib/docker/containers', type: 'Directory' } });
  });

  test('ServiceMonitor selects the metrics Service', () => {
    const { chart } = stack({ serviceMonitor: true });
    const [monitor] = objectsOf(chart, 'ServiceMonitor');
    const svc = objectNamed(chart, 'Service', 'fluentd-metrics');
    for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels)) {
      expect(svc.metadata.labels[key]).toBe(value);
    }
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
  });

  test('a config change (added directive) changes the pod checksum', () => {
    const checksum = (add: boolean) => {
      const { chart, fluentd } = stack();
      if (add) fluentd.addDirectives(FluentdSection.include('extra.conf'));
      return objectNamed(chart, 'DaemonSet', 'fluentd').spec.template.metadata.annotations['checksum/config'];
    };
    expect(checksum(true)).not.toBe(checksum(false));
  });

  test('addDirectives after synthesis is an error, not a silently stale ConfigMap', () => {
    const { chart, fluentd } = stack();
    Testing.synth(chart);
    expect(() => fluentd.addDirectives(FluentdSection.include('late.conf'))).toThrow(/after the configuration was rendered/);
  });

  test('buffer arithmetic: outage tolerance', () => {
    const buffer = new FluentdBuffer();
    // 2 GiB at 100 events/s of 1 KiB: 20971 s, about 5.8 hours.
    expect(buffer.outageToleranceSeconds(100, 1024)).toBe(20971);
    expect(buffer.outageToleranceSeconds(1000, 1024)).toBe(2097);
  });

  describe('fails if', () => {
    test('its chart has no namespace', () => {
      const chart = new Chart(Testing.app(), 'no-namespace');
      const elasticsearch = new ElasticsearchCluster(testChart(), 'Elasticsearch');
      expect(() => new FluentdDaemonSet(chart, 'Fluentd', { elasticsearch })).toThrow(/fluentd needs its chart to have a namespace/);
    });

    test('a directive repeats a plugin @id or a label', () => {
      const { fluentd } = stack();
      expect(() => fluentd.addDirectives(FluentdSection.source('forward', { id: 'in_tail_containers' })))
        .toThrow(/fluentd @id "in_tail_containers" is used twice/);
      expect(() => fluentd.addDirectives(FluentdSection.label('@KUBERNETES', [FluentdSection.match('**', 'null')])))
        .toThrow(/<label @KUBERNETES> is defined twice/);
      expect(() => FluentdSection.source('forward', { label: 'KUBERNETES' })).toThrow(/@label must start with '@'/);
    });

    test('a route tag with * (it is also the match pattern and would match nothing)', () => {
      const { fluentd } = stack();
      expect(() => fluentd.addContainerFileRoute({ name: 'x', path: '/var/log/containers/x-*.log', tag: 'x.*', label: '@X', directives: [] }))
        .toThrow(/fluentd route tag must be dot-separated words without '\*'/);
    });

    test('one source takes another\'s index family, or a prefix of it', () => {
      const { fluentd } = stack();
      expect(() => fluentd.registerIndexFamily('test family', 'seclog-containers')).toThrow(/test family "seclog-containers" overlaps fluentd indexNames.containers/);
      expect(() => fluentd.registerIndexFamily('test family', 'seclog-containers-extra')).toThrow(/overlaps/);
      fluentd.registerIndexFamily('test family', 'seclog-other');
    });

    test('no cluster', () => {
      expect(() => new FluentdDaemonSet(testChart(), 'Fluentd', {} as any)).toThrow(/fluentd elasticsearch is required/);
    });
    test.each([
      ['buffer limits contradict each other', { buffer: { totalLimitSize: Size.mebibytes(16), chunkLimitSize: Size.mebibytes(8) } },
        /totalLimitSize \(16 MiB\) must hold at least flushThreadCount \+ 1 \(3\) chunks of chunkLimitSize \(8 MiB\), i.e. 24 MiB/],
      ['a chunk larger than a bulk request should be', { buffer: { chunkLimitSize: Size.gibibytes(1), totalLimitSize: Size.gibibytes(8) } },
        /chunkLimitSize must be at most 256 MiB/],
      ['a buffer size that is not a size', { buffer: { totalLimitSize: Size.gibibytes(NaN) } }, /totalLimitSize must be a positive/],
      ['a sub-second flush interval', { buffer: { flushInterval: Duration.millis(500) } }, /flushInterval must be a whole number of seconds/],
      ['0 flush threads', { buffer: { flushThreadCount: 0 } }, /flushThreadCount must be an integer between 1 and 64, got 0/],
      ['an unknown overflow action', { buffer: { overflowAction: 'drop_everything' } }, /overflowAction must be one of block, drop_oldest_chunk, throw_exception/],
      ['an invalid name', { name: 'Fluent D' }, /fluentd name must be a lowercase RFC 1123 label/],
      ['a logs- index prefix (data stream template)', { indexPrefix: 'logs-k8s' }, /built-in logs-\*-\*, metrics-\*-\* and traces-\*-\* index templates/],
      ['a metrics- index name', { indexNames: { containers: 'metrics-containers' } }, /fluentd indexNames.containers must not be "metrics-containers"/],
      ['the audit family, which moved to its source', { indexNames: { audit: 'seclog-audit' } }, /fluentd indexNames.audit moved to the audit source: new KubernetesAuditLogs/],
      ['an index name with capitals', { indexNames: { containers: 'Containers' } }, /fluentd indexNames.containers must be a lowercase/],
      ['an unknown log format', { containerLogFormat: 'syslog' }, /containerLogFormat must be one of cri, docker-json/],
      ['an unknown log level', { logLevel: 'verbose' }, /logLevel must be one of trace, debug, info, warn, error/],
      ['an unpinned image', { image: 'fluent/fluentd-kubernetes-daemonset:latest' }, /fluentd image must be pinned to a tag other than latest/],
      ['an image without a tag', { image: 'registry:5000/fluentd' }, /fluentd image must be pinned/],
      ['a memory limit fluentd cannot run in', { memoryLimit: Size.mebibytes(64) }, /fluentd memoryLimit must be at least 128 MiB, got 64Mi/],
    ])('%s', (_name, props, message) => {
      expect(() => stack(props)).toThrow(message);
    });
  });
});

describe('S3 archive on Fluentd (an image with fluent-plugin-s3)', () => {
  const IMAGE = 'registry.example.com/fluentd-es-s3:v1.19.3-1';
  const archive = { bucket: 'acme-security-logs', region: 'eu-west-1', credentials: S3Credentials.secretFile('aws-archive') };

  test('the containers route copies to Elasticsearch and to an S3 store with its own file buffer', () => {
    const { chart } = stack({ image: IMAGE, s3Archive: archive });
    const conf: string = objectNamed(chart, 'ConfigMap', 'fluentd-config').data['fluent.conf'];
    const start = conf.indexOf('    <store>\n      @type s3');
    const store = conf.slice(start, conf.indexOf('    </store>', start) + 12);
    expect(store).toBe([
      '    <store>',
      '      @type s3',
      '      @id out_es_containers_s3',
      '      s3_bucket acme-security-logs',
      '      s3_region eu-west-1',
      '      path security-logging/containers/year=%Y/month=%m/day=%d/hour=%H/',
      "      s3_object_key_format '%{path}%{time_slice}_%{uuid_flush}.%{file_extension}'",
      '      check_object false',
      '      store_as gzip',
      '      check_apikey_on_start false',
      '      check_bucket false',
      '      auto_create_bucket false',
      '      <buffer tag,time>',
      '        @type file',
      '        path /var/log/fluentd-logging-fluentd/buffer/out_es_containers_s3',
      '        timekey 3600',
      '        timekey_use_utc true',
      '        flush_mode interval',
      '        flush_interval 600s',
      '        chunk_limit_size 104857600',
      '        total_limit_size 1073741824',
      '        overflow_action block',
      '        retry_forever true',
      '        retry_max_interval 60s',
      '        flush_at_shutdown true',
      '      </buffer>',
      '      <format>',
      '        @type json',
      '      </format>',
      '      <inject>',
      '        time_key @timestamp',
      '        time_type string',
      '        time_format %Y-%m-%dT%H:%M:%S.%NZ',
      '        utc true',
      '      </inject>',
      '    </store>',
    ].join('\n'));
    expect(conf).toMatch(/<match kubernetes\.\*\*>\n\s+@type copy\n\s+@id out_es_containers_copy\n\s+copy_mode shallow\n\s+<store>\n\s+@type elasticsearch\n\s+@id out_es_containers\n/);
    const container = objectNamed(chart, 'DaemonSet', 'fluentd').spec.template.spec.containers[0];
    expect(container.env).toContainEqual({ name: 'AWS_SHARED_CREDENTIALS_FILE', value: '/etc/fluentd-aws/credentials' });
    expect(container.volumeMounts).toContainEqual({ name: 'aws-credentials', mountPath: '/etc/fluentd-aws', readOnly: true });
  });

  test('fails if the default image (no S3 plugin) or a tag pattern is asked for', () => {
    expect(() => stack({ s3Archive: archive })).toThrow(/fluentd s3Archive needs an image that ships fluent-plugin-s3 .* or use the Fluent Bit agent/);
    expect(() => stack({ image: IMAGE, s3Archive: { ...archive, match: 'falco.*' } })).toThrow(/fluentd s3Archive.match selects tags on Fluent Bit only/);
    expect(() => stack({ image: IMAGE, s3Archive: { ...archive, bucket: undefined } })).toThrow(/fluentd s3Archive.bucket is required/);
  });
});
