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

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // HTTP dates start with a day name; anything else (e.g. "-1") is not one, whatever Date.parse thinks.
  const date = /^[A-Za-z]{3}/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Backoff before retry number `retry` (1-based): between half and all of a capped exponential. */
export function backoffDelay(retry: number, options: ResolvedAdsFetchRetry, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Waits `ms`, or rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
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
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
