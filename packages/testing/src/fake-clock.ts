import type { Clock } from '@ads-token/core';
import { setImmediate as nextMacrotask } from 'node:timers/promises';

/** Options for {@link FakeClock}. */
export interface FakeClockOptions {
  /**
   * Macrotask turns `advance`, `set` and `runAll` wait after each firing (and before finding the
   * next one), so promise chains started by a woken sleeper run before time moves on.
   * @default 5
   */
  settleTurns?: number;
  /**
   * Most sleepers `runAll` fires before it gives up with an error (a loop that sleeps forever).
   * @default 10000
   */
  runAllLimit?: number;
}

interface Sleeper {
  readonly due: number;
  readonly seq: number;
  readonly resolve: () => void;
  readonly detach: () => void;
}

/** Default start time of a {@link FakeClock}: 2026-01-01T00:00:00Z. */
export const FAKE_CLOCK_START = Date.UTC(2026, 0, 1);

/**
 * A {@link Clock} whose time moves only when a test says so: `sleep` waits for fake time, and
 * `advance`/`set` wake due sleepers in time order, letting their promise chains run in between.
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #sleepers: Sleeper[] = [];
  #moving: Promise<void> = Promise.resolve();
  readonly #settleTurns: number;
  readonly #runAllLimit: number;

  /** A clock that reads `startMs` until moved. @default startMs `Date.UTC(2026, 0, 1)` */
  constructor(startMs: number = FAKE_CLOCK_START, options: FakeClockOptions = {}) {
    checkTime(startMs, 'startMs');
    this.#now = startMs;
    this.#settleTurns = Math.max(1, Math.floor(options.settleTurns ?? 5));
    this.#runAllLimit = Math.max(1, Math.floor(options.runAllLimit ?? 10_000));
  }

  /** Current fake time in epoch milliseconds. */
  now(): number {
    return this.#now;
  }

  /** Sleepers not yet due (aborted ones excluded). */
  get pendingSleeps(): number {
    return this.#sleepers.length;
  }

  /**
   * Resolves when fake time reaches `now() + ms` (at once when `ms <= 0`); rejects with the
   * signal's reason when aborted.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!(ms > 0)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#remove(sleeper);
        reject(signal?.reason);
      };
      const sleeper: Sleeper = {
        due: this.#now + ms,
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.push(sleeper);
    });
  }

  /**
   * Moves time forward by `ms`, waking due sleepers in time order (also ones that start sleeping
   * meanwhile and fall due within the window) and letting promise chains run between firings.
   * Calls made while another move runs are queued behind it.
   */
  advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) return Promise.reject(new RangeError(`advance needs a finite ms >= 0, got ${ms}`));
    return this.#enqueue(() => this.#moveTo(this.#now + ms));
  }

  /** Jumps forward to `epochMs` with the semantics of {@link FakeClock.advance}; rejects with RangeError for a time in the past. */
  set(epochMs: number): Promise<void> {
    if (!Number.isFinite(epochMs)) return Promise.reject(new RangeError(`set needs a finite time, got ${epochMs}`));
    return this.#enqueue(async () => {
      if (epochMs < this.#now) throw new RangeError(`FakeClock only moves forward: ${epochMs} is before ${this.#now}`);
      await this.#moveTo(epochMs);
    });
  }

  /**
   * Advances to each next sleeper until none is left (also ones started meanwhile); rejects when
   * more than `runAllLimit` fire, which means something sleeps in a loop forever.
   */
  runAll(): Promise<void> {
    return this.#enqueue(async () => {
      for (let fired = 0; ; fired++) {
        await this.#settle();
        const next = this.#next(Number.POSITIVE_INFINITY);
        if (next === undefined) return;
        if (fired >= this.#runAllLimit) {
          throw new Error(`FakeClock.runAll fired ${this.#runAllLimit} sleepers and more keep coming; use advance() for code that sleeps in a loop`);
        }
        this.#fire(next);
      }
    });
  }

  #enqueue(move: () => Promise<void>): Promise<void> {
    const run = this.#moving.then(move);
    this.#moving = run.catch(() => undefined);
    return run;
  }

  async #moveTo(target: number): Promise<void> {
    for (;;) {
      await this.#settle();
      const next = this.#next(target);
      if (next === undefined) break;
      this.#fire(next);
    }
    this.#now = target;
    await this.#settle();
  }

  /** The earliest sleeper due at or before `limit` (first come first served on equal times). */
  #next(limit: number): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.#sleepers) {
      if (s.due > limit) continue;
      if (best === undefined || s.due < best.due || (s.due === best.due && s.seq < best.seq)) best = s;
    }
    return best;
  }

  #fire(sleeper: Sleeper): void {
    this.#remove(sleeper);
    if (sleeper.due > this.#now) this.#now = sleeper.due;
    sleeper.resolve();
  }

  #remove(sleeper: Sleeper): void {
    const i = this.#sleepers.indexOf(sleeper);
    if (i >= 0) this.#sleepers.splice(i, 1);
    sleeper.detach();
  }

  async #settle(): Promise<void> {
    for (let i = 0; i < this.#settleTurns; i++) await nextMacrotask();
  }
}

function checkTime(ms: number, name: string): void {
  if (!Number.isFinite(ms)) throw new RangeError(`${name} must be a finite number of epoch milliseconds, got ${ms}`);
}
