import {
  InvalidClientError,
  InvalidGrantError,
  InvalidResponseError,
  TokenRefreshError,
  type LwaErrorDetails,
} from '../errors.js';
import type { HttpResponse } from '../http-client.js';
import { hasControlCharacter, redactNetworkText } from './network-text.js';

/** Which grant a token request used. */
export type GrantType = 'authorization_code' | 'refresh_token';

/** Longest access token lifetime accepted; LWA says 3600. Longer values are clamped to it. */
export const MAX_EXPIRES_IN_SECONDS = 86_400;

/**
 * A successful LWA token response. When the access token part is unusable but a refresh token
 * arrived, `accessToken` is undefined and `problem` says what was wrong: the refresh token must
 * still be kept.
 */
export interface TokenResponse {
  /** `Atza|...`; undefined when `problem` is set. */
  accessToken: string | undefined;
  /** Present when LWA returned one (always on a code exchange; maybe rotated on a refresh). */
  refreshToken: string | undefined;
  /** Lifetime in seconds, clamped to 0..{@link MAX_EXPIRES_IN_SECONDS}. */
  expiresIn: number;
  /** LWA's request id. */
  requestId: string | undefined;
  /** Why the access token part was refused, when it was. */
  problem?: InvalidResponseError;
}

/** What to do with a failed token response. */
export type TokenFailure =
  | { retryable: true; error: TokenRefreshError; retryAfter: string | undefined }
  | { retryable: false; error: TokenRefreshError };

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** A token LWA could have issued: a non-empty string without spaces or control characters. */
function tokenText(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= 8192 && !/\s/.test(v) && !hasControlCharacter(v) ? v : undefined;
}

/** `expires_in` as a number or a numeric string, clamped to 0..MAX; undefined when it is neither. */
export function parseExpiresIn(value: unknown): number | undefined {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)) n = Number(value);
  else return undefined;
  if (Number.isNaN(n)) return undefined;
  return Math.min(MAX_EXPIRES_IN_SECONDS, Math.max(0, Math.floor(n)));
}

/**
 * Reads a token response: the tokens on 200, else a typed error and whether to retry. Every text
 * that came from LWA is passed through {@link redactNetworkText} with `secrets` first.
 */
export function readTokenResponse(
  response: HttpResponse,
  grantType: GrantType,
  secrets: readonly (string | undefined)[] = [],
): { ok: true; value: TokenResponse } | ({ ok: false } & TokenFailure) {
  const json = parseJson(response.body);
  const clean = (v: unknown): string | undefined => redactNetworkText(str(v), secrets);
  const requestId = clean(response.headers['x-amzn-requestid']) ?? clean(json?.request_id);
  const details: LwaErrorDetails = { status: response.status, requestId, grantType };
  if (response.status === 200) {
    const invalid = (what: string): InvalidResponseError => new InvalidResponseError(`LWA returned a malformed token response (${what})`, details);
    if (json === undefined) return { ok: false, retryable: false, error: invalid('not a JSON object') };
    if (json.refresh_token !== undefined && tokenText(json.refresh_token) === undefined) {
      return { ok: false, retryable: false, error: invalid('bad refresh_token') };
    }
    const refreshToken = tokenText(json.refresh_token);
    let problem: InvalidResponseError | undefined;
    const accessToken = tokenText(json.access_token);
    const expiresIn = parseExpiresIn(json.expires_in);
    if (accessToken === undefined) {
      problem = invalid(typeof json.access_token === 'string' && json.access_token.length > 0 ? 'access_token holds spaces or control characters' : 'no access_token');
    } else if (expiresIn === undefined) {
      problem = invalid('bad expires_in');
    } else if (json.token_type !== undefined && (typeof json.token_type !== 'string' || json.token_type.toLowerCase() !== 'bearer')) {
      problem = invalid('token_type is not bearer');
    }
    if (problem === undefined) return { ok: true, value: { accessToken, refreshToken, expiresIn: expiresIn!, requestId } };
    // Whatever else is odd, a refresh token that arrived is kept.
    if (refreshToken !== undefined) return { ok: true, value: { accessToken: undefined, refreshToken, expiresIn: 0, requestId, problem } };
    return { ok: false, retryable: false, error: problem };
  }
  const lwaError = clean(json?.error);
  const described: LwaErrorDetails = { ...details, lwaError, lwaErrorDescription: clean(json?.error_description) };
  const transient = response.status === 408 || response.status === 429 || response.status >= 500;
  if (transient) {
    return {
      ok: false,
      retryable: true,
      retryAfter: response.headers['retry-after'],
      error: new TokenRefreshError(`LWA answered HTTP ${response.status}`, described),
    };
  }
  if (response.status >= 300 && response.status < 400) {
    return {
      ok: false,
      retryable: false,
      error: new InvalidResponseError(`LWA answered with a redirect (HTTP ${response.status}); token requests never follow redirects`, described),
    };
  }
  if (lwaError === 'invalid_grant') {
    const summary =
      grantType === 'refresh_token'
        ? 'the refresh token was refused (invalid_grant); the advertiser must consent again'
        : 'the authorization code was refused (invalid_grant); codes work once and expire after 5 minutes';
    return { ok: false, retryable: false, error: new InvalidGrantError(summary, described) };
  }
  if (lwaError === 'invalid_client' || (response.status === 401 && lwaError === undefined)) {
    return { ok: false, retryable: false, error: new InvalidClientError('LWA refused the client id or secret', described) };
  }
  if (json === undefined) {
    return { ok: false, retryable: false, error: new InvalidResponseError(`LWA answered HTTP ${response.status} with a body that is not JSON`, described) };
  }
  return { ok: false, retryable: false, error: new TokenRefreshError(`LWA refused the request`, described) };
}
