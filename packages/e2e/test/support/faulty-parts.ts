import { InProcessLock, MemoryTokenStore, type Lock, type LockAcquireOptions, type LockLease, type Options, type StoredRecord, type TokenStore } from '@ads-token/core';

type StoreOperation = 'get' | 'compareAndSet' | 'delete' | 'subscribe';

/** A store over a MemoryTokenStore that fails on command: the next N calls of an operation throw. */
export class FaultyStore implements TokenStore {
  readonly inner = new MemoryTokenStore();
  readonly #failures: Record<StoreOperation, number> = { get: 0, compareAndSet: 0, delete: 0, subscribe: 0 };
  #down = false;
  /** Calls seen per operation. */
  readonly calls: Record<StoreOperation, number> = { get: 0, compareAndSet: 0, delete: 0, subscribe: 0 };
  /** compareAndSet answers that apply the write but then throw (a reply lost after the write). */
  #writeThenThrow = 0;
  /** compareAndSet answers that report a conflict without writing. */
  #falseConflicts = 0;
  #failGetAfterConflict = false;

  /** The next `times` calls of `operation` throw. */
  fail(operation: StoreOperation, times = 1): void {
    this.#failures[operation] += times;
  }

  /** Forgets every queued failure. */
  heal(): void {
    for (const operation of Object.keys(this.#failures) as StoreOperation[]) this.#failures[operation] = 0;
    this.#writeThenThrow = 0;
    this.#falseConflicts = 0;
  }

  /** Every call throws until `up()`. */
  down(): void {
    this.#down = true;
  }

  up(): void {
    this.#down = false;
  }

  /** The next `times` compareAndSet calls write, then throw as if the reply was lost. */
  writeThenThrow(times = 1): void {
    this.#writeThenThrow += times;
  }

  /** The next `times` compareAndSet calls answer false without writing; with `thenFailGet`, the read after each one throws. */
  falseConflict(times = 1, options: { thenFailGet?: boolean } = {}): void {
    this.#falseConflicts += times;
    this.#failGetAfterConflict = options.thenFailGet ?? false;
  }

  #check(operation: StoreOperation): void {
    this.calls[operation]++;
    if (this.#down) throw new Error(`ECONNRESET: simulated store outage (${operation})`);
    if (this.#failures[operation] > 0) {
      this.#failures[operation]--;
      throw new Error(`ECONNRESET: simulated store failure (${operation})`);
    }
  }

  async get(key: string, options?: Options): Promise<StoredRecord | undefined> {
    this.#check('get');
    return this.inner.get(key, options);
  }

  async compareAndSet(key: string, expectedVersion: string | undefined, record: StoredRecord, options?: Options): Promise<boolean> {
    this.#check('compareAndSet');
    if (this.#falseConflicts > 0) {
      this.#falseConflicts--;
      if (this.#failGetAfterConflict) this.#failures.get++;
      return false;
    }
    const written = await this.inner.compareAndSet(key, expectedVersion, record, options);
    if (this.#writeThenThrow > 0) {
      this.#writeThenThrow--;
      throw new Error('ECONNRESET: simulated reply lost after the write');
    }
    return written;
  }

  async delete(key: string, expectedVersion?: string, options?: Options): Promise<boolean> {
    this.#check('delete');
    return this.inner.delete(key, expectedVersion, options);
  }

  list(prefix: string, options?: Options): AsyncIterable<string> {
    return this.inner.list(prefix, options);
  }

  async subscribe(key: string, onChange: () => void): Promise<() => Promise<void>> {
    this.#check('subscribe');
    return this.inner.subscribe(key, onChange);
  }
}

/**
 * An InProcessLock whose current leases can be lost on command: their signal aborts and the lock
 * is free for the next holder at once, while the old holder may still be working (as when a
 * lease expires under a paused process).
 */
export class LosableLock implements Lock {
  readonly #inner = new InProcessLock();
  readonly #held = new Map<AbortController, LockLease>();
  /** Leases granted so far. */
  granted = 0;
  /** Leases released by their holders so far. */
  released = 0;

  async acquire(key: string, options: LockAcquireOptions): Promise<LockLease> {
    const lease = await this.#inner.acquire(key, options);
    const lost = new AbortController();
    this.#held.set(lost, lease);
    this.granted++;
    return {
      signal: lost.signal,
      release: async () => {
        this.released++;
        if (this.#held.delete(lost)) await lease.release();
      },
    };
  }

  /** Every lease held now is lost, and the lock is free. */
  loseLeases(): void {
    for (const [lost, lease] of this.#held) {
      this.#held.delete(lost);
      lost.abort(new Error('simulated lease loss'));
      void lease.release();
    }
  }

  /** Leases granted and not released by their holders. */
  get held(): number {
    return this.granted - this.released;
  }
}
