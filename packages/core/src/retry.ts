import { requireNumber } from './option-checks.js';

/** How token requests retry transient failures (network errors, 408, 429, 5xx). */
export interface RetryOptions {
  /** Attempts in all, the first included. @default 4 */
  maxAttempts?: number;
  /** First backoff, doubled each retry, jittered between half and all of it. @default 500 */
  baseDelayMs?: number;
  /** Largest backoff (a longer Retry-After is still honoured within the deadline). @default 8000 */
  maxDelayMs?: number;
  /** Deadline for one refresh with all its retries. @default 30000 */
  timeoutMs?: number;
}

/** Retry options with every default filled in. */
export type ResolvedRetryOptions = Required<RetryOptions>;

/** Fills in the defaults; throws ConfigurationError naming an option that is not finite or out of range. */
export function resolveRetryOptions(options: RetryOptions | undefined): ResolvedRetryOptions {
  const baseDelayMs = requireNumber('retry.baseDelayMs', options?.baseDelayMs, 500, 1, 600_000);
  return {
    maxAttempts: requireNumber('retry.maxAttempts', options?.maxAttempts, 4, 1, 100, true),
    baseDelayMs,
    maxDelayMs: requireNumber('retry.maxDelayMs', options?.maxDelayMs, Math.max(8000, baseDelayMs), baseDelayMs, 3_600_000),
    timeoutMs: requireNumber('retry.timeoutMs', options?.timeoutMs, 30_000, 1, 3_600_000),
  };
}

/** Milliseconds a Retry-After header asks for (seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Only an HTTP date (which starts with its weekday) counts; "-1" or "1e3" mean nothing.
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Backoff before retry number `retry` (1-based): between half and all of a capped exponential. */
export function backoffDelay(
  retry: number,
  options: Pick<ResolvedRetryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
