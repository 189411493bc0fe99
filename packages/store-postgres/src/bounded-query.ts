import { boundedOperation, type OperationBounds as StoreOperationBounds } from '@ads-token/core';

/** Limits for one database operation. */
export type OperationBounds = Pick<StoreOperationBounds, 'timeoutMs' | 'signal'>;

/**
 * Runs `op` within `timeoutMs` and the caller's signal (core's `boundedOperation`, with messages
 * naming PostgreSQL and the driver's error code). Failures and timeouts become
 * StoreUnavailableError (cause kept; PostgreSQL's messages never hold record data, which is only
 * ever sent as a bound parameter); an abort rejects with the signal's reason.
 */
export function boundedQuery<T>(what: string, bounds: OperationBounds, op: () => Promise<T>): Promise<T> {
  return boundedOperation(`PostgreSQL ${what}`, { ...bounds, describeError: describeCode }, op);
}

/** ` (SQLSTATE 42P01)` or ` (ECONNREFUSED)` for a driver error, else ''. */
function describeCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,32}$/.test(code) ? ` (${code})` : '';
}
