import type { AdsTokenErrorCode } from './errors.js';

/**
 * Fields every {@link TokenEvent} carries. Events are a public API: a field is only ever added
 * (optional) in a minor release; renaming, removing or changing the type of one is a major change.
 */
export interface TokenEventBase {
  /** The grant the event is about (the manager's `grantId`). */
  grantId: string;
  /** When it happened: epoch ms from the manager's clock. */
  at: number;
}

/** A refresh ended with a usable access token. */
export interface RefreshedEvent extends TokenEventBase {
  type: 'refreshed';
  /** `lwa`: this process called LWA; `store`: another holder had refreshed, its record was used. */
  source: 'lwa' | 'store';
  /** Whether LWA returned a new refresh token (always false for source `store`). */
  rotated: boolean;
  /** Time from the start of the refresh to its end, lock wait included (ms). */
  durationMs: number;
  /** LWA's request id (`x-amzn-RequestId`), for source `lwa` when LWA sent one. */
  requestId?: string;
  /** Seconds the access token now held lives. */
  expiresInSeconds: number;
}

/** A refresh failed; callers waiting for it got the error (unless a still-valid token was served). */
export interface RefreshFailedEvent extends TokenEventBase {
  type: 'refresh_failed';
  /** Stable code of the error (`TOKEN_REFRESH_FAILED`, `INVALID_GRANT`, `LOCK_TIMEOUT`, ...), `UNKNOWN` for a foreign error. */
  code: AdsTokenErrorCode | 'UNKNOWN';
  /** The error's message (never holds a token or secret). */
  message: string;
  /** Time from the start of the refresh to the failure (ms). */
  durationMs: number;
  /** LWA's request id, when the failure was an LWA answer. */
  requestId?: string;
  /** True when it ran in the background while a valid token was served. */
  background: boolean;
}

/** A token request to LWA failed in a way worth retrying; the next attempt follows after `delayMs`. */
export interface RetryEvent extends TokenEventBase {
  type: 'retry';
  /** Attempt that failed (1-based). */
  attempt: number;
  /** Backoff before the next attempt (ms; Retry-After honoured). */
  delayMs: number;
  /** HTTP status, absent for a network failure. */
  status?: number;
  /** LWA's request id of the failed attempt, when it sent one. */
  requestId?: string;
}

/** LWA refused the refresh token (`invalid_grant`) and the grant was marked revoked in the store. */
export interface RevokedEvent extends TokenEventBase {
  type: 'revoked';
  /** LWA's `error_description`. */
  description?: string;
  /** LWA's request id. */
  requestId?: string;
}

/** The refresh lock was acquired after waiting (emitted only when the wait took more than 0 ms). */
export interface LockWaitedEvent extends TokenEventBase {
  type: 'lock_waited';
  /** How long acquiring the refresh lock took (ms). */
  waitedMs: number;
}

/** The lock backend failed and the refresh went ahead without it (the unsafe opt-in `refreshWithoutLockWhenUnavailable`). */
export interface LockUnavailableEvent extends TokenEventBase {
  type: 'lock_unavailable';
  /** The lock error's message (never holds a secret). */
  message: string;
}

/** New credentials were stored for the grant. */
export interface AuthenticatedEvent extends TokenEventBase {
  type: 'authenticated';
  /** `code`: an authorization code exchange; `refresh_token`: setRefreshToken. */
  method: 'code' | 'refresh_token';
  /** LWA's request id (method `code`). */
  requestId?: string;
}

/** LWA answered but the store refused the write: the new tokens are held in memory and the write is retried. */
export interface CommitPendingEvent extends TokenEventBase {
  type: 'commit_pending';
  /** Stable code of the store error, `UNKNOWN` for a foreign error. */
  code: AdsTokenErrorCode | 'UNKNOWN';
  /** The store error's message (never holds a secret). */
  message: string;
  /** Failed write attempts so far (1-based). */
  attempt: number;
}

/** Tokens that were held only in memory after a `commit_pending` reached the store. */
export interface CommitRecoveredEvent extends TokenEventBase {
  type: 'commit_recovered';
  /** Write attempts it took, the one that landed included. */
  attempts: number;
  /** Time the tokens were held only in memory (ms). */
  pendingMs: number;
}

/**
 * The grant's stored record could not be read: it does not open with the encryption key(s) given
 * (`DECRYPTION_FAILED`) or does not parse (`CORRUPT_RECORD`). Emitted instead of `refresh_failed`:
 * no refresh was attempted, and the record is left as it is.
 */
export interface RecordUnreadableEvent extends TokenEventBase {
  type: 'record_unreadable';
  /** Stable code of the error. */
  code: AdsTokenErrorCode | 'UNKNOWN';
  /** The error's message (names the key, never holds a token or secret). */
  message: string;
}

/** The grant's tokens were deleted (`clearTokens`). */
export interface ClearedEvent extends TokenEventBase {
  type: 'cleared';
}

/**
 * What a {@link TokenManager} reports to its listeners (`onEvent`, `addListener`), one member per
 * `type`. Events never carry a token or secret. The full schema is documented in
 * docs/observability.md.
 */
export type TokenEvent =
  | RefreshedEvent
  | RefreshFailedEvent
  | RetryEvent
  | RevokedEvent
  | LockWaitedEvent
  | LockUnavailableEvent
  | AuthenticatedEvent
  | CommitPendingEvent
  | CommitRecoveredEvent
  | RecordUnreadableEvent
  | ClearedEvent;

/** The `type` of every {@link TokenEvent}. */
export type TokenEventType = TokenEvent['type'];

/**
 * Receives {@link TokenEvent}s, synchronously, in the async context of the call that caused them.
 * A listener that throws (or returns a rejected promise) is ignored: it never breaks a refresh.
 */
export type TokenEventListener = (event: TokenEvent) => void;
