import type { Options, StoredRecord, TokenStore } from './token-store.js';

function checkSignal(options?: Options): void {
  options?.signal?.throwIfAborted();
}

/**
 * {@link TokenStore} in this process's memory: the default. Shared by every manager that is given
 * the same instance; `subscribe` tells them of each other's changes. Lost when the process exits.
 */
export class MemoryTokenStore implements TokenStore {
  readonly #records = new Map<string, StoredRecord>();
  readonly #listeners = new Map<string, (() => void)[]>();

  /** The record under `key`, or undefined. */
  async get(key: string, options?: Options): Promise<StoredRecord | undefined> {
    checkSignal(options);
    const record = this.#records.get(key);
    return record === undefined ? undefined : { ...record };
  }

  /** Writes when the current version equals `expectedVersion` (undefined: key absent). */
  async compareAndSet(key: string, expectedVersion: string | undefined, record: StoredRecord, options?: Options): Promise<boolean> {
    checkSignal(options);
    if (this.#records.get(key)?.version !== expectedVersion) return false;
    this.#records.set(key, { version: record.version, data: record.data });
    this.#notify(key);
    return true;
  }

  /** Deletes when the current version equals `expectedVersion`, when one is given. */
  async delete(key: string, expectedVersion?: string, options?: Options): Promise<boolean> {
    checkSignal(options);
    const current = this.#records.get(key);
    if (current === undefined) return false;
    if (expectedVersion !== undefined && current.version !== expectedVersion) return false;
    this.#records.delete(key);
    this.#notify(key);
    return true;
  }

  /** Keys that start with `prefix`. */
  async *list(prefix: string, options?: Options): AsyncIterable<string> {
    checkSignal(options);
    for (const key of [...this.#records.keys()]) if (key.startsWith(prefix)) yield key;
  }

  /** Calls `onChange` after every write or delete of `key`. */
  async subscribe(key: string, onChange: () => void): Promise<() => Promise<void>> {
    // An array per key: most keys have one listener, and an array costs less memory than a Set.
    let list = this.#listeners.get(key);
    if (list === undefined) this.#listeners.set(key, (list = []));
    list.push(onChange);
    return async () => {
      const at = list.indexOf(onChange);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0 && this.#listeners.get(key) === list) this.#listeners.delete(key);
    };
  }

  /** Drops every listener. */
  async close(): Promise<void> {
    this.#listeners.clear();
  }

  #notify(key: string): void {
    const set = this.#listeners.get(key);
    if (set === undefined) return;
    for (const listener of [...set]) {
      queueMicrotask(() => {
        try {
          listener();
        } catch {
          // A listener's failure is its own.
        }
      });
    }
  }
}
