import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from '@ads-token/core';
import { isRetryableStatus, resolveAdsFetchRetry } from '../src/ads-fetch-retry.js';

describe('Retry-After and backoff arithmetic', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');

  it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1500);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:04 GMT', now)).toBe(4000);
    expect(parseRetryAfter('Mon, 31 Dec 2029 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('keeps backoff between half and all of a capped exponential', () => {
    const retry = resolveAdsFetchRetry({ baseDelayMs: 100, maxDelayMs: 300 });
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, retry, () => 0))).toEqual([50, 100, 150, 150]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, retry, () => 1))).toEqual([100, 200, 300, 300]);
  });

  it('retries 429 and 5xx but not 501, 505 or other statuses', () => {
    expect([429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
    expect([200, 400, 401, 403, 404, 501, 505].some(isRetryableStatus)).toBe(false);
  });

  it('fills in the documented defaults', () => {
    expect(resolveAdsFetchRetry(undefined)).toEqual({ maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 8000, maxTotalMs: 60_000 });
  });
});
