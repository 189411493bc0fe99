import type { TokenInfo } from '@ads-token/core';
import { formatDuration, formatRelative } from './duration.js';

/** A grant's status as `--json` prints it (never a token). */
export interface TokenInfoJson {
  grant: string;
  status: TokenInfo['status'];
  expiresAt: string | null;
  expiresInSeconds: number;
  isExpired: boolean;
  hasRefreshToken: boolean;
  revoked: boolean;
  consentedAt: string | null;
  secondsSinceConsent: number | null;
}

/** The JSON view of `info` at time `now`. */
export function tokenInfoJson(info: TokenInfo, now: number): TokenInfoJson {
  return {
    grant: info.grantId,
    status: info.status,
    expiresAt: info.expiresAt?.toISOString() ?? null,
    expiresInSeconds: info.expiresInSeconds,
    isExpired: info.isExpired,
    hasRefreshToken: info.hasRefreshToken,
    revoked: info.status === 'revoked',
    consentedAt: info.consentedAt?.toISOString() ?? null,
    secondsSinceConsent: info.consentedAt === undefined ? null : Math.max(0, Math.floor((now - info.consentedAt.getTime()) / 1000)),
  };
}

/** `valid for 59m 58s (until 2025-...)`, `expired 3h ago`, or `no access token yet`. */
export function describeExpiry(info: TokenInfo, now: number): string {
  if (info.expiresAt === undefined) return 'no access token yet';
  if (info.expiresAt.getTime() <= now) return `expired ${formatRelative(info.expiresAt, now)}`;
  return `valid for ${formatDuration(info.expiresAt.getTime() - now)} (until ${info.expiresAt.toISOString()})`;
}
