import {
  InvalidClientError,
  InvalidGrantError,
  InvalidResponseError,
  TokenRefreshError,
  type LwaErrorDetails,
} from './errors.js';
import type { HttpResponse } from './http-client.js';

/** Which grant a token request used. */
export type GrantType = 'authorization_code' | 'refresh_token';

/** A successful LWA token response, validated. */
export interface TokenResponse {
  /** `Atza|...` */
  accessToken: string;
  /** Present when LWA returned one (always on a code exchange; maybe rotated on a refresh). */
  refreshToken: string | undefined;
  /** Lifetime in seconds. */
  expiresIn: number;
  /** LWA's request id. */
  requestId: string | undefined;
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

/** Reads a token response: the tokens on 200, else a typed error and whether to retry. */
export function readTokenResponse(response: HttpResponse, grantType: GrantType): { ok: true; value: TokenResponse } | ({ ok: false } & TokenFailure) {
  const json = parseJson(response.body);
  const requestId = str(response.headers['x-amzn-requestid']) ?? str(json?.request_id);
  const details: LwaErrorDetails = { status: response.status, requestId, grantType };
  if (response.status === 200) {
    const invalid = (what: string): { ok: false } & TokenFailure => ({
      ok: false,
      retryable: false,
      error: new InvalidResponseError(`LWA returned a malformed token response (${what})`, details),
    });
    if (json === undefined) return invalid('not a JSON object');
    const accessToken = str(json.access_token);
    if (accessToken === undefined) return invalid('no access_token');
    const expiresIn = typeof json.expires_in === 'string' && /^\d+$/.test(json.expires_in) ? Number(json.expires_in) : json.expires_in;
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) return invalid('bad expires_in');
    if (json.token_type !== undefined && (typeof json.token_type !== 'string' || json.token_type.toLowerCase() !== 'bearer')) {
      return invalid('token_type is not bearer');
    }
    if (json.refresh_token !== undefined && str(json.refresh_token) === undefined) return invalid('bad refresh_token');
    return { ok: true, value: { accessToken, refreshToken: str(json.refresh_token), expiresIn, requestId } };
  }
  const lwaError = str(json?.error);
  const described: LwaErrorDetails = { ...details, lwaError, lwaErrorDescription: str(json?.error_description) };
  const transient = response.status === 408 || response.status === 429 || response.status >= 500;
  if (transient) {
    return {
      ok: false,
      retryable: true,
      retryAfter: response.headers['retry-after'],
      error: new TokenRefreshError(`LWA answered HTTP ${response.status}`, described),
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
