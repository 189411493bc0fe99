/**
 * Runs refreshes at most `limit` at a time; a refresh a caller waits for goes ahead of background
 * ones. One scheduler serves every grant of a pool.
 */
export class RefreshScheduler {
  readonly #limit: number;
  #running = 0;
  readonly #foreground: (() => void)[] = [];
  readonly #background: (() => void)[] = [];
  /** The most refreshes that ran at once. */
  peak = 0;

  /** Creates a scheduler; `Infinity` never queues. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /**
   * Runs `task` when a slot is free (at once when one is). While a background task waits, the
   * `ticket`'s `promote` moves it to the front: a caller now waits for it.
   */
  async run<T>(priority: 'foreground' | 'background', task: () => Promise<T>, signal?: AbortSignal, ticket?: SchedulerTicket): Promise<T> {
    if (this.#running >= this.#limit) await this.#slot(priority, signal, ticket);
    else this.#running++;
    this.peak = Math.max(this.peak, this.#running);
    try {
      return await task();
    } finally {
      const next = this.#foreground.shift() ?? this.#background.shift();
      if (next === undefined) this.#running--;
      else next();
    }
  }

  #slot(priority: 'foreground' | 'background', signal: AbortSignal | undefined, ticket: SchedulerTicket | undefined): Promise<void> {
    let queue = priority === 'foreground' ? this.#foreground : this.#background;
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const i = queue.indexOf(grant);
        if (i >= 0) queue.splice(i, 1);
        reject(signal?.reason);
      };
      if (ticket !== undefined && queue === this.#background) {
        ticket.promote = () => {
          const i = this.#background.indexOf(grant);
          if (i < 0) return;
          this.#background.splice(i, 1);
          this.#foreground.push(grant);
          queue = this.#foreground;
        };
      }
      // Handed over by a finishing task: the running count stays the same.
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        if (ticket !== undefined) ticket.promote = undefined;
        resolve();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(grant);
    });
  }
}

/** Lets the holder of a queued background task move it ahead. */
export interface SchedulerTicket {
  /** Set while the task waits in the background queue. */
  promote?: (() => void) | undefined;
}
