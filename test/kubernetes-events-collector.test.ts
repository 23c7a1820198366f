import { Size } from 'cdk8s';
import { fluentBitYaml, objectNamed, objectsLabelled, testChart } from './helpers/chart';
import { undocumented } from './helpers/fluent-bit-params';
import { strictestLevel } from './helpers/pod-security';
import { ElasticsearchCluster, ElasticsearchSetup, KubernetesEventsCollector } from '../src';

function stack(props: any = {}) {
  const chart = testChart();
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
  const collector = new KubernetesEventsCollector(chart, 'Events', { elasticsearch, ...props });
  new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
  return { chart, collector };
}

describe('KubernetesEventsCollector', () => {
  test('defaults', () => {
    const { chart } = stack();
    expect(objectsLabelled(chart, 'kubernetes-events')).toMatchSnapshot();
  });

  describe('defaults in detail', () => {
    const { chart, collector } = stack();
    const deployment = objectNamed(chart, 'Deployment', 'kubernetes-events');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    const yml = fluentBitYaml(chart, 'kubernetes-events-config');

    test('one replica, replaced with Recreate: never two watching at once', () => {
      expect(deployment.spec.replicas).toBe(1);
      expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    });

    test('may only get, list and watch events', () => {
      expect(objectNamed(chart, 'ClusterRole', 'logging-kubernetes-events').rules).toEqual([
        { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'], resourceNames: [] },
      ]);
      expect(objectNamed(chart, 'ClusterRoleBinding', 'logging-kubernetes-events').subjects)
        .toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: 'kubernetes-events', namespace: 'logging' }]);
    });

    test('the API token from the projected ServiceAccount file, read again every 10 minutes', () => {
      expect(yml.pipeline.inputs[0]).toMatchObject({
        name: 'kubernetes_events', kube_url: 'https://kubernetes.default.svc',
        kube_ca_file: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
        kube_token_file: '/var/run/secrets/kubernetes.io/serviceaccount/token', kube_token_ttl: '10m',
      });
      expect(pod.automountServiceAccountToken).toBe(true);
      expect(pod.serviceAccountName).toBe('kubernetes-events');
    });

    test('chunks on a PVC, so nothing waiting for Elasticsearch is lost; no events database (4.2\'s drops updates)', () => {
      expect(yml.pipeline.inputs[0]).toMatchObject({ 'storage.type': 'filesystem' });
      expect(yml.pipeline.inputs[0].db).toBeUndefined();
      expect(yml.service['storage.path']).toBe('/var/lib/fluent-bit/storage');
      expect(objectNamed(chart, 'PersistentVolumeClaim', 'kubernetes-events-state').spec)
        .toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' });
      expect(pod.volumes).toContainEqual({ name: 'state', persistentVolumeClaim: { claimName: 'kubernetes-events-state', readOnly: false } });
      expect(container.volumeMounts).toContainEqual({ name: 'state', mountPath: '/var/lib/fluent-bit' });
    });

    test('to the events data stream as its own user, with its Secret and the CA', () => {
      expect(yml.pipeline.outputs[0]).toMatchObject({
        'name': 'es', 'match': 'k8s_events', 'index': 'seclog-events', 'tls': 'on', 'tls.verify': 'on', 'tls.verify_hostname': 'on',
        'http_user': '${FLUENT_ELASTICSEARCH_USER}', 'retry_limit': 'no_limits', 'storage.total_limit_size': 536870912,
      });
      expect(container.env.map((e: any) => e.valueFrom.secretKeyRef.name)).toEqual(['kubernetes-events-elasticsearch', 'kubernetes-events-elasticsearch']);
      expect(collector.writtenIndexFamilies()).toEqual(['seclog-events']);
    });

    test('every rendered property is documented, and the pod meets restricted', () => {
      expect(undocumented(collector.config)).toEqual([]);
      expect(strictestLevel(deployment.spec.template)).toBe('restricted');
      expect(container.securityContext).toMatchObject({ runAsUser: 1000, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    });
  });

  test('custom: one namespace, a named index, a bigger volume on a StorageClass', () => {
    const { chart } = stack({ watchNamespace: 'payments', indexName: 'audit-events', stateVolumeSize: Size.gibibytes(5), storageClassName: 'fast' });
    const yml = fluentBitYaml(chart, 'kubernetes-events-config');
    expect(yml.pipeline.inputs[0].kube_namespace).toBe('payments');
    expect(yml.pipeline.outputs[0].index).toBe('audit-events');
    expect(objectNamed(chart, 'PersistentVolumeClaim', 'kubernetes-events-state').spec).toMatchObject({ resources: { requests: { storage: '5Gi' } }, storageClassName: 'fast' });
  });

  describe('fails if', () => {
    test.each([
      ['more than one replica', { replicas: 2 }, /kubernetes events collector replicas must be 1, got 2: every replica watches every event/],
      ['an index name with upper case', { indexName: 'Events' }, /kubernetes events collector indexName/],
      ['an invalid namespace to watch', { watchNamespace: 'Payments' }, /kubernetes events collector watchNamespace must be a lowercase RFC 1123 label/],
      ['a state volume below 64 MiB', { stateVolumeSize: Size.mebibytes(16) }, /kubernetes events collector stateVolumeSize must be at least 64 MiB, got 16Mi/],
      ['an unpinned image', { image: 'fluent/fluent-bit' }, /kubernetes events collector image must be pinned/],
    ])('%s', (_name, props, message) => {
      expect(() => stack(props)).toThrow(message);
    });
    test('no cluster', () => {
      expect(() => new KubernetesEventsCollector(testChart(), 'Events', {} as any)).toThrow(/kubernetes events collector elasticsearch is required/);
    });
  });
});
