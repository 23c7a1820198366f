import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { contentHash } from './hash';
import { applyPodTemplateExtras, dropAllCapabilities, unprivilegedContainer } from './pod';

/** Options of a setup Job. */
export interface SetupJobOptions {
  /** Name prefix; the Job is `<name>-<hash of its files>`, as a Job's pod spec cannot change. */
  readonly name: string;
  /** Image with bash and curl. */
  readonly image: string;
  /** User the image runs as. */
  readonly user: number;
  /** The script (run by bash) and the files it reads, by file name; mounted at /setup. */
  readonly files: { [file: string]: string };
  readonly labels: { [key: string]: string };
  /**
   * ServiceAccount whose token the pod mounts, for Jobs that call the Kubernetes API.
   * @default - none: no token is mounted
   */
  readonly serviceAccount?: kplus.IServiceAccount;
  /** Memory request and limit, in MiB. @default 64 */
  readonly memoryMebibytes?: number;
  /** Secrets mounted read-only, by mount path. */
  readonly secretMounts?: { [path: string]: SecretMount };
}

/** A Secret (some of its keys, or all) mounted into a setup Job. */
export interface SecretMount {
  readonly secretName: string;
  /** The keys to mount; all when unset. */
  readonly keys?: string[];
}

/**
 * A Job that runs `/setup/run.sh` once per content: idempotent API calls (PUTs and
 * an overwriting import) after waiting for the service it configures. Changing the
 * files changes the Job's name, so `kubectl apply` runs the new one; finished Jobs
 * are removed after a week.
 */
export function createSetupJob(scope: Construct, options: SetupJobOptions): kplus.Job {
  const hash = contentHash(...Object.entries(options.files).flat());
  const name = `${options.name}-${hash.slice(0, 10)}`;
  const configMap = new kplus.ConfigMap(scope, 'Files', { metadata: { name, labels: options.labels }, data: options.files });
  const job = new kplus.Job(scope, 'Job', {
    metadata: { name, labels: options.labels },
    podMetadata: { labels: options.labels },
    // Retries while the service starts; each attempt waits up to about ten minutes.
    backoffLimit: 20,
    activeDeadline: Duration.hours(6),
    ttlAfterFinished: Duration.days(7),
    restartPolicy: kplus.RestartPolicy.NEVER,
    serviceAccount: options.serviceAccount,
    automountServiceAccountToken: options.serviceAccount !== undefined,
    securityContext: { user: options.user, group: options.user, ensureNonRoot: true },
  });
  applyPodTemplateExtras(job);
  const container = job.addContainer({
    name: 'setup',
    image: options.image,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    command: ['bash', '/setup/run.sh'],
    resources: {
      cpu: { request: kplus.Cpu.millis(10) },
      memory: { request: Size.mebibytes(options.memoryMebibytes ?? 64), limit: Size.mebibytes(options.memoryMebibytes ?? 64) },
    },
    securityContext: unprivilegedContainer(options.user, true),
  });
  dropAllCapabilities(job, [0]);
  container.mount('/setup', kplus.Volume.fromConfigMap(scope, 'FilesVolume', configMap, { name: 'setup' }), { readOnly: true });
  container.mount('/tmp', kplus.Volume.fromEmptyDir(scope, 'TmpVolume', 'tmp'));
  Object.entries(options.secretMounts ?? {}).forEach(([path, mount], i) => {
    const secret = kplus.Secret.fromSecretName(scope, `MountedSecret${i}`, mount.secretName);
    const items = mount.keys && Object.fromEntries(mount.keys.map((key) => [key, { path: key }]));
    container.mount(path, kplus.Volume.fromSecret(scope, `SecretVolume${i}`, secret, { name: `secret-${i}`, items }), { readOnly: true });
  });
  return job;
}

/**
 * Bash that waits until `curl` of a URL succeeds (HTTP 2xx), for about ten minutes,
 * then fails the attempt (the Job retries).
 */
export function waitForUrlScript(what: string, url: string, curlOptions = ''): string {
  return [
    `for attempt in $(seq 1 120); do`,
    `  if curl ${curlOptions ? `${curlOptions} ` : ''}--silent --fail --max-time 10 --output /dev/null '${url}'; then break; fi`,
    `  if [ "$attempt" = 120 ]; then echo '${what} is not ready; the Job will retry' >&2; exit 1; fi`,
    `  echo 'waiting for ${what}'; sleep 5`,
    'done',
  ].join('\n');
}

/**
 * A double-quoted bash word: what `command` prints, escaped for a double-quoted value of
 * a curl config file (a backslash before each `\\` and `"`).
 */
export function curlConfigValue(command: string): string {
  return `"$(${command} | sed 's/[\\\\"]/\\\\&/g')"`;
}

/**
 * Bash that appends to a curl config file the `user` line of the `username` and `password`
 * files in `dir` (a mounted Secret), each escaped for curl's double-quoted values.
 */
export function basicCurlConfigScript(dir: string, configFile: string): string {
  return `printf 'user = "%s:%s"\\n' ${curlConfigValue(`cat ${dir}/username`)} ${curlConfigValue(`cat ${dir}/password`)} >> ${configFile}`;
}

/** Bash that starts a curl config file with the CA to trust. */
export function caCurlConfigScript(caFile: string, configFile: string): string {
  return `printf 'cacert = "%s"\\n' '${caFile}' > ${configFile}`;
}

/** Where setup Jobs that call a server as the `elastic` user mount its password. */
const ELASTIC_PASSWORD_DIR = '/elastic';

/** The mount of the `elastic` user's password Secret (its `password` key only). */
export function elasticPasswordMount(secretName: string): { [path: string]: SecretMount } {
  return { [ELASTIC_PASSWORD_DIR]: { secretName, keys: ['password'] } };
}

/**
 * Bash that writes a curl config file with the CA to trust and the `elastic` user's
 * credentials, read from {@link elasticPasswordMount}: passed with `--config`, it keeps
 * the password out of the process list. Run it after `umask 077`. The paths are
 * written into the printf format and the command as they are: no spaces, quotes or `%`.
 */
export function elasticCurlConfigScript(caFile: string, configFile: string): string {
  return `printf 'cacert = "${caFile}"\\nuser = "elastic:%s"\\n' "$(cat ${ELASTIC_PASSWORD_DIR}/password)" > ${configFile}`;
}
