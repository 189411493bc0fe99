/** A held lock. */
export interface LockLease {
  /** Aborts when the lease is lost (expired without renewal, or taken over). */
  readonly signal: AbortSignal;
  /** Releases the lock; harmless when the lease was already lost. */
  release(): Promise<void>;
}

/** Options for {@link Lock.acquire}. */
export interface LockAcquireOptions {
  /** How long the lease lives unless renewed by the lock while held. */
  ttlMs: number;
  /** How long to wait for the lock before throwing `LockTimeoutError`. */
  waitMs: number;
  /** Aborts the wait. */
  signal?: AbortSignal;
}

/**
 * Mutual exclusion for refreshes. Implementations: `InProcessLock` (core), `FileLock`, `RedisLock`,
 * or your own (check it with `lockSuite` from `@ads-token/testing`).
 */
export interface Lock {
  /** Throws LockTimeoutError after waitMs; the lease lives ttlMs unless renewed by the lock while held. */
  acquire(key: string, options: LockAcquireOptions): Promise<LockLease>;
  /** Releases connections and timers the lock holds. */
  close?(): Promise<void>;
}
