import type { TokenInfo } from '../token-info.js';
import type { TokenRecord } from '../token-record.js';
import type { PendingCommit } from './pending-commit.js';

/** No token with less than this left is served (scaled down for tokens that live under 4 minutes). */
export const FLOOR_MS = 60_000;

/** A grant's record as this process last saw it, with the times derived from it. */
export interface Snapshot {
  version: string;
  record: TokenRecord;
  /** Until then the access token is served with no I/O. */
  refreshAt: number;
  /** Until then the access token may be served while a refresh runs. */
  serveUntil: number;
  /** The count of change notifications when it was read: behind the manager's count, it is stale. */
  generation: number;
  /** The stored version a write replacing this record must expect (differs from `version` while a commit is pending). */
  base: string | undefined;
  /** Set on the snapshot a refresh just obtained from LWA: its waiters get it even when it lives under the floor. */
  fresh?: boolean;
  /** The pending commit this snapshot shows, when it shows one (it may land, or be superseded, meanwhile). */
  pending?: PendingCommit;
}

/**
 * When a record's access token comes due (`refreshAt`) and until when it may be served
 * (`serveUntil`). `jitter` in [0, 0.5) moves `refreshAt` later inside the buffer (pools spread grants).
 */
export function servingTimes(record: TokenRecord, bufferMs: number, jitter = 0): { refreshAt: number; serveUntil: number } {
  if (record.accessToken === undefined || record.expiresAt === undefined || record.revoked !== undefined) {
    return { refreshAt: -Infinity, serveUntil: -Infinity };
  }
  const lifetime = Math.max(0, record.expiresAt - (record.obtainedAt ?? record.expiresAt - 3_600_000));
  const floor = Math.min(FLOOR_MS, lifetime / 4);
  const buffer = Math.max(floor, Math.min(bufferMs, lifetime / 2));
  return { refreshAt: record.expiresAt - buffer + (buffer - floor) * jitter, serveUntil: record.expiresAt - floor };
}

/** What `getTokenInfo` reports for a snapshot (undefined: nothing stored); never a token. */
export function tokenInfo(snapshot: Pick<Snapshot, 'record' | 'refreshAt' | 'serveUntil'> | undefined, now: number, grantId: string): TokenInfo {
  const r = snapshot?.record;
  const expiresAt = r?.accessToken !== undefined && r.revoked === undefined ? r.expiresAt : undefined;
  const expiresInSeconds = expiresAt === undefined ? 0 : Math.max(0, Math.floor((expiresAt - now) / 1000));
  let status: TokenInfo['status'];
  if (r === undefined) status = 'not_authenticated';
  else if (r.revoked !== undefined) status = 'revoked';
  else if (expiresAt === undefined) status = 'no_access_token';
  else if (now >= snapshot!.serveUntil) status = 'expired';
  else if (now >= snapshot!.refreshAt) status = 'expiring';
  else status = 'valid';
  return {
    status,
    expiresInSeconds,
    isExpired: status !== 'valid' && status !== 'expiring',
    expiresAt: expiresAt === undefined ? undefined : new Date(expiresAt),
    hasRefreshToken: r?.refreshToken !== undefined && r.revoked === undefined,
    consentedAt: r?.consentedAt === undefined ? undefined : new Date(r.consentedAt),
    grantId,
  };
}
