import { createHash } from 'crypto';

/** A short, stable content hash (sha256, first 16 hex digits) for roll-on-change annotations. */
export function contentHash(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(part);
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}
