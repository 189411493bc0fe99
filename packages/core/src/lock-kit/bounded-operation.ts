import { StoreUnavailableError } from '../errors.js';
import { unrefTimer } from '../sleep.js';

/** Limits of one store or lock operation, for {@link boundedOperation}. */
export interface OperationBounds {
  /** Milliseconds before the operation fails with StoreUnavailableError. */
  timeoutMs: number;
  /** The caller's signal: aborting rejects with its reason. */
  signal?: AbortSignal | undefined;
  /**
   * Appended to the "failed" message for a failure, e.g. ` (SQLSTATE 42P01)`. Must never return
   * record data, tokens or secrets.
   * @default no detail
   */
  describeError?: ((error: unknown) => string) | undefined;
}

/**
 * Runs `op` within `timeoutMs` and the caller's signal, for a store or lock implementation.
 * Failures and timeouts become StoreUnavailableError (`<what> failed`, `<what> timed out after N
 * ms`; cause kept); an abort rejects with the signal's reason. A late failure of `op` after the
 * caller left is swallowed, never an unhandled rejection. `op` itself is not cancelled.
 */
export function boundedOperation<T>(what: string, bounds: OperationBounds, op: () => Promise<T>): Promise<T> {
  const { signal, timeoutMs, describeError } = bounds;
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
      if (finish()) reject(new StoreUnavailableError(`${what} timed out after ${timeoutMs} ms`));
    }, Math.max(0, timeoutMs));
    unrefTimer(timer);
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
        if (finish()) reject(new StoreUnavailableError(`${what} failed${describeError?.(error) ?? ''}`, { cause: error }));
      },
    );
  });
}
