// map-token-store.ts
import type { Options, StoredRecord, TokenStore } from '@ads-token/core';

/** The data every store instance shares, as a database would be. */
export class MapBackend {
  readonly records = new Map<string, StoredRecord>();
  readonly listeners = new Map<string, Set<() => void>>();

  changed(key: string): void {
    for (const listener of this.listeners.get(key) ?? []) queueMicrotask(listener);
  }
}

/** A TokenStore over a MapBackend. */
export class MapTokenStore implements TokenStore {
  readonly #backend: MapBackend;

  constructor(backend: MapBackend) {
    this.#backend = backend;
  }

  async get(key: string, options?: Options): Promise<StoredRecord | undefined> {
    options?.signal?.throwIfAborted();
    const record = this.#backend.records.get(key);
    return record === undefined ? undefined : { version: record.version, data: record.data };
  }

  async compareAndSet(key: string, expectedVersion: string | undefined, record: StoredRecord, options?: Options): Promise<boolean> {
    options?.signal?.throwIfAborted();
    // Check and write with no await in between: atomic within one JavaScript thread.
    if (this.#backend.records.get(key)?.version !== expectedVersion) return false;
    this.#backend.records.set(key, { version: record.version, data: record.data });
    this.#backend.changed(key);
    return true;
  }

  async delete(key: string, expectedVersion?: string, options?: Options): Promise<boolean> {
    options?.signal?.throwIfAborted();
    const current = this.#backend.records.get(key);
    if (current === undefined || (expectedVersion !== undefined && current.version !== expectedVersion)) return false;
    this.#backend.records.delete(key);
    this.#backend.changed(key);
    return true;
  }

  async *list(prefix: string, options?: Options): AsyncIterable<string> {
    options?.signal?.throwIfAborted();
    for (const key of [...this.#backend.records.keys()]) if (key.startsWith(prefix)) yield key;
  }

  async subscribe(key: string, onChange: () => void): Promise<() => Promise<void>> {
    let set = this.#backend.listeners.get(key);
    if (set === undefined) this.#backend.listeners.set(key, (set = new Set()));
    const listener = (): void => onChange();
    set.add(listener);
    return async () => {
      set.delete(listener);
    };
  }

  async close(): Promise<void> {}
}
