/** Options every I/O method takes. */
export interface Options {
  /** Aborts the operation (only this caller's part of it). */
  signal?: AbortSignal;
}

/**
 * One stored record. `version` is an opaque string, unique for every write (the manager makes a
 * random one), so a compare-and-set can never be fooled by a key that was deleted and written again.
 * Both are one line of printable ASCII, so a `text`/`varchar` column or any string attribute holds
 * them exactly.
 */
export interface StoredRecord {
  /** Unique per write: base64url (`A-Z a-z 0-9 - _`), 22 characters when the manager makes it. Compare as an exact string. */
  version: string;
  /**
   * Sealed by core; opaque to the store. Only the characters `A-Z a-z 0-9 - _ .` (base64url fields
   * joined by dots), usually a few hundred bytes to a few KiB; store up to 64 KiB exactly.
   */
  data: string;
}

/**
 * Where sealed token records live. A store never expires or evicts a record by itself.
 * Implementations: `MemoryTokenStore` (core), `FileTokenStore`, `RedisTokenStore`, or your own
 * (check it with `tokenStoreSuite` from `@ads-token/testing`).
 */
export interface TokenStore {
  /** The record under `key`, or undefined when absent. */
  get(key: string, options?: Options): Promise<StoredRecord | undefined>;
  /** Writes only if the current version equals expectedVersion (undefined: key absent). false on conflict. */
  compareAndSet(
    key: string,
    expectedVersion: string | undefined,
    record: StoredRecord,
    options?: Options,
  ): Promise<boolean>;
  /** Deletes only if the current version equals expectedVersion, when one is given. true when a record was deleted. */
  delete(key: string, expectedVersion?: string, options?: Options): Promise<boolean>;
  /** Keys under a prefix (for status listings and many-grant apps). */
  list(prefix: string, options?: Options): AsyncIterable<string>;
  /** Optional: tell this process when another one changed a key. Resolves to unsubscribe. */
  subscribe?(key: string, onChange: () => void): Promise<() => Promise<void>>;
  /** Releases connections and timers the store holds. */
  close?(): Promise<void>;
}
