import { describe, expect, test } from 'vitest';
import { countExpiries } from '../src/expiries.js';

describe('countExpiries', () => {
  const due = 6000;
  test('one refresh per due token: every token that came due before the end counts', () => {
    expect(countExpiries([0, 6100, 12_150, 18_200], due, 26_000)).toBe(4);
  });
  test('a token coming due in the last second before the end does not count', () => {
    expect(countExpiries([0, 6100], due, 12_500)).toBe(1);
  });
  test('a token refreshed when due in the last second counts with its refresh', () => {
    expect(countExpiries([0, 6100, 12_150], due, 12_500)).toBe(2);
  });
  test('a duplicate refresh does not add an expiry, so the ratio shows it', () => {
    // 3 refreshes (6100 and 6150 for the same due token), 2 expiries.
    expect(countExpiries([0, 6100, 6150, 12_200], due, 19_000)).toBe(2);
  });
  test('order does not matter; nothing issued means no expiry', () => {
    expect(countExpiries([12_150, 0, 6100], due, 25_000)).toBe(3);
    expect(countExpiries([], due, 25_000)).toBe(0);
  });
});
