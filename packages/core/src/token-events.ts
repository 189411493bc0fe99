import type { AdsTokenErrorCode } from './errors.js';

/** Fields every event carries. */
interface EventBase {
  /** The grant the event is about. */
  grantId: string;
  /** When it happened (epoch ms, from the manager's clock). */
  at: number;
}

/** What a {@link TokenManager} reports through `onEvent`. Events never carry a token or secret. */
export type TokenEvent =
  | (EventBase & {
      type: 'refreshed';
      /** `lwa`: this process called LWA; `store`: another holder had refreshed, its record was used. */
      source: 'lwa' | 'store';
      /** Whether LWA returned a new refresh token. */
      rotated: boolean;
      /** Time from the start of the refresh, lock wait included. */
      durationMs: number;
      /** LWA's request id (source `lwa`). */
      requestId?: string;
      /** Seconds the new access token lives. */
      expiresInSeconds: number;
    })
  | (EventBase & {
      type: 'refresh_failed';
      /** Stable code of the error. */
      code: AdsTokenErrorCode | 'UNKNOWN';
      /** The error's message (never holds a secret). */
      message: string;
      durationMs: number;
      requestId?: string;
      /** True when it ran in the background while a valid token was served. */
      background: boolean;
    })
  | (EventBase & {
      type: 'retry';
      /** Attempt that failed (1-based). */
      attempt: number;
      /** Backoff before the next attempt. */
      delayMs: number;
      /** HTTP status, absent for a network failure. */
      status?: number;
      requestId?: string;
    })
  | (EventBase & {
      type: 'revoked';
      /** LWA's error_description. */
      description?: string;
      requestId?: string;
    })
  | (EventBase & {
      type: 'lock_waited';
      /** How long acquiring the refresh lock took. */
      waitedMs: number;
    })
  | (EventBase & {
      type: 'lock_unavailable';
      /** The lock backend failed and the refresh went ahead without it (the unsafe opt-in). */
      message: string;
    })
  | (EventBase & {
      type: 'authenticated';
      /** `code`: an authorization code exchange; `refresh_token`: setRefreshToken. */
      method: 'code' | 'refresh_token';
      requestId?: string;
    })
  | (EventBase & {
      type: 'commit_pending';
      /** LWA answered but the store refused the write: the new tokens are held in memory and the write is retried. */
      code: AdsTokenErrorCode | 'UNKNOWN';
      /** The store error's message (never holds a secret). */
      message: string;
      /** Failed write attempts so far (1-based). */
      attempt: number;
    })
  | (EventBase & {
      type: 'commit_recovered';
      /** Write attempts it took, the one that landed included. */
      attempts: number;
      /** Time the tokens were held only in memory. */
      pendingMs: number;
    })
  | (EventBase & { type: 'cleared' });

/** The `type` of every {@link TokenEvent}. */
export type TokenEventType = TokenEvent['type'];
