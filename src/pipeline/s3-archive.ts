import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { validateSize } from '../common/validation';

/** Where the S3 output's AWS credentials come from. Never literals. */
export class S3Credentials {
  /**
   * IAM Roles for Service Accounts: the agent's ServiceAccount is annotated with the
   * role (`eks.amazonaws.com/role-arn`), and EKS injects a web-identity token that
   * Fluent Bit exchanges for credentials (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE).
   * @see https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html
   */
  public static serviceAccountRole(roleArn: string): S3Credentials {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(roleArn ?? '')) {
      throw new Error(`s3 credentials roleArn must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>), got ${JSON.stringify(roleArn)}`);
    }
    return new S3Credentials(roleArn, undefined);
  }

  /**
   * A Secret with an AWS shared credentials file under the key `credentials`,
   * mounted read-only and named by AWS_SHARED_CREDENTIALS_FILE (for S3-compatible
   * stores and clusters without IRSA). The Secret is yours to create.
   * @see https://docs.fluentbit.io/manual/administration/aws-credentials
   */
  public static secretFile(secretName: string): S3Credentials {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(secretName ?? '') || secretName.length > 253) {
      throw new Error(`s3 credentials secretName must be a Secret name (RFC 1123 subdomain), got ${JSON.stringify(secretName)}`);
    }
    return new S3Credentials(undefined, secretName);
  }

  private constructor(
    /** The IAM role for IRSA. */
    public readonly roleArn: string | undefined,
    /** The Secret holding a shared credentials file. */
    public readonly secretName: string | undefined,
  ) {}
}

/** Options of an S3 archive output. */
export interface S3ArchiveOptions {
  /** The bucket. */
  readonly bucket: string;

  /** The bucket's region, e.g. `eu-west-1`. */
  readonly region: string;

  /** Where the credentials come from. */
  readonly credentials: S3Credentials;

  /**
   * Key prefix; objects are `<prefix>/<source>/year=YYYY/month=MM/day=DD/hour=HH/<MMSS>-<uuid>.gz`,
   * the source being the first part of the tag
   * (date partitions that Athena and Spark read as columns).
   * @default 'security-logging'
   */
  readonly keyPrefix?: string;

  /**
   * Size at which a file is uploaded (`total_file_size`); at most 50 GiB.
   * @default Size.mebibytes(100)
   */
  readonly totalFileSize?: Size;

  /**
   * Longest a file waits before it is uploaded, whatever its size (`upload_timeout`).
   * @default Duration.minutes(10)
   */
  readonly uploadTimeout?: Duration;

  /**
   * Endpoint of an S3-compatible store (MinIO, Ceph, ...), an https URL.
   * @default - AWS S3 of the region
   */
  readonly endpoint?: string;

  /**
   * Upper bound of the files waiting for upload on the node (`store_dir_limit_size`).
   * @default Size.gibibytes(1)
   */
  readonly storeDirLimitSize?: Size;

  /**
   * Which records to archive, as a tag pattern: beside Elasticsearch, archive
   * everything and index a subset, or the other way round.
   * @default '*' (everything)
   */
  readonly match?: string;
}

const MIN_FILE = 1024 ** 2;
const MAX_FILE = 50 * 1024 ** 3;

/** S3 archive options, validated and resolved. @internal */
export interface ResolvedS3Archive {
  readonly bucket: string;
  readonly region: string;
  readonly credentials: S3Credentials;
  readonly keyPrefix: string;
  readonly totalFileBytes: number;
  readonly storeDirLimitBytes: number;
  readonly uploadTimeoutSeconds: number;
  readonly endpoint?: string;
  readonly match: string;
}

/** Validates S3 archive options (every mistake names `<prop>.<option>`). @internal */
export function resolveS3Archive(prop: string, options: S3ArchiveOptions): ResolvedS3Archive {
  if (!options || typeof options.bucket !== 'string' || options.bucket.length === 0) {
    throw new Error(`${prop}.bucket is required: the S3 bucket to archive to, got ${JSON.stringify(options?.bucket)}`);
  }
  // S3 bucket naming rules: 3-63 characters, lowercase letters, digits, '.' and '-', not an IP address.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket) || options.bucket.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(options.bucket)) {
    throw new Error(`${prop}.bucket must be an S3 bucket name (3-63 lowercase letters, digits, '.' and '-', not an IP address), got ${JSON.stringify(options.bucket)}`);
  }
  if (typeof options.region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(options.region)) {
    throw new Error(`${prop}.region is required and must be an AWS region such as "eu-west-1", got ${JSON.stringify(options.region)}`);
  }
  if (!(options.credentials instanceof S3Credentials)) {
    throw new Error(`${prop}.credentials is required: S3Credentials.serviceAccountRole(roleArn) or S3Credentials.secretFile(secretName), got ${JSON.stringify(options.credentials)}`);
  }
  const prefix = options.keyPrefix ?? 'security-logging';
  if (!/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/.test(prefix)) {
    throw new Error(`${prop}.keyPrefix must be S3-safe path segments (letters, digits, !_.*'()- separated by '/'), got ${JSON.stringify(prefix)}`);
  }
  const fileSize = options.totalFileSize ?? Size.mebibytes(100);
  const fileBytes = validateSize(`${prop}.totalFileSize`, fileSize);
  if (fileBytes < MIN_FILE || fileBytes > MAX_FILE) {
    throw new Error(`${prop}.totalFileSize must be between 1 MiB and 50 GiB (Fluent Bit's limits), got ${fileSize.asString()}`);
  }
  const storeLimit = options.storeDirLimitSize ?? Size.gibibytes(1);
  const storeBytes = validateSize(`${prop}.storeDirLimitSize`, storeLimit);
  if (storeBytes < fileBytes) {
    throw new Error(`${prop}.storeDirLimitSize (${storeLimit.asString()}) must hold at least one file of totalFileSize (${fileSize.asString()})`);
  }
  const timeout = (options.uploadTimeout ?? Duration.minutes(10)).toSeconds();
  if (!Number.isInteger(timeout) || timeout < 60) {
    throw new Error(`${prop}.uploadTimeout must be a whole number of seconds, at least 1 minute, got ${timeout} s`);
  }
  if (options.endpoint !== undefined && !/^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(options.endpoint)) {
    throw new Error(`${prop}.endpoint must be an https URL with host and optional port, no path, got ${JSON.stringify(options.endpoint)}`);
  }
  return {
    bucket: options.bucket, region: options.region, credentials: options.credentials, keyPrefix: prefix, totalFileBytes: fileBytes,
    storeDirLimitBytes: storeBytes, uploadTimeoutSeconds: timeout, endpoint: options.endpoint, match: options.match ?? '*',
  };
}

/** The TCP port an archive uploads to: 443, or the custom endpoint's. @internal */
export function archivePort(archive: ResolvedS3Archive): number {
  const port = archive.endpoint ? /:(\d+)$/.exec(archive.endpoint)?.[1] : undefined;
  return port ? Number(port) : 443;
}

/**
 * An agent's S3 credentials: the IRSA role annotation on its ServiceAccount (EKS
 * injects the web-identity token), or the Secret's shared credentials file mounted
 * at `dir` and named by AWS_SHARED_CREDENTIALS_FILE. @internal
 */
export function addS3Credentials(scope: Construct, serviceAccount: kplus.ServiceAccount, container: kplus.Container, credentials: S3Credentials, dir: string): void {
  if (credentials.roleArn !== undefined) {
    serviceAccount.metadata.addAnnotation('eks.amazonaws.com/role-arn', credentials.roleArn);
  }
  if (credentials.secretName !== undefined) {
    container.mount(dir, kplus.Volume.fromSecret(scope, 'AwsCredentialsVolume', kplus.Secret.fromSecretName(scope, 'AwsCredentials', credentials.secretName), {
      name: 'aws-credentials', items: { credentials: { path: 'credentials' } },
    }), { readOnly: true });
    container.env.addVariable('AWS_SHARED_CREDENTIALS_FILE', kplus.EnvValue.fromValue(`${dir}/credentials`));
  }
}
