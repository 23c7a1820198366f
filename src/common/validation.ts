import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

/** RFC 1123 label: what Kubernetes accepts for most object names and for label-like fields. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain: dot-separated labels, at most 253 characters. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Throws unless `value` is a valid RFC 1123 DNS label of at most `maxLength` characters.
 *
 * Names that become Service names or StatefulSet pod hostnames must be labels, and a
 * StatefulSet name leaves room for the `-<ordinal>` suffix and the
 * `controller-revision-hash` label (63 - 11 = 52 characters).
 */
export function validateDnsLabel(prop: string, value: string, maxLength = 63): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || !DNS_LABEL.test(value)) {
    throw new Error(
      `${prop} must be a lowercase RFC 1123 label of at most ${maxLength} characters ` +
      `(a-z, 0-9 and '-', starting and ending with a letter or digit), got ${JSON.stringify(value)}`,
    );
  }
}

/**
 * Throws unless `value` can name a Kubernetes cluster in the documents
 * (`orchestrator.cluster.name`): letters, digits, `.`, `_` and `-`, at most 100, as the
 * managed services name clusters (EKS allows upper case and `_`).
 */
export function validateClusterName(prop: string, value: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(value)) {
    throw new Error(`${prop} must be 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Throws unless `value` is a valid RFC 1123 DNS subdomain (StorageClass, PriorityClass names). */
export function validateDnsSubdomain(prop: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw new Error(
      `${prop} must be a lowercase RFC 1123 subdomain of at most 253 characters ` +
      `(labels of a-z, 0-9 and '-' separated by '.'), got ${JSON.stringify(value)}`,
    );
  }
}

/** The name part of a label key, and a label value: at most 63 alphanumerics, '-', '_' and '.', alphanumeric at both ends. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/**
 * Throws unless `key` is a Kubernetes label key: an optional DNS-subdomain prefix and
 * `/`, then a name of at most 63 characters.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */
export function validateLabelKey(prop: string, key: string): void {
  const slash = typeof key === 'string' ? key.lastIndexOf('/') : -1;
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = typeof key === 'string' ? key.slice(slash + 1) : '';
  if (typeof key !== 'string' || !LABEL_NAME.test(name) || (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))) {
    throw new Error(
      `${prop} must be a label key (an optional DNS-subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.'), got ${JSON.stringify(key)}`,
    );
  }
}

/** Throws unless `value` is a Kubernetes label value (empty, or at most 63 letters, digits, '-', '_' or '.'). */
export function validateLabelValue(prop: string, value: string): void {
  if (typeof value !== 'string' || (value !== '' && !LABEL_NAME.test(value))) {
    throw new Error(`${prop} must be a label value (empty, or at most 63 letters, digits, '-', '_' or '.', alphanumeric at both ends), got ${JSON.stringify(value)}`);
  }
}

/** Throws unless `name` is an environment variable name: letters, digits or `_`, not starting with a digit. */
export function validateEnvName(prop: string, name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name ?? '')) {
    throw new Error(`${prop} must be letters, digits or '_', got ${JSON.stringify(name)}`);
  }
}

/** Throws unless `value` is an integer within [min, max]. */
export function validateInteger(prop: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw new Error(`${prop} must be an integer ${range}, got ${JSON.stringify(value)}`);
  }
}

/** Whole bytes in a Size, or NaN when it is not a positive, finite, whole number of bytes. */
export function sizeInBytes(size: Size): number {
  const kib = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  const bytes = kib * 1024;
  return Number.isFinite(bytes) && bytes > 0 && Number.isInteger(bytes) ? bytes : NaN;
}

/** A value as a message shows it: JSON, or the class name of an object JSON cannot show. */
export function describeValue(value: unknown): string {
  if (value !== null && typeof value === 'object' && value.constructor !== Object && !Array.isArray(value)) return `a ${value.constructor?.name ?? 'object'}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Throws unless `value` is an instance of `type`: JavaScript and JSON callers have no
 * type checker, and a string or plain object in place of an object of the library
 * must never turn into a quietly different manifest.
 */
export function validateInstance(prop: string, value: unknown, type: ClassRef, example: string): void {
  if (value === null || typeof value !== 'object' || !Object.prototype.isPrototypeOf.call(type.prototype, value)) {
    throw new Error(`${prop} must be a ${type.name} (${example}), got ${describeValue(value)}`);
  }
}

/** A class, private constructor or not. */
export interface ClassRef {
  readonly name: string;
  readonly prototype: object;
}

/** Throws unless `values` is a list of instances of `type`. */
export function validateInstances(prop: string, values: unknown, type: ClassRef, example: string): void {
  if (!Array.isArray(values)) throw new Error(`${prop} must be a list of ${type.name} objects (${example}), got ${describeValue(values)}`);
  values.forEach((value, i) => validateInstance(`${prop}[${i}]`, value, type, example));
}

/** Throws unless `duration` is a cdk8s Duration (checked by shape: an app may load its own copy of cdk8s). */
export function validateDuration(prop: string, duration: Duration): Duration {
  if (duration === null || typeof duration !== 'object' || typeof (duration as Duration).toSeconds !== 'function') {
    throw new Error(`${prop} must be a cdk8s Duration such as Duration.seconds(5), got ${describeValue(duration)}`);
  }
  return duration;
}

/**
 * Throws unless `cpu` is a cdk8s-plus Cpu of more than nothing (a request of 0 gives
 * the pod no CPU share under contention); returns it.
 */
export function validateCpu(prop: string, cpu: kplus.Cpu): kplus.Cpu {
  const amount = cpu !== null && typeof cpu === 'object' ? (cpu as kplus.Cpu).amount : undefined;
  const match = typeof amount === 'string' ? /^(\d+(?:\.\d+)?)(m?)$/.exec(amount) : null;
  if (!match) throw new Error(`${prop} must be a cdk8s-plus Cpu such as kplus.Cpu.millis(500), got ${describeValue(cpu)}`);
  if (Number(match[1]) <= 0) throw new Error(`${prop} must be more than 0 cores (a request of 0 gets no CPU under contention), got ${amount}`);
  return cpu;
}

/** Throws unless the size is a positive, finite, whole number of bytes; returns the bytes. */
export function validateSize(prop: string, size: Size): number {
  if (!size || typeof size.toKibibytes !== 'function') {
    throw new Error(`${prop} must be a cdk8s Size such as Size.gibibytes(30), got ${describeValue(size)}`);
  }
  const bytes = sizeInBytes(size);
  if (Number.isNaN(bytes)) {
    throw new Error(
      `${prop} must be a positive, whole number of bytes such as Size.gibibytes(30), got ${size.asString()}`,
    );
  }
  return bytes;
}

/**
 * Throws unless the size is valid and at least `minimumMebibytes` (a memory limit a
 * program can start in); `why` says what needs that much.
 */
export function validateMinimumSize(prop: string, size: Size, minimumMebibytes: number, why = ''): void {
  if (validateSize(prop, size) < minimumMebibytes * 1024 ** 2) {
    throw new Error(`${prop} must be at least ${minimumMebibytes} MiB${why ? ` (${why})` : ''}, got ${size.asString()}`);
  }
}

/**
 * A Kubernetes quantity for a size, in the largest binary unit that keeps it whole
 * (`30Gi`, `1536Mi`, `512Ki`, or plain bytes).
 */
export function sizeToQuantity(prop: string, size: Size): string {
  const bytes = validateSize(prop, size);
  for (const [unit, factor] of [['Ti', 1024 ** 4], ['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]] as const) {
    if (bytes % factor === 0) {
      return `${bytes / factor}${unit}`;
    }
  }
  return `${bytes}`;
}

/**
 * Flattens a settings map to dotted keys (`{ a: { b: 1 } }` becomes `a.b`), as
 * Elasticsearch and Kibana read their YAML, dropping `undefined` values.
 */
export function flattenSettings(settings: { [key: string]: any }, prefix = ''): { [key: string]: any } {
  const flat: { [key: string]: any } = {};
  for (const [key, value] of Object.entries(settings ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value === undefined) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      Object.assign(flat, flattenSettings(value, path));
    } else {
      flat[path] = value;
    }
  }
  return flat;
}

/**
 * Secrets never go into a ConfigMap: setting names that carry them are refused
 * (passwords, tokens, API, access, private, session, signing and encryption keys, a
 * client's `key` such as `azure.client.*.key`, credentials files).
 */
const SECRET_SETTING = /(password|passphrase|passwd|secret|token|api_?key|access_?key|private_?key|encryption_?key|session_?key|signing_?key|credential|keyrotation|(^|[._])key$|sas$)/i;

/**
 * Validates free-form settings: none may set a key the construct manages (or a key
 * under one), and none may carry a secret. Returns them flattened.
 */
export function validateSettings(prop: string, settings: { [key: string]: any } | undefined,
  managed: string[], managedPrefixes: string[] = [], secretHint = 'an environment variable from a Secret, read as ${NAME}'): { [key: string]: any } {
  const flat = flattenSettings(settings ?? {});
  for (const key of Object.keys(flat)) {
    const owner = managed.find((m) => key === m || key.startsWith(m + '.')) ?? managedPrefixes.find((p) => key.startsWith(p));
    if (owner !== undefined) {
      throw new Error(`${prop} must not set ${JSON.stringify(key)}: the construct manages ${JSON.stringify(owner)}; use the matching prop instead`);
    }
    if (SECRET_SETTING.test(key)) {
      throw new Error(
        `${prop} must not set ${JSON.stringify(key)}: it holds a secret, and settings are rendered into a ConfigMap; a secret must ` +
        `reach the container from a Secret, never a literal (${secretHint})`,
      );
    }
  }
  return flat;
}

/**
 * Throws unless `image` names a tag or digest other than `latest`, so that every
 * deployment runs the same bits.
 */
export function validateImage(prop: string, image: string): void {
  const tag = /^[^@]+:([\w][\w.-]{0,127})$/.exec(image ?? '')?.[1];
  const digest = /@sha256:[a-f0-9]{64}$/.test(image ?? '');
  const lastSlash = (image ?? '').lastIndexOf('/');
  const hasTag = tag !== undefined && (image.lastIndexOf(':') > lastSlash);
  if (!digest && (!hasTag || tag === 'latest')) {
    throw new Error(`${prop} must be pinned to a tag other than latest or to a digest, e.g. "repo/name:1.2.3", got ${JSON.stringify(image)}`);
  }
}

/** Throws unless `repository` is an image repository without a tag or digest. */
export function validateImageRepository(prop: string, repository: string): void {
  const lastSlash = (repository ?? '').lastIndexOf('/');
  if (!repository || /\s/.test(repository) || repository.includes('@') || repository.lastIndexOf(':') > lastSlash) {
    throw new Error(`${prop} must be a repository without a tag or digest (the version is the tag), got ${JSON.stringify(repository)}`);
  }
}
