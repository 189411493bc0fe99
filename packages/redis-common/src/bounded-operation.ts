import { boundedOperation as boundedStoreOperation, type OperationBounds as StoreOperationBounds } from '@ads-token/core';

/** Limits for one Redis operation. */
export type OperationBounds = Pick<StoreOperationBounds, 'timeoutMs' | 'signal'>;

/**
 * Runs `op` within `timeoutMs` and the caller's signal (core's `boundedOperation`, with messages
 * naming Redis). Failures and timeouts become StoreUnavailableError (cause kept); an abort rejects
 * with the signal's reason. A late failure of `op` after the caller left is swallowed.
 */
export function boundedOperation<T>(what: string, bounds: OperationBounds, op: () => Promise<T>): Promise<T> {
  return boundedStoreOperation(`Redis ${what}`, bounds, op);
}
