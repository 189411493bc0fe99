import { describe, expect, it } from 'vitest';
import { ConfigurationError, profileIdHeader } from '../src/index.js';

describe('profileIdHeader', () => {
  it('accepts digits, safe integers and bigints', () => {
    expect(profileIdHeader('1234567890')).toBe('1234567890');
    expect(profileIdHeader('0')).toBe('0');
    expect(profileIdHeader(12345)).toBe('12345');
    expect(profileIdHeader(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
    expect(profileIdHeader(9007199254740993n)).toBe('9007199254740993');
  });

  it('refuses CR/LF, empty, NaN, fractions, signs and integers a number would round', () => {
    for (const bad of ['', '12\r\nX-Evil: 1', ' 12', '12 ', '-1', '+1', '1e3', '１２', Number.NaN, 1.5, -1, Infinity, 2 ** 53, Number('9007199254740993'), -1n, null, true, {}]) {
      expect(() => profileIdHeader(bad), typeof bad).toThrow(ConfigurationError);
    }
  });

  it('never echoes the refused value', () => {
    expect(() => profileIdHeader('12\r\nsecret')).toThrow(/not all digits/);
    expect(() => profileIdHeader('12\r\nsecret')).not.toThrow(/secret/);
  });
});
