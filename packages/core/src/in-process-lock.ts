import { LockTimeoutError } from './errors.js';
import type { Lock, LockAcquireOptions, LockLease } from './lock.js';
import { unrefTimer } from './sleep.js';

interface Waiter {
  grant: () => void;
}

interface KeyState {
  holder: symbol;
  queue: Waiter[];
}

/**
 * {@link Lock} within one process: the default. Waiters are served in order. The holder lives as
 * long as the process, so its lease is renewed for as long as it is held and is never lost.
 * Use `FileLock` or `RedisLock` to coordinate several processes.
 */
export class InProcessLock implements Lock {
  readonly #keys = new Map<string, KeyState>();

  /** Waits up to `waitMs` for `key`; throws {@link LockTimeoutError} after that. */
  acquire(key: string, options: LockAcquireOptions): Promise<LockLease> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const state = this.#keys.get(key);
    if (state === undefined) {
      const holder = Symbol(key);
      this.#keys.set(key, { holder, queue: [] });
      return Promise.resolve(this.#lease(key, holder));
    }
    return new Promise<LockLease>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          cleanup();
          const holder = Symbol(key);
          state.holder = holder;
          resolve(this.#lease(key, holder));
        },
      };
      const leave = (error: unknown): void => {
        cleanup();
        const i = state.queue.indexOf(waiter);
        if (i >= 0) state.queue.splice(i, 1);
        reject(error);
      };
      const timer = setTimeout(
        () => leave(new LockTimeoutError(`Timed out after ${options.waitMs} ms waiting for lock ${key}`)),
        Math.max(0, options.waitMs),
      );
      unrefTimer(timer);
      const onAbort = (): void => leave(options.signal?.reason);
      const cleanup = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      state.queue.push(waiter);
    });
  }

  #lease(key: string, holder: symbol): LockLease {
    const controller = new AbortController();
    return {
      signal: controller.signal,
      release: async () => {
        const state = this.#keys.get(key);
        if (state === undefined || state.holder !== holder) return;
        const next = state.queue.shift();
        if (next === undefined) this.#keys.delete(key);
        else next.grant();
      },
    };
  }
}
