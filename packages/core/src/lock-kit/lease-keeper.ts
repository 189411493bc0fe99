import { LockTimeoutError } from '../errors.js';
import type { LockLease } from '../lock.js';
import { unrefTimer } from '../sleep.js';

/** What {@link keepLease} needs from a lock implementation to keep one lease it has just taken. */
export interface KeepLeaseOptions {
  /** The lock key, named in the `LockTimeoutError` the lease's `signal` aborts with. */
  readonly key: string;
  /** How long the backend keeps the lease without a renewal, in milliseconds. */
  readonly ttlMs: number;
  /** `performance.now()` when the request that took the lease was sent: the local deadline counts from it. */
  readonly sentAt: number;
  /**
   * Extends the lease in the backend by `ttlMs`, if this owner still holds it. Resolves true when
   * renewed, false when the lease is gone (taken over or deleted: the lease is lost at once);
   * rejects when the backend failed (renewal is retried until the local deadline). `leftMs` is how
   * long until the local deadline: bound the request by it.
   */
  readonly renew: (leftMs: number) => Promise<boolean>;
  /** Deletes the lease in the backend if this owner still holds it. Its failures are ignored: the lease expires by itself. */
  readonly release: () => Promise<unknown>;
  /** Called once when the lease ends, released or lost. */
  readonly onEnd?: (() => void) | undefined;
}

/**
 * A held {@link LockLease} kept alive for a lock implementation: renewed every ttl/3; `signal`
 * aborts with `LockTimeoutError` once no renewal has succeeded by the local deadline (this
 * process's monotonic clock, counted from when the last successful request was sent), or the
 * backend says the lease has another owner. Its timers never keep a process alive.
 */
export class LeaseKeeper implements LockLease {
  readonly #options: KeepLeaseOptions;
  readonly #controller = new AbortController();
  #deadline: number;
  #renewTimer: ReturnType<typeof setTimeout> | undefined;
  #deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  #ended = false;
  #released = false;

  /** Starts keeping the lease; prefer {@link keepLease}. */
  constructor(options: KeepLeaseOptions) {
    this.#options = options;
    this.#deadline = options.sentAt + options.ttlMs;
    this.#armDeadline();
    this.#scheduleRenew(options.ttlMs / 3);
  }

  /** Aborts (reason: `LockTimeoutError`) when the lease is lost. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Stops renewal and deletes the lease if this owner still holds it. Never throws: a failed release expires within ttl. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#end();
    try {
      await this.#options.release();
    } catch {
      // The lease expires by itself within ttl.
    }
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#renewTimer);
    clearTimeout(this.#deadlineTimer);
    this.#options.onEnd?.();
  }

  #lose(cause?: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#end();
    this.#controller.abort(new LockTimeoutError(`Lock lease for ${this.#options.key} was lost`, cause === undefined ? undefined : { cause }));
  }

  #armDeadline(): void {
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = setTimeout(() => this.#lose(), Math.max(0, this.#deadline - performance.now()));
    unrefTimer(this.#deadlineTimer);
  }

  #scheduleRenew(delayMs: number): void {
    if (this.#ended) return;
    this.#renewTimer = setTimeout(() => {
      this.#renew().catch((error: unknown) => this.#lose(error));
    }, Math.max(1, delayMs));
    unrefTimer(this.#renewTimer);
  }

  async #renew(): Promise<void> {
    if (this.#ended) return;
    const { ttlMs } = this.#options;
    const sentAt = performance.now();
    try {
      const held = await this.#options.renew(this.#deadline - sentAt);
      if (this.#ended) return;
      if (!held) {
        this.#lose();
        return;
      }
      this.#deadline = sentAt + ttlMs;
      this.#armDeadline();
      this.#scheduleRenew(ttlMs / 3);
    } catch (error) {
      if (this.#ended) return;
      const remaining = this.#deadline - performance.now();
      if (remaining <= 0) this.#lose(error);
      else this.#scheduleRenew(Math.min(ttlMs / 6, remaining / 2));
    }
  }
}

/**
 * Keeps a lease a lock implementation has just taken: renewal every ttl/3, a local monotonic
 * deadline, the lease `signal` aborting with `LockTimeoutError` when renewal fails past it, and
 * release. See docs/custom-store.md.
 */
export function keepLease(options: KeepLeaseOptions): LeaseKeeper {
  return new LeaseKeeper(options);
}
