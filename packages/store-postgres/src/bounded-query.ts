import { StoreUnavailableError } from '@ads-token/core';

/** Limits for one database operation. */
export interface OperationBounds {
  /** Milliseconds before the operation fails with StoreUnavailableError. */
  timeoutMs: number;
  /** The caller's signal: aborting rejects with its reason. */
  signal?: AbortSignal | undefined;
}

/**
 * Runs `op` within `timeoutMs` and the caller's signal. Failures and timeouts become
 * StoreUnavailableError (cause kept; PostgreSQL's messages never hold record data, which is only
 * ever sent as a bound parameter); an abort rejects with the signal's reason. A late failure of
 * `op` after the caller left is swallowed, never an unhandled rejection.
 */
export function boundedQuery<T>(what: string, bounds: OperationBounds, op: () => Promise<T>): Promise<T> {
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
      if (finish()) reject(new StoreUnavailableError(`PostgreSQL ${what} timed out after ${timeoutMs} ms`));
    }, Math.max(0, timeoutMs));
    timer.unref?.();
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
        if (finish()) reject(new StoreUnavailableError(`PostgreSQL ${what} failed${describeCode(error)}`, { cause: error }));
      },
    );
  });
}

/** ` (SQLSTATE 42P01)` or ` (ECONNREFUSED)` for a driver error, else ''. */
function describeCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,32}$/.test(code) ? ` (${code})` : '';
}

