import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  ConfigurationError,
  LockTimeoutError,
  StoreUnavailableError,
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
import { RELEASE } from './lock-scripts.js';
import { RedisLockLease, type LeaseContext } from './redis-lock-lease.js';

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
  readonly #context: LeaseContext;

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
    this.#context = {
      connection: this.#connection,
      operationTimeoutMs: this.#timeoutMs,
      onEnd: (lease) => this.#leases.delete(lease),
    };
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
    const deadline = performance.now() + Math.max(0, waitMs);
    const wait = new Waiter();
    let subscription: Promise<(() => Promise<void>) | undefined> | undefined;
    const combined = signal ? AbortSignal.any([signal, this.#closing.signal]) : this.#closing.signal;
    // The SET in flight when a wait is abandoned may still succeed on the server.
    let inFlight: Promise<unknown> | undefined;
    try {
      for (;;) {
        wait.reset();
        const sentAt = performance.now();
        const reply = await boundedOperation('lock SET NX', { timeoutMs: this.#timeoutMs, signal: combined }, () =>
          (inFlight = this.#connection.command(redisKey, ['SET', redisKey, token, 'NX', 'PX', String(ttlMs)])),
        );
        inFlight = undefined;
        if (reply !== null && reply !== undefined) {
          const lease = new RedisLockLease(this.#context, key, redisKey, channel, token, ttlMs, sentAt);
          this.#leases.add(lease);
          return lease;
        }
        const remaining = deadline - performance.now();
        if (remaining <= 0) throw new LockTimeoutError(`Timed out after ${waitMs} ms waiting for lock ${key}`);
        if (subscription === undefined) {
          // Retry as soon as the subscription is live, so a release between SET and SUBSCRIBE is not missed.
          subscription = this.#hub.add(channel, () => wait.wake()).then(
            (unsubscribe) => {
              wait.wake();
              return unsubscribe;
            },
            () => undefined,
          );
        }
        await wait.sleep(Math.min(this.#pollMs, remaining), combined);
      }
    } catch (error) {
      // An abandoned SET that took the lock after all must not leave a lock nobody holds.
      inFlight
        ?.then((late) => (late === null || late === undefined ? undefined : runScript(this.#connection, RELEASE, [redisKey], [token, channel])))
        .catch(() => undefined);
      if (this.#closing.signal.aborted && !(signal?.aborted ?? false)) throw new StoreUnavailableError('The RedisLock was closed');
      throw error;
    } finally {
      wait.reset();
      if (subscription !== undefined) {
        void subscription.then((unsubscribe) => unsubscribe?.()).catch(() => undefined);
      }
    }
  }

  /** Releases every lease this lock holds, ends pending waits and closes the subscriber connection. */
  async close(): Promise<void> {
    this.#closing.abort();
    await Promise.all([...this.#leases].map((lease) => lease.release()));
    await this.#hub.close();
  }
}

/** One waiter's wake-up: a notification, the poll interval, or an abort, whichever comes first. */
class Waiter {
  #woken = false;
  #resolve: (() => void) | undefined;

  reset(): void {
    this.#woken = false;
  }

  wake(): void {
    this.#woken = true;
    const resolve = this.#resolve;
    this.#resolve = undefined;
    resolve?.();
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (this.#woken) return Promise.resolve();
    signal.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.#resolve = undefined;
      };
      const onAbort = (): void => {
        done();
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        done();
        resolve();
      }, ms);
      timer.unref();
      this.#resolve = () => {
        done();
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
