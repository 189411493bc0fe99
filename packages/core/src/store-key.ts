/** Prefix of every key core writes. */
export const STORE_KEY_PREFIX = 'ads-token:v1:';

/** Escapes an id so that no two (clientId, grantId) pairs make the same key: `%`, `:`, `{`, `}` are percent-encoded. */
export function escapeKeyPart(id: string): string {
  return id.replace(/[%:{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Reverses {@link escapeKeyPart}. */
export function unescapeKeyPart(id: string): string {
  return id.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The store key of one grant: `ads-token:v1:{<clientId>:<grantId>}`. The braces are a Redis Cluster
 * hash tag, so every key of a grant lands on one slot.
 */
export function storeKey(clientId: string, grantId: string): string {
  return `${STORE_KEY_PREFIX}{${escapeKeyPart(clientId)}:${escapeKeyPart(grantId)}}`;
}

/** The prefix under which every grant of one client id is stored (for `list`). */
export function storeKeyPrefix(clientId: string): string {
  return `${STORE_KEY_PREFIX}{${escapeKeyPart(clientId)}:`;
}

/** Splits a key made by {@link storeKey} into its ids; undefined for any other string. */
export function parseStoreKey(key: string): { clientId: string; grantId: string } | undefined {
  const m = /^ads-token:v1:\{([^:{}]*):([^:{}]*)\}$/.exec(key);
  if (!m) return undefined;
  return { clientId: unescapeKeyPart(m[1]!), grantId: unescapeKeyPart(m[2]!) };
}

/**
 * The store key of a record an app shares across its grants (say, a profile directory):
 * `ads-token:v1:shared:{<clientId>}:<name>`. It never matches {@link storeKeyPrefix}, so grant
 * listings skip it.
 */
export function sharedRecordKey(clientId: string, name: string): string {
  return `${STORE_KEY_PREFIX}shared:{${escapeKeyPart(clientId)}}:${escapeKeyPart(name)}`;
}
