/** Unreferences a timer so it never keeps the process alive. */
export function unref(timer: { unref?: () => unknown }): void {
  timer.unref?.();
}

/**
 * Resolves after `ms`; rejects with the signal's reason when aborted. The timer is unref'd unless
 * `keepAlive` (a caller awaiting a lock wants its process to stay up for the bounded wait).
 */
export function sleep(ms: number, signal?: AbortSignal, keepAlive = false): Promise<void> {
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
    if (!keepAlive) unref(timer);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
