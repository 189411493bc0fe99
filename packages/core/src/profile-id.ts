import { ConfigurationError } from './errors.js';

const DIGITS = /^[0-9]{1,20}$/;

/**
 * An advertising profile id as the `Amazon-Advertising-API-Scope` header value: a string of digits,
 * a non-negative safe integer or a non-negative bigint. Anything else (empty, signs, spaces, CR/LF,
 * `NaN`, fractions, integers above 2^53 that a number would round) throws ConfigurationError, so a
 * wrong or silently rounded profile is never sent.
 */
export function profileIdHeader(profileId: unknown): string {
  if (typeof profileId === 'string') {
    if (DIGITS.test(profileId)) return profileId;
  } else if (typeof profileId === 'number') {
    if (Number.isSafeInteger(profileId) && profileId >= 0) return String(profileId);
  } else if (typeof profileId === 'bigint') {
    if (profileId >= 0n) return profileId.toString();
  }
  throw new ConfigurationError(`profileId must be a string of digits, a non-negative safe integer or a bigint (got ${describeValue(profileId)})`);
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value === '' ? 'an empty string' : `a string of ${value.length} characters that are not all digits`;
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : Number.isInteger(value) ? 'an integer out of range' : String(value);
  if (typeof value === 'bigint') return 'a negative bigint';
  return value === null ? 'null' : typeof value;
}
