import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter, resolveRetryOptions } from '../src/retry.js';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('Thu Jan  1 12:00:05 2026 GMT', now)).toBe(5000);
  });
  it('ignores values that are neither', () => {
    for (const v of [undefined, null, '', '-1', 'soon', '1e3']) expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('doubles from the base, stays within the cap and jitters between half and all of it', () => {
    const options = resolveRetryOptions({ baseDelayMs: 100, maxDelayMs: 1000 });
    expect(backoffDelay(1, options, () => 0)).toBe(50);
    expect(backoffDelay(1, options, () => 1)).toBe(100);
    expect(backoffDelay(3, options, () => 1)).toBe(400);
    expect(backoffDelay(10, options, () => 1)).toBe(1000);
    expect(backoffDelay(10, options, () => 0)).toBe(500);
  });
});
