import type { Clock } from './clock.js';
import { abortableSleep } from './sleep.js';

/** {@link Clock} on the real wall clock and timers; its timers never keep a process alive. */
export class SystemClock implements Clock {
  /** Current time in epoch milliseconds (`Date.now()`). */
  now(): number {
    return Date.now();
  }

  /** Resolves after `ms` milliseconds; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return abortableSleep(ms, signal);
  }
}
