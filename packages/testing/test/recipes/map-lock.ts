// map-lock.ts
import { boundedOperation, keepLease, waitForLock, type Lock, type LockAcquireOptions, type LockLease } from '@ads-token/core';

/** Lease entries shared by every MapLock over it: stands for your database (one process only). */
export class MapLeaseBackend {
  readonly leases = new Map<string, { owner: string; expiresAt: number }>();
  readonly #listeners = new Set<(key: string) => void>();

  /** Takes `key` for `owner` when it is free or expired (the backend's clock); true when taken. */
  async take(key: string, owner: string, ttlMs: number): Promise<boolean> {
    await Promise.resolve(); // a round trip
    const held = this.leases.get(key);
    if (held !== undefined && held.expiresAt > performance.now()) return false;
    this.leases.set(key, { owner, expiresAt: performance.now() + ttlMs });
    return true;
  }

  /** Extends `owner`'s lease on `key`; false when another owner (or nobody) holds it. */
  async extend(key: string, owner: string, ttlMs: number): Promise<boolean> {
    await Promise.resolve();
    const held = this.leases.get(key);
    if (held?.owner !== owner) return false;
    held.expiresAt = performance.now() + ttlMs;
    return true;
  }

  /** Deletes `owner`'s lease on `key` and tells waiters; leaves another owner's alone. */
  async delete(key: string, owner: string): Promise<void> {
    await Promise.resolve();
    if (this.leases.get(key)?.owner !== owner) return;
    this.leases.delete(key);
    for (const listener of this.#listeners) listener(key);
  }

  /** Calls `listener` with every released key until the returned function is called. */
  onRelease(listener: (key: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** A Lock made of core's building blocks: the backend only answers take, extend and delete. */
export class MapLock implements Lock {
  readonly #backend: MapLeaseBackend;

  constructor(backend: MapLeaseBackend) {
    this.#backend = backend;
  }

  async acquire(key: string, { ttlMs, waitMs, signal }: LockAcquireOptions): Promise<LockLease> {
    signal?.throwIfAborted();
    const backend = this.#backend;
    const owner = crypto.randomUUID();
    const timeoutMs = 2000; // per backend call
    return waitForLock({
      key,
      waitMs,
      signal,
      pollIntervalMs: 250,
      attempt: async () => {
        const sentAt = performance.now();
        const taken = await boundedOperation('Map lock acquire', { timeoutMs }, () => backend.take(key, owner, ttlMs));
        if (!taken) return undefined;
        if (signal?.aborted === true) {
          // The caller left while the lock was being taken: give it back.
          await backend.delete(key, owner);
          throw signal.reason;
        }
        return keepLease({
          key,
          ttlMs,
          sentAt,
          renew: (leftMs) =>
            boundedOperation('Map lock renewal', { timeoutMs: Math.max(1, Math.min(timeoutMs, leftMs)) }, () => backend.extend(key, owner, ttlMs)),
          release: () => boundedOperation('Map lock release', { timeoutMs }, () => backend.delete(key, owner)),
        });
      },
      // Woken at once by a release; the poll is the backstop.
      subscribe: (wake) =>
        backend.onRelease((released) => {
          if (released === key) wake();
        }),
    });
  }
}
