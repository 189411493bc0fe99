import { createHash } from 'node:crypto';

/** A safe, unique file name for a lock key: a readable part plus a SHA-256 prefix of the whole key. */
export function lockFileName(key: string): string {
  const readable = key.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 48);
  const hash = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32);
  return `${readable}${readable ? '.' : ''}${hash}.lock`;
}
