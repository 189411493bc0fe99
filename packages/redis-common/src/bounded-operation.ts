import { StoreUnavailableError } from '@ads-token/core';

/** Limits for one Redis operation. */
export interface OperationBounds {
  /** Milliseconds before the operation fails with StoreUnavailableError. */
  timeoutMs: number;
  /** The caller's signal: aborting rejects with its reason. */
  signal?: AbortSignal | undefined;
}

/**
 * Runs `op` within `timeoutMs` and the caller's signal. Failures and timeouts become
 * StoreUnavailableError (cause kept); an abort rejects with the signal's reason. A late failure of
 * `op` after the caller left is swallowed, never an unhandled rejection.
 */
export function boundedOperation<T>(what: string, bounds: OperationBounds, op: () => Promise<T>): Promise<T> {
  const { signal, timeoutMs } = bounds;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (finish()) reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      if (finish()) reject(new StoreUnavailableError(`Redis ${what} timed out after ${timeoutMs} ms`));
    }, Math.max(0, timeoutMs));
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
    let pending: Promise<T>;
    try {
      pending = op();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        if (finish()) resolve(value);
      },
      (error: unknown) => {
        if (finish()) reject(new StoreUnavailableError(`Redis ${what} failed`, { cause: error }));
      },
    );
  });
}
