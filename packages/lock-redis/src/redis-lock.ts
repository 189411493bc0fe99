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
} from '@ads-token/core';
import {
  SubscriptionHub,
  boundedOperation,
  checkKeyPrefix,
  detectRedisConnection,
  runScript,
  type RedisClientLike,
  type RedisConnection,
} from '@ads-token/redis-common';
import { RELEASE, RENEW } from './lock-scripts.js';

/** Options for {@link RedisLock}. */
export interface RedisLockOptions {
  /** Your connected node-redis (v5+) or ioredis (v5+) client or cluster. The lock never closes it. */
  client: RedisClientLike;
  /**
   * Prepended to every lock key and channel, to share one Redis between apps. No braces.
   * @default ''
   */
  keyPrefix?: string;
  /**
   * Each Redis operation fails after this many milliseconds (StoreUnavailableError while acquiring).
   * @default 2000
   */
  operationTimeoutMs?: number;
  /**
   * Longest wait between attempts while the lock is held elsewhere; a release notification wakes
   * waiters sooner. Bounds how late a waiter notices a lock whose holder died.
   * @default 250
   */
  pollIntervalMs?: number;
}

const CHANNEL_SUFFIX = ':released';

/** A held {@link RedisLock} lease: renewed every ttl/3 by compare-and-PEXPIRE; `signal` aborts once renewal has not succeeded by the local deadline (monotonic clock), or the lock was taken over. */
export type RedisLockLease = LeaseKeeper;

/**
 * {@link Lock} in Redis: `SET NX PX` with a random owner token, renewed every ttl/3 while held,
 * released by compare-and-delete, waiters woken over pub/sub with a bounded poll as backstop.
 * Works with node-redis and ioredis, standalone and Cluster.
 */
export class RedisLock implements Lock {
  readonly #connection: RedisConnection;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #pollMs: number;
  readonly #hub: SubscriptionHub;
  readonly #leases = new Set<RedisLockLease>();
  readonly #closing = new AbortController();

  /** Wraps your client; opens no connection until a waiter subscribes to release notifications. */
  constructor(options: RedisLockOptions) {
    this.#connection = detectRedisConnection(options.client);
    this.#prefix = checkKeyPrefix(options.keyPrefix);
    this.#timeoutMs = options.operationTimeoutMs ?? 2000;
    this.#pollMs = options.pollIntervalMs ?? 250;
    if (!(this.#pollMs > 0)) throw new ConfigurationError('pollIntervalMs must be positive');
    this.#hub = new SubscriptionHub(this.#connection, this.#timeoutMs);
    // Every pending acquire listens for close().
    setMaxListeners(0, this.#closing.signal);
  }

  /** Takes `key`, waiting up to `waitMs`; LockTimeoutError after that, StoreUnavailableError when Redis fails. */
  async acquire(key: string, options: LockAcquireOptions): Promise<LockLease> {
    const { waitMs, signal } = options;
    signal?.throwIfAborted();
    if (!(options.ttlMs >= 1) || !Number.isFinite(options.ttlMs)) throw new ConfigurationError('ttlMs must be a positive number of milliseconds');
    const ttlMs = Math.ceil(options.ttlMs);
    if (this.#closing.signal.aborted) throw new StoreUnavailableError('The RedisLock was closed');
    const redisKey = this.#prefix + key;
    const channel = redisKey + CHANNEL_SUFFIX;
    const token = randomBytes(16).toString('hex');
    const combined = signal ? AbortSignal.any([signal, this.#closing.signal]) : this.#closing.signal;
    // The SET in flight when a wait is abandoned may still succeed on the server.
    let inFlight: Promise<unknown> | undefined;
    try {
      return await waitForLock<LockLease>({
        key,
        waitMs,
        signal: combined,
        pollIntervalMs: this.#pollMs,
        attempt: async () => {
          const sentAt = performance.now();
          const reply = await boundedOperation('lock SET NX', { timeoutMs: this.#timeoutMs, signal: combined }, () =>
            (inFlight = this.#connection.command(redisKey, ['SET', redisKey, token, 'NX', 'PX', String(ttlMs)])),
          );
          inFlight = undefined;
          return reply === null || reply === undefined ? undefined : this.#keep(key, redisKey, channel, token, ttlMs, sentAt);
        },
        // Woken by the release notification; tried again as soon as the subscription is live.
        subscribe: (wake) => this.#hub.add(channel, wake),
      });
    } catch (error) {
      // An abandoned SET that took the lock after all must not leave a lock nobody holds.
      inFlight
        ?.then((late) => (late === null || late === undefined ? undefined : runScript(this.#connection, RELEASE, [redisKey], [token, channel])))
        .catch(() => undefined);
      if (this.#closing.signal.aborted && !(signal?.aborted ?? false)) throw new StoreUnavailableError('The RedisLock was closed');
      throw error;
    }
  }

  /** Keeps a lease whose SET was sent at `sentAt`: renewed by compare-and-PEXPIRE, released by compare-and-delete (which wakes waiters). */
  #keep(key: string, redisKey: string, channel: string, token: string, ttlMs: number, sentAt: number): RedisLockLease {
    const timeoutMs = this.#timeoutMs;
    const lease: RedisLockLease = keepLease({
      key,
      ttlMs,
      sentAt,
      renew: async (leftMs) => {
        const reply = await boundedOperation('lock renewal', { timeoutMs: Math.max(1, Math.min(timeoutMs, leftMs)) }, () =>
          runScript(this.#connection, RENEW, [redisKey], [token, String(ttlMs)]),
        );
        return Number(reply) === 1;
      },
      release: () =>
        boundedOperation('lock release', { timeoutMs }, () => runScript(this.#connection, RELEASE, [redisKey], [token, channel])),
      onEnd: () => this.#leases.delete(lease),
    });
    this.#leases.add(lease);
    return lease;
  }

  /** Releases every lease this lock holds, ends pending waits and closes the subscriber connection. */
  async close(): Promise<void> {
    this.#closing.abort();
    await Promise.all([...this.#leases].map((lease) => lease.release()));
    await this.#hub.close();
  }
}
