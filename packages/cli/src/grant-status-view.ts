import { CONSENT_LIMIT_DAYS, type GrantStatus } from '@ads-token/core';
import { formatDuration, formatRelative } from './duration.js';

/** One grant as `grants --json` and `status --check --json` print it (never a token). */
export interface GrantStatusJson {
  grant: string;
  status: GrantStatus['status'];
  /** Why the record does not open (`DECRYPTION_FAILED`, `CORRUPT_RECORD`, ...); null when it opens. */
  unreadableCode: string | null;
  expiresAt: string | null;
  expiresInSeconds: number;
  isExpired: boolean;
  hasRefreshToken: boolean;
  revoked: boolean;
  consentedAt: string | null;
  consentAgeDays: number | null;
  consentExpiringSoon: boolean;
}

/** The JSON view of a pool's grant status. */
export function grantStatusJson(s: GrantStatus): GrantStatusJson {
  return {
    grant: s.grantId,
    status: s.status,
    unreadableCode: s.status === 'unreadable' ? (s.unreadableCode ?? 'UNKNOWN') : null,
    expiresAt: s.expiresAt?.toISOString() ?? null,
    expiresInSeconds: s.expiresInSeconds,
    isExpired: s.isExpired,
    hasRefreshToken: s.hasRefreshToken,
    revoked: s.status === 'revoked',
    consentedAt: s.consentedAt?.toISOString() ?? null,
    consentAgeDays: s.consentAgeDays ?? null,
    consentExpiringSoon: s.consentExpiringSoon,
  };
}

/** `expires in 52m 3s`, `expired 3h ago`, or `-` (no access token, revoked, unreadable). */
export function expiryCell(s: GrantStatus, now: number): string {
  if (s.expiresAt === undefined) return '-';
  return s.expiresAt.getTime() > now ? `expires ${formatRelative(s.expiresAt, now)}` : `expired ${formatRelative(s.expiresAt, now)}`;
}

/** `12d`, `340d (limit in 25d)`, `400d (past 365d limit)`, or `unknown`. */
export function consentCell(s: GrantStatus): string {
  if (s.consentAgeDays === undefined) return s.status === 'unreadable' ? '-' : 'unknown';
  const age = s.consentAgeDays === 0 ? '<1d' : formatDuration(s.consentAgeDays * 86_400_000);
  if (!s.consentExpiringSoon) return age;
  const left = CONSENT_LIMIT_DAYS - s.consentAgeDays;
  return left > 0 ? `${age} (limit in ${left}d)` : `${age} (past ${CONSENT_LIMIT_DAYS}d limit)`;
}

/** The status column: `unreadable (DECRYPTION_FAILED)` for records that do not open. */
export function statusCell(s: GrantStatus): string {
  return s.status === 'unreadable' ? `unreadable (${s.unreadableCode ?? 'UNKNOWN'})` : s.status;
}
