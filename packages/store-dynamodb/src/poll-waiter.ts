import { unref } from './unref.js';

/** One waiter's pause between polls: the poll delay, a local wake-up, or an abort, whichever comes first. */
export class PollWaiter {
  #woken = false;
  #resolve: (() => void) | undefined;

  /** Ends the current pause (or the next one) at once. */
  wake(): void {
    this.#woken = true;
    const resolve = this.#resolve;
    this.#resolve = undefined;
    resolve?.();
  }

  /** Waits `ms`, unless woken; rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.#resolve = undefined;
        this.#woken = false;
      };
      const onAbort = (): void => {
        done();
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        done();
        resolve();
      }, ms);
      unref(timer);
      this.#resolve = () => {
        done();
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
