import { Duration, Size } from 'cdk8s';
import { fluentBitYaml, objectNamed, testChart } from './helpers/chart';
import { undocumented } from './helpers/fluent-bit-params';
import { ElasticsearchCluster, ElasticsearchSetup, FluentBitDaemonSet, S3Credentials } from '../src';

const ROLE = 'arn:aws:iam::123456789012:role/security-logging-archive';

function stack(s3Archive: any) {
  const chart = testChart();
  const elasticsearch = new ElasticsearchCluster(chart, 'Elasticsearch', { replicas: 1 });
  const fluentBit = new FluentBitDaemonSet(chart, 'FluentBit', { elasticsearch, s3Archive });
  new ElasticsearchSetup(chart, 'Setup', { elasticsearch });
  const ds = objectNamed(chart, 'DaemonSet', 'fluent-bit');
  const yml = fluentBitYaml(chart);
  return { chart, fluentBit, ds, yml, s3: yml.pipeline.outputs.find((o: any) => o.name === 's3') };
}

describe('S3 archive (Fluent Bit)', () => {
  test('beside Elasticsearch: everything archived, gzip, date-partitioned keys, files waiting on the node', () => {
    const { yml, s3, fluentBit } = stack({ bucket: 'acme-security-logs', region: 'eu-west-1', credentials: S3Credentials.serviceAccountRole(ROLE) });
    expect(s3).toEqual({
      'name': 's3', 'match': '*', 'alias': 'out_s3_archive', 'bucket': 'acme-security-logs', 'region': 'eu-west-1',
      's3_key_format': '/security-logging/$TAG[0]/year=%Y/month=%m/day=%d/hour=%H/%M%S-$UUID.gz', 's3_key_format_tag_delimiters': '.',
      'total_file_size': 104857600, 'upload_timeout': '600s', 'compression': 'gzip', 'use_put_object': 'off',
      // The s3 output's own attempts per file (no_limits would mean 5).
      'store_dir': '/var/log/fluent-bit-logging-fluent-bit/s3', 'store_dir_limit_size': 1073741824, 'retry_limit': 100,
    });
    // Elasticsearch still gets the container logs.
    expect(yml.pipeline.outputs.map((o: any) => o.name)).toEqual(['es', 's3']);
    expect(undocumented(fluentBit.config)).toEqual([]);
  });

  test('IRSA: the role on the ServiceAccount, no credential in the pod', () => {
    const { chart, ds } = stack({ bucket: 'acme-security-logs', region: 'eu-west-1', credentials: S3Credentials.serviceAccountRole(ROLE) });
    expect(objectNamed(chart, 'ServiceAccount', 'fluent-bit').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': ROLE });
    expect(ds.spec.template.spec.containers[0].env.map((e: any) => e.name)).not.toContain('AWS_SHARED_CREDENTIALS_FILE');
  });

  test('a Secret with a shared credentials file, mounted and named by AWS_SHARED_CREDENTIALS_FILE; S3-compatible endpoint', () => {
    const { ds, s3 } = stack({
      bucket: 'archive', region: 'us-east-1', endpoint: 'https://minio.storage.svc:9000', credentials: S3Credentials.secretFile('minio-credentials'),
      keyPrefix: 'prod/seclog', totalFileSize: Size.mebibytes(50), uploadTimeout: Duration.minutes(5), match: 'falco.*',
    });
    const container = ds.spec.template.spec.containers[0];
    expect(container.env).toContainEqual({ name: 'AWS_SHARED_CREDENTIALS_FILE', value: '/fluent-bit/etc/aws/credentials' });
    expect(ds.spec.template.spec.volumes).toContainEqual({ name: 'aws-credentials', secret: { secretName: 'minio-credentials', items: [{ key: 'credentials', path: 'credentials' }] } });
    expect(container.volumeMounts).toContainEqual({ name: 'aws-credentials', mountPath: '/fluent-bit/etc/aws', readOnly: true });
    expect(s3).toMatchObject({ match: 'falco.*', endpoint: 'https://minio.storage.svc:9000', total_file_size: 52428800, upload_timeout: '300s',
      s3_key_format: '/prod/seclog/$TAG[0]/year=%Y/month=%m/day=%d/hour=%H/%M%S-$UUID.gz' });
  });

  describe('fails if', () => {
    const ok = { bucket: 'acme-security-logs', region: 'eu-west-1', credentials: S3Credentials.serviceAccountRole(ROLE) };
    test.each([
      ['no bucket', { ...ok, bucket: undefined }, /fluent bit s3Archive.bucket is required/],
      ['no region', { ...ok, region: undefined }, /fluent bit s3Archive.region is required and must be an AWS region/],
      ['a bucket name with upper case', { ...ok, bucket: 'Acme_Logs' }, /s3Archive.bucket must be an S3 bucket name .* got "Acme_Logs"/],
      ['a bucket that looks like an IP address', { ...ok, bucket: '192.168.1.10' }, /s3Archive.bucket must be an S3 bucket name/],
      ['no credentials', { ...ok, credentials: undefined }, /s3Archive.credentials is required/],
      ['files below 1 MiB', { ...ok, totalFileSize: Size.kibibytes(512) }, /s3Archive.totalFileSize must be between 1 MiB and 50 GiB .* got 512Ki/],
      ['a store smaller than one file', { ...ok, totalFileSize: Size.gibibytes(2), storeDirLimitSize: Size.gibibytes(1) },
        /s3Archive.storeDirLimitSize \(1Gi\) must hold at least one file of totalFileSize \(2Gi\)/],
      ['an upload timeout under a minute', { ...ok, uploadTimeout: Duration.seconds(30) }, /s3Archive.uploadTimeout must be .* at least 1 minute, got 30 s/],
      ['an http endpoint', { ...ok, endpoint: 'http://minio:9000' }, /s3Archive.endpoint must be an https URL/],
      ['a key prefix with a space', { ...ok, keyPrefix: 'my logs' }, /s3Archive.keyPrefix must be S3-safe path segments/],
    ])('%s', (_name, s3Archive, message) => {
      expect(() => stack(s3Archive)).toThrow(message);
    });
    test('a role that is not an IAM role ARN, a Secret name with upper case', () => {
      expect(() => S3Credentials.serviceAccountRole('security-logging-archive')).toThrow(/s3 credentials roleArn must be an IAM role ARN/);
      expect(() => S3Credentials.secretFile('AWS')).toThrow(/s3 credentials secretName must be a Secret name/);
    });
  });
});
