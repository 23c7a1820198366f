import { Size, SizeRoundingBehavior } from 'cdk8s';

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

/** Throws unless `value` is a valid RFC 1123 DNS subdomain (StorageClass, PriorityClass names). */
export function validateDnsSubdomain(prop: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw new Error(
      `${prop} must be a lowercase RFC 1123 subdomain of at most 253 characters ` +
      `(labels of a-z, 0-9 and '-' separated by '.'), got ${JSON.stringify(value)}`,
    );
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

/** Throws unless the size is a positive, finite, whole number of bytes; returns the bytes. */
export function validateSize(prop: string, size: Size): number {
  if (!size || typeof size.toKibibytes !== 'function') {
    throw new Error(`${prop} must be a cdk8s Size such as Size.gibibytes(30), got ${JSON.stringify(size)}`);
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
