import { ConfigurationError } from '@ads-token/core';

/** Checks a `keyPrefix` option: braces would change the Redis Cluster hash tag of every key. */
export function checkKeyPrefix(prefix: string | undefined): string {
  const value = prefix ?? '';
  if (typeof value !== 'string') throw new ConfigurationError('keyPrefix must be a string');
  if (/[{}]/.test(value)) throw new ConfigurationError('keyPrefix must not contain "{" or "}" (they would change the Cluster hash tag)');
  return value;
}

/** Escapes glob characters so `text` matches itself in a SCAN MATCH pattern. */
export function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
}
