import type { TokenInfo, TokenStatus } from './token-info.js';

/** Options of `health()`. */
export interface HealthOptions {
  /** Longest time the probe waits for the store; a store that does not answer by then counts as unavailable. @default 2000 */
  timeoutMs?: number;
  /** Ends the probe early (rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** A grant's health: `status` is its {@link TokenStatus}, or `unavailable` when the store could not be read. */
export type GrantHealthStatus = TokenStatus | 'unavailable';

/** One grant in a {@link HealthReport}. */
export interface GrantHealth {
  /** The grant. */
  grantId: string;
  /** Its token status as read from the store (or from memory when the store could not be read). */
  status: GrantHealthStatus;
  /** Why the grant is not healthy, or what is degraded about it; absent when all is well. Never holds a secret. */
  reason?: string;
}

/** What `health()` returns: cheap enough for a readiness probe (no LWA call, at most one store read per grant). */
export interface HealthReport {
  /** True when every grant can serve an access token now or get one by a refresh. */
  ok: boolean;
  /** One entry per grant. */
  grants: GrantHealth[];
}

/** The last refresh failure a manager saw, kept for health reports. */
export interface LastRefreshFailure {
  /** Stable error code. */
  code: string;
  /** The error's message (never holds a secret). */
  message: string;
  /** Epoch ms. */
  at: number;
}

/** Default of {@link HealthOptions.timeoutMs}. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 2000;

const UNHEALTHY: ReadonlySet<GrantHealthStatus> = new Set(['revoked', 'not_authenticated', 'unavailable']);

/**
 * Judges one grant. `info` is what the store (or, when it could not be read, memory) says;
 * `failure` the last refresh failure not followed by a success; `storeError` why the store read
 * failed. Healthy: readable, authenticated, not revoked, and either holding a usable access token
 * or with no failed refresh since the last success (an idle grant's expired token is fine: the
 * next call refreshes it).
 */
export function judgeGrant(
  grantId: string,
  info: TokenInfo | undefined,
  failure: LastRefreshFailure | undefined,
  storeError: string | undefined,
): { grant: GrantHealth; ok: boolean } {
  if (info === undefined) {
    return { grant: { grantId, status: 'unavailable', reason: storeError ?? 'the token store could not be read' }, ok: false };
  }
  const status = info.status;
  const reasons: string[] = [];
  if (storeError !== undefined) reasons.push(`${storeError}; serving the access token held in memory`);
  if (status === 'revoked') reasons.push('the refresh token was refused (invalid_grant): the advertiser must consent again');
  if (status === 'not_authenticated') reasons.push('no tokens are stored for this grant: authenticate first');
  if (failure !== undefined) reasons.push(`the last refresh failed (${failure.code}): ${failure.message}`);
  const usable = status === 'valid' || status === 'expiring';
  const ok = !UNHEALTHY.has(status) && (usable || failure === undefined);
  return { grant: reasons.length === 0 ? { grantId, status } : { grantId, status, reason: reasons.join('; ') }, ok };
}
