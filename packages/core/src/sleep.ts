/** Unreferences a timer where the runtime supports it, so it never keeps a process alive. */
export function unrefTimer(timer: unknown): void {
  const t = timer as { unref?: () => void } | null;
  if (t !== null && typeof t === 'object' && typeof t.unref === 'function') t.unref();
}

/** Options of {@link abortableSleep}. */
export interface AbortableSleepOptions {
  /** Keep the process alive while sleeping (a caller is waiting for the result). @default false */
  keepAlive?: boolean;
}

/**
 * Resolves after `ms` milliseconds; rejects with the signal's reason when `signal` aborts. The
 * timer is unreferenced unless `keepAlive`.
 */
export function abortableSleep(ms: number, signal?: AbortSignal, options?: AbortableSleepOptions): Promise<void> {
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
    if (options?.keepAlive !== true) unrefTimer(timer);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
