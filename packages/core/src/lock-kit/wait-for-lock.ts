import { LockTimeoutError } from '../errors.js';
import { unrefTimer } from '../sleep.js';

/** The waiter {@link waitForLock} hands to each attempt. */
export interface LockWaiter {
  /** Ends the current pause between attempts at once (or the next one): call it when the lock may just have been released. */
  wake(): void;
}

/** Options of {@link waitForLock}. */
export interface WaitForLockOptions<T> {
  /** The lock key, named in the `LockTimeoutError`. */
  readonly key: string;
  /** Give up with `LockTimeoutError` after this many milliseconds (monotonic clock). */
  readonly waitMs: number;
  /** Ends the wait with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** Longest pause between two attempts. */
  readonly pollIntervalMs: number;
  /**
   * First pause between attempts: each next one doubles up to `pollIntervalMs`, each with jitter
   * (50-100 % of it). Without it every pause is `pollIntervalMs`, without jitter.
   */
  readonly firstPollMs?: number | undefined;
  /**
   * One try at taking the lock: resolves to the lease (or whatever the lock returns) when taken,
   * undefined when the lock is held elsewhere; a rejection ends the wait.
   */
  readonly attempt: (waiter: LockWaiter) => Promise<T | undefined>;
  /**
   * Called once, after the first attempt that found the lock held: subscribe to the backend's
   * release notifications, call `wake` on one, and return (or resolve to) the unsubscribe function.
   * The wait tries again as soon as the subscription is live (so a release between the attempt and
   * the subscription is not missed) and unsubscribes when it ends; a failed subscription leaves
   * the poll as the only wake-up.
   */
  readonly subscribe?: ((wake: () => void) => Promise<() => unknown> | (() => unknown)) | undefined;
}

/**
 * Waits for a lock the way every lock implementation must: try, and while the lock is held, pause
 * until a release notification (see `subscribe`) wakes the waiter or the (bounded, optionally backed-off) poll
 * interval passes, then try again; `LockTimeoutError` once `waitMs` has passed. See
 * docs/custom-store.md.
 */
export async function waitForLock<T>(options: WaitForLockOptions<T>): Promise<T> {
  const { key, waitMs, signal, pollIntervalMs, attempt, subscribe } = options;
  const deadline = performance.now() + Math.max(0, waitMs);
  const waiter = new WakeUp();
  let pollMs = options.firstPollMs ?? pollIntervalMs;
  const jitter = options.firstPollMs !== undefined;
  let subscription: Promise<(() => unknown) | undefined> | undefined;
  try {
    for (;;) {
      waiter.reset();
      const taken = await attempt(waiter);
      if (taken !== undefined) return taken;
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw new LockTimeoutError(`Timed out after ${waitMs} ms waiting for lock ${key}`);
      if (subscribe !== undefined && subscription === undefined) {
        const wake = (): void => waiter.wake();
        subscription = Promise.resolve()
          .then(() => subscribe(wake))
          .then(
            (unsubscribe) => {
              wake();
              return unsubscribe;
            },
            () => undefined,
          );
      }
      await waiter.sleep(Math.min(jitter ? pollMs * (0.5 + Math.random() / 2) : pollMs, remaining), signal);
      pollMs = Math.min(pollIntervalMs, pollMs * 2);
    }
  } finally {
    waiter.reset();
    void subscription?.then((unsubscribe) => unsubscribe?.()).catch(() => undefined);
  }
}

/** One waiter's wake-up: a notification, the poll delay, or an abort, whichever comes first. */
class WakeUp implements LockWaiter {
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

  sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (this.#woken) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#resolve = undefined;
      };
      const onAbort = (): void => {
        done();
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        done();
        resolve();
      }, ms);
      unrefTimer(timer);
      this.#resolve = () => {
        done();
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
