import { LockTimeoutError, type LockLease } from '@ads-token/core';
import { boundedOperation, runScript, type RedisConnection } from '@ads-token/redis-common';
import { RELEASE, RENEW } from './lock-scripts.js';

/** What a lease needs from the lock that granted it. */
export interface LeaseContext {
  readonly connection: RedisConnection;
  readonly operationTimeoutMs: number;
  /** Called once when the lease ends (released or lost). */
  readonly onEnd: (lease: RedisLockLease) => void;
}

/**
 * A held {@link RedisLock} lease: renewed every ttl/3 by compare-and-PEXPIRE; `signal` aborts once
 * renewal has not succeeded by the local deadline (monotonic clock), or the lock was taken over.
 */
export class RedisLockLease implements LockLease {
  readonly #context: LeaseContext;
  readonly #key: string;
  readonly #redisKey: string;
  readonly #channel: string;
  readonly #token: string;
  readonly #ttlMs: number;
  readonly #controller = new AbortController();
  #deadline: number;
  #renewTimer: ReturnType<typeof setTimeout> | undefined;
  #deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  #ended = false;
  #released = false;

  /** Starts renewal of a lease whose SET was sent at `sentAt` (performance.now()). */
  constructor(context: LeaseContext, key: string, redisKey: string, channel: string, token: string, ttlMs: number, sentAt: number) {
    this.#context = context;
    this.#key = key;
    this.#redisKey = redisKey;
    this.#channel = channel;
    this.#token = token;
    this.#ttlMs = ttlMs;
    this.#deadline = sentAt + ttlMs;
    this.#armDeadline();
    this.#scheduleRenew(ttlMs / 3);
  }

  /** Aborts when the lease is lost. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Deletes the lock if this lease still owns it, and wakes waiters. Never throws: a failed release expires within ttl. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#end();
    await boundedOperation('lock release', { timeoutMs: this.#context.operationTimeoutMs }, () =>
      runScript(this.#context.connection, RELEASE, [this.#redisKey], [this.#token, this.#channel]),
    ).catch(() => undefined);
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
    this.#controller.abort(
      new LockTimeoutError(`Lock lease for ${this.#key} was lost`, cause === undefined ? undefined : { cause }),
    );
  }

  #armDeadline(): void {
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = setTimeout(() => this.#lose(), Math.max(0, this.#deadline - performance.now()));
    this.#deadlineTimer.unref();
  }

  #scheduleRenew(delayMs: number): void {
    if (this.#ended) return;
    this.#renewTimer = setTimeout(() => {
      this.#renew().catch((error: unknown) => this.#lose(error));
    }, Math.max(1, delayMs));
    this.#renewTimer.unref();
  }

  async #renew(): Promise<void> {
    if (this.#ended) return;
    const sentAt = performance.now();
    const left = this.#deadline - sentAt;
    try {
      const reply = await boundedOperation(
        'lock renewal',
        { timeoutMs: Math.max(1, Math.min(this.#context.operationTimeoutMs, left)) },
        () => runScript(this.#context.connection, RENEW, [this.#redisKey], [this.#token, String(this.#ttlMs)]),
      );
      if (this.#ended) return;
      if (Number(reply) !== 1) {
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
