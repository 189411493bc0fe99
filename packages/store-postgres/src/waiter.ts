/** One waiter's wake-up: a notification, the poll interval, or an abort, whichever comes first. */
export class Waiter {
  #woken = false;
  #resolve: (() => void) | undefined;

  /** Forgets an earlier wake-up (call before each attempt). */
  reset(): void {
    this.#woken = false;
  }

  /** Ends the current sleep, or the next one at once. */
  wake(): void {
    this.#woken = true;
    const resolve = this.#resolve;
    this.#resolve = undefined;
    resolve?.();
  }

  /** Sleeps up to `ms`; rejects with the signal's reason when it aborts. */
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
      timer.unref?.();
      this.#resolve = () => {
        done();
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
