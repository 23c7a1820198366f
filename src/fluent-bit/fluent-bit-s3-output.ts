import { FluentBitPlugin } from './fluent-bit-config';
import { ResolvedS3Archive } from '../pipeline/s3-archive';

/**
 * The Fluent Bit `s3` output of an archive (gzip objects, date-partitioned keys,
 * files waiting on the node under `storeDir`).
 * @see https://docs.fluentbit.io/manual/pipeline/outputs/s3
 */
export function s3ArchiveOutput(archive: ResolvedS3Archive, storeDir: string): FluentBitPlugin {
  return FluentBitPlugin.output('s3', archive.match, {
    'alias': 'out_s3_archive',
    'bucket': archive.bucket,
    'region': archive.region,
    'endpoint': archive.endpoint,
    // The tag's first part names the source (kube, falco, kubearmor, audit, ...).
    's3_key_format': `/${archive.keyPrefix}/$TAG[0]/year=%Y/month=%m/day=%d/hour=%H/%M%S-$UUID.gz`,
    's3_key_format_tag_delimiters': '.',
    // Bytes: Fluent Bit's K, M and G are powers of 1000.
    'total_file_size': archive.totalFileBytes,
    'upload_timeout': `${archive.uploadTimeoutSeconds}s`,
    'compression': 'gzip',
    // Multipart uploads; a file waits on the node until it is complete.
    'use_put_object': false,
    'store_dir': storeDir,
    // When the files waiting on the node reach this, new data is discarded.
    'store_dir_limit_size': archive.storeDirLimitBytes,
    // The s3 output's own upload attempts per file (no_limits would mean 5); then the file is discarded.
    'retry_limit': 100,
  });
}
