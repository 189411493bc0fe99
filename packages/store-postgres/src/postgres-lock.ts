import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  ConfigurationError,
  StoreUnavailableError,
  keepLease,
  waitForLock,
  type LeaseKeeper,
  type Lock,
  type LockAcquireOptions,
  type LockLease,
  type Options,
} from '@ads-token/core';
import { boundedQuery } from './bounded-query.js';
import { checkedMs } from './checked-ms.js';
import { serializedDdl } from './creation-lock.js';
import { checkChannel } from './identifiers.js';
import { DEFAULT_LOCK_TABLE, lockStatements, lockTableSql, type LockStatements, type LockTableName } from './lock-table.js';
import { NotificationHub } from './notification-hub.js';
import type { PgListenClient, PgPoolLike, PgQueryResult } from './pg-types.js';

/**
 * A held {@link PostgresLock} lease: renewed every ttl/3; `signal` aborts with `LockTimeoutError`
 * once renewal has not succeeded by the local deadline (this process's monotonic clock, from when
 * the acquiring statement was sent), or the row was taken over or deleted.
 */
export type PostgresLockLease = LeaseKeeper;

/** Options for {@link PostgresLock}. */
export interface PostgresLockOptions extends LockTableName {
  /** Your node-postgres (v8) `Pool`; a transaction-pooling proxy in front of it is fine. The lock never ends it. */
  pool: PgPoolLike;
  /**
   * NOTIFY channel on which a release wakes waiters.
   * @default '<schema>.<table>:released'
   */
  channel?: string;
  /**
   * Each statement fails after this many milliseconds (StoreUnavailableError while acquiring).
   * @default 2000
   */
  operationTimeoutMs?: number;
  /**
   * Longest wait between attempts while the lock is held elsewhere; a release notification wakes
   * waiters sooner. Bounds how late a waiter notices a lease that expired.
   * @default 250
   */
  pollIntervalMs?: number;
  /**
   * Opens the one connection waiters LISTEN on for releases. LISTEN needs a session: through a
   * transaction-pooling proxy, return a direct connection here (without one, waiters still wake by
   * polling).
   * @default checks one connection out of `pool` while anyone waits (and destroys it on close)
   */
  listenConnection?: () => Promise<PgListenClient>;
}

/**
 * {@link Lock} as lease rows in PostgreSQL: acquire inserts a row with a random owner token and an
 * expiry on the database's clock (`now()` + ttl), or takes over an expired one, in one statement;
 * the lease is renewed every ttl/3 while held and released by deleting the owner's row, which
 * NOTIFYs waiters (a bounded poll is the backstop). Every statement stands alone, so no session
 * state is held: it works through transaction-pooling proxies.
 */
export class PostgresLock implements Lock {
  readonly #pool: PgPoolLike;
  readonly #name: Required<LockTableName>;
  readonly #sql: LockStatements;
  readonly #timeoutMs: number;
  readonly #pollMs: number;
  readonly #hub: NotificationHub;
  readonly #leases = new Set<PostgresLockLease>();
  readonly #releasing = new Set<Promise<void>>();
  readonly #closing = new AbortController();
  readonly #channel: string;

  /** Checks the options; opens no connection until the first statement or waiter. */
  constructor(options: PostgresLockOptions) {
    const pool = options.pool;
    if (pool === null || typeof pool !== 'object' || typeof pool.query !== 'function' || typeof pool.connect !== 'function') {
      throw new ConfigurationError('PostgresLock needs { pool }: a node-postgres Pool');
    }
    this.#pool = pool;
    this.#name = { schema: options.schema ?? 'public', table: options.table ?? DEFAULT_LOCK_TABLE };
    this.#sql = lockStatements(this.#name);
    this.#channel = checkChannel(options.channel ?? `${this.#name.schema}.${this.#name.table}:released`, 'channel');
    this.#timeoutMs = checkedMs(options.operationTimeoutMs, 2000, 'operationTimeoutMs');
    this.#pollMs = checkedMs(options.pollIntervalMs, 250, 'pollIntervalMs');
    this.#hub = new NotificationHub({
      open: options.listenConnection ?? (() => pool.connect()),
      channel: this.#channel,
      timeoutMs: this.#timeoutMs,
      heartbeatMs: 15_000,
      lingerMs: 5_000,
    });
    // Every pending acquire listens for close().
    setMaxListeners(0, this.#closing.signal);
  }

  /** Creates the lease table when it does not exist (safe to run from many processes at once). */
  async createTable(options?: Options): Promise<void> {
    await boundedQuery('CREATE TABLE', { timeoutMs: this.#timeoutMs, signal: options?.signal }, () =>
      this.#pool.query(serializedDdl(lockTableSql(this.#name))),
    );
  }

  /** Takes `key`, waiting up to `waitMs`; LockTimeoutError after that, StoreUnavailableError when PostgreSQL fails. */
  async acquire(key: string, options: LockAcquireOptions): Promise<LockLease> {
    const { waitMs, signal } = options;
    signal?.throwIfAborted();
    if (!(options.ttlMs >= 1) || !Number.isFinite(options.ttlMs)) throw new ConfigurationError('ttlMs must be a positive number of milliseconds');
    const ttlMs = Math.ceil(options.ttlMs);
    if (this.#closing.signal.aborted) throw new StoreUnavailableError('The PostgresLock was closed');
    const owner = randomBytes(16).toString('hex');
    const combined = signal ? AbortSignal.any([signal, this.#closing.signal]) : this.#closing.signal;
    // The statement in flight when a wait is abandoned may still take the lock on the server.
    let inFlight: Promise<PgQueryResult> | undefined;
    try {
      return await waitForLock<LockLease>({
        key,
        waitMs,
        signal: combined,
        pollIntervalMs: this.#pollMs,
        attempt: async () => {
          const sentAt = performance.now();
          const result = await boundedQuery('lock acquire', { timeoutMs: this.#timeoutMs, signal: combined }, () =>
            (inFlight = this.#pool.query(this.#sql.acquire, [key, owner, ttlMs])),
          );
          inFlight = undefined;
          return result.rowCount === 1 ? this.#keep(key, owner, ttlMs, sentAt) : undefined;
        },
        // Woken by the release NOTIFY; tried again as soon as the LISTEN is live.
        subscribe: (wake) => this.#hub.add(key, wake),
      });
    } catch (error) {
      // An abandoned attempt that took the lock after all must not leave a lock nobody holds.
      if (inFlight !== undefined) {
        const late = inFlight.then((result) =>
          result.rowCount === 1 ? this.#pool.query(this.#sql.release, [key, owner, this.#channel]) : undefined,
        );
        void this.#track(boundedQuery('lock release', { timeoutMs: this.#timeoutMs * 2 }, () => late));
      }
      if (this.#closing.signal.aborted && !(signal?.aborted ?? false)) throw new StoreUnavailableError('The PostgresLock was closed');
      throw error;
    }
  }

  /**
   * Keeps a lease whose acquiring statement was sent at `sentAt`: renewed with
   * `expires_at = now() + ttl` where the owner token still matches, released by deleting the
   * owner's row (which NOTIFYs waiters; `close()` waits for the release).
   */
  #keep(key: string, owner: string, ttlMs: number, sentAt: number): PostgresLockLease {
    const timeoutMs = this.#timeoutMs;
    const lease: PostgresLockLease = keepLease({
      key,
      ttlMs,
      sentAt,
      renew: async (leftMs) => {
        const result = await boundedQuery('lock renewal', { timeoutMs: Math.max(1, Math.min(timeoutMs, leftMs)) }, () =>
          this.#pool.query(this.#sql.renew, [key, owner, ttlMs]),
        );
        return result.rowCount === 1;
      },
      release: () => this.#track(boundedQuery('lock release', { timeoutMs }, () => this.#pool.query(this.#sql.release, [key, owner, this.#channel]))),
      onEnd: () => this.#leases.delete(lease),
    });
    this.#leases.add(lease);
    return lease;
  }

  /** Releases every lease this lock holds, ends pending waits, waits for releases in flight and closes the listening connection. */
  async close(): Promise<void> {
    this.#closing.abort();
    await Promise.all([...this.#leases].map((lease) => lease.release()));
    await Promise.all([...this.#releasing]);
    await this.#hub.close();
  }

  /** Settles when `pending` does (never rejects); until then `close()` waits for it. */
  #track(pending: Promise<unknown>): Promise<void> {
    const settled = pending.then(
      () => undefined,
      () => undefined,
    );
    this.#releasing.add(settled);
    void settled.then(() => this.#releasing.delete(settled));
    return settled;
  }
}
