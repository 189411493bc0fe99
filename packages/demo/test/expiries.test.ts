import { describe, expect, test } from 'vitest';
import { countExpiries, tallyByGrant } from '../src/expiries.js';

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

describe('tallyByGrant', () => {
  const due = 6000;
  test('counts refreshes in the run and expiries of every token per grant, the tokens issued before the run included', () => {
    const before = [
      { grantType: 'authorization_code', status: 200, at: 0, grant: 'g1' },
      { grantType: 'refresh_token', status: 200, at: 100, grant: 'g2' },
    ];
    const run = [
      { grantType: 'refresh_token', status: 200, at: 6200, grant: 'g1' },
      { grantType: 'refresh_token', status: 200, at: 6300, grant: 'g2' },
      { grantType: 'refresh_token', status: 200, at: 6400, grant: 'g2' }, // a duplicate
      { grantType: 'refresh_token', status: 400, at: 6500 }, // no known grant: left out
    ];
    const tallies = tallyByGrant(before, run, due, 9000).sort((a, b) => a.grant.localeCompare(b.grant));
    expect(tallies).toEqual([
      { grant: 'g1', refreshes: 1, expiries: 1 },
      { grant: 'g2', refreshes: 2, expiries: 1 },
    ]);
  });
  test('a grant whose token came due well before the end without a refresh shows it', () => {
    const before = [{ grantType: 'refresh_token', status: 200, at: 0, grant: 'g7' }];
    expect(tallyByGrant(before, [], due, 12_000, 4000)).toEqual([{ grant: 'g7', refreshes: 0, expiries: 1 }]);
    expect(tallyByGrant(before, [], due, 9_000, 4000)).toEqual([{ grant: 'g7', refreshes: 0, expiries: 0 }]);
  });
});
