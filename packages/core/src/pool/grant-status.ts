import type { AdsTokenErrorCode } from '../errors.js';
import type { TokenInfo } from '../token-info.js';

/** LWA grants may need consent again after this many days. */
export const CONSENT_LIMIT_DAYS = 365;

/** A grant is flagged this many days before {@link CONSENT_LIMIT_DAYS}. */
export const CONSENT_WARNING_DAYS = 30;

/** One stored grant as `TokenPool.status()` reports it; never a token. */
export interface GrantStatus extends Omit<TokenInfo, 'status'> {
  /** The {@link TokenInfo} status, or `unreadable` when the record does not open or parse. */
  status: TokenInfo['status'] | 'unreadable';
  /** Code of the last refresh error this process saw for the grant (cleared by a successful refresh). */
  lastError: AdsTokenErrorCode | 'UNKNOWN' | undefined;
  /** Whole days since the advertiser consented, when known. */
  consentAgeDays: number | undefined;
  /** True within {@link CONSENT_WARNING_DAYS} of the {@link CONSENT_LIMIT_DAYS}-day consent limit (or past it). */
  consentExpiringSoon: boolean;
  /** Why the record is unreadable (`DECRYPTION_FAILED`, `CORRUPT_RECORD`, ...), when it is. */
  unreadableCode?: AdsTokenErrorCode | 'UNKNOWN';
}

/** Days since `consentedAt` and whether the consent limit is near. */
export function consentAge(consentedAt: Date | undefined, now: number): { consentAgeDays: number | undefined; consentExpiringSoon: boolean } {
  if (consentedAt === undefined) return { consentAgeDays: undefined, consentExpiringSoon: false };
  const days = Math.max(0, Math.floor((now - consentedAt.getTime()) / 86_400_000));
  return { consentAgeDays: days, consentExpiringSoon: days >= CONSENT_LIMIT_DAYS - CONSENT_WARNING_DAYS };
}
