import { LockTimeoutError, type LockLease } from '@ads-token/core';
import { boundedQuery } from './bounded-query.js';
import type { LockStatements } from './lock-table.js';
import type { PgQueryable } from './pg-types.js';

/** What a lease needs from the lock that granted it. */
export interface LeaseContext {
  readonly pool: PgQueryable;
  readonly sql: LockStatements;
  readonly channel: string;
  readonly operationTimeoutMs: number;
  /** Called once when the lease ends (released or lost). */
  readonly onEnd: (lease: PostgresLockLease) => void;
  /** Keeps a release statement in flight known to the lock, so `close()` waits for it. */
  readonly track: (pending: Promise<unknown>) => Promise<void>;
}

/**
 * A held {@link PostgresLock} lease: renewed every ttl/3 (`expires_at = now() + ttl` where the
 * owner token still matches); `signal` aborts with `LockTimeoutError` once renewal has not
 * succeeded by the local deadline (measured on this process's monotonic clock from when the
 * acquiring statement was sent), or the row was taken over or deleted.
 */
export class PostgresLockLease implements LockLease {
  readonly #context: LeaseContext;
  readonly #key: string;
  readonly #owner: string;
  readonly #ttlMs: number;
  readonly #controller = new AbortController();
  #deadline: number;
  #renewTimer: ReturnType<typeof setTimeout> | undefined;
  #deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  #ended = false;
  #released = false;

  /** Starts renewal of a lease whose acquiring statement was sent at `sentAt` (performance.now()). */
  constructor(context: LeaseContext, key: string, owner: string, ttlMs: number, sentAt: number) {
    this.#context = context;
    this.#key = key;
    this.#owner = owner;
    this.#ttlMs = ttlMs;
    this.#deadline = sentAt + ttlMs;
    this.#armDeadline();
    this.#scheduleRenew(ttlMs / 3);
  }

  /** Aborts (reason: `LockTimeoutError`) when the lease is lost. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Deletes the lease row if this lease still owns it, and wakes waiters. Never throws: a failed release expires within ttl. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#end();
    const { pool, sql, channel, operationTimeoutMs, track } = this.#context;
    await track(boundedQuery('lock release', { timeoutMs: operationTimeoutMs }, () => pool.query(sql.release, [this.#key, this.#owner, channel])));
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#renewTimer);
    clearTimeout(this.#deadlineTimer);
    this.#context.onEnd(this);
  }

  #lose(cause?: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#end();
    this.#controller.abort(new LockTimeoutError(`Lock lease for ${this.#key} was lost`, cause === undefined ? undefined : { cause }));
  }

  #armDeadline(): void {
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = setTimeout(() => this.#lose(), Math.max(0, this.#deadline - performance.now()));
    this.#deadlineTimer.unref?.();
  }

  #scheduleRenew(delayMs: number): void {
    if (this.#ended) return;
    this.#renewTimer = setTimeout(() => {
      this.#renew().catch((error: unknown) => this.#lose(error));
    }, Math.max(1, delayMs));
    this.#renewTimer.unref?.();
  }

  async #renew(): Promise<void> {
    if (this.#ended) return;
    const { pool, sql, operationTimeoutMs } = this.#context;
    const sentAt = performance.now();
    const left = this.#deadline - sentAt;
    try {
      const result = await boundedQuery('lock renewal', { timeoutMs: Math.max(1, Math.min(operationTimeoutMs, left)) }, () =>
        pool.query(sql.renew, [this.#key, this.#owner, this.#ttlMs]),
      );
      if (this.#ended) return;
      if (result.rowCount !== 1) {
        this.#lose();
        return;
      }
      this.#deadline = sentAt + this.#ttlMs;
      this.#armDeadline();
      this.#scheduleRenew(this.#ttlMs / 3);
    } catch (error) {
      if (this.#ended) return;
      const remaining = this.#deadline - performance.now();
      if (remaining <= 0) this.#lose(error);
      else this.#scheduleRenew(Math.min(this.#ttlMs / 6, remaining / 2));
    }
  }
}
