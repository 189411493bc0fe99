/** Runs tasks one at a time in call order; a waiting caller's signal ends only its own wait. */
export class SerialQueue {
  #tail: Promise<void> = Promise.resolve();

  /** Runs `task` after every earlier one settled. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const previous = this.#tail;
    let done!: () => void;
    this.#tail = new Promise<void>((resolve) => {
      done = resolve;
    });
    try {
      await waitFor(previous, signal);
    } catch (error) {
      void previous.then(done);
      throw error;
    }
    try {
      return await task();
    } finally {
      done();
    }
  }
}

function waitFor(promise: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (signal === undefined) return promise;
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
