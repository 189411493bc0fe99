import type { Clock } from './clock.js';

/** Unreferences a timer where the runtime supports it, so a pending sleep never keeps a process alive. */
export function unrefTimer(timer: unknown): void {
  const t = timer as { unref?: () => void } | null;
  if (t !== null && typeof t === 'object' && typeof t.unref === 'function') t.unref();
}

/** {@link Clock} on the real wall clock and timers; its timers never keep a process alive. */
export class SystemClock implements Clock {
  /** Current time in epoch milliseconds (`Date.now()`). */
  now(): number {
    return Date.now();
  }

  /** Resolves after `ms` milliseconds; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      unrefTimer(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
