import { ConfigurationError } from '@ads-token/core';
import type { AdsFetchRetryOptions, ResolvedAdsFetchRetry } from './ads-fetch-options.js';

/** Fills in defaults and checks the values; throws ConfigurationError for bad ones. */
export function resolveAdsFetchRetry(options: AdsFetchRetryOptions | undefined): ResolvedAdsFetchRetry {
  const resolved: ResolvedAdsFetchRetry = {
    maxAttempts: options?.maxAttempts ?? 5,
    baseDelayMs: options?.baseDelayMs ?? 500,
    maxDelayMs: options?.maxDelayMs ?? 8000,
    maxTotalMs: options?.maxTotalMs ?? 60_000,
  };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) throw new ConfigurationError('retry.maxAttempts must be an integer >= 1');
  for (const name of ['baseDelayMs', 'maxDelayMs', 'maxTotalMs'] as const) {
    const value = resolved[name];
    if (typeof value !== 'number' || !(value >= 0)) throw new ConfigurationError(`retry.${name} must be a number of ms >= 0`);
  }
  return resolved;
}

/** True for the statuses worth retrying after a wait: 429 and 5xx, except 501 (Not Implemented) and 505. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}
