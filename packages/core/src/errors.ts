/** Stable codes of every error this library throws. */
export type AdsTokenErrorCode =
  | 'NOT_AUTHENTICATED'
  | 'TOKEN_REFRESH_FAILED'
  | 'INVALID_GRANT'
  | 'INVALID_CLIENT'
  | 'INVALID_RESPONSE'
  | 'HTTP_TRANSPORT'
  | 'LOCK_TIMEOUT'
  | 'STORE_UNAVAILABLE'
  | 'DECRYPTION_FAILED'
  | 'CORRUPT_RECORD'
  | 'STATE_MISMATCH'
  | 'AUTHORIZATION_DENIED'
  | 'PROFILE_NOT_FOUND'
  | 'CONFIGURATION';

/** Options shared by every error constructor. */
export interface AdsTokenErrorOptions {
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The brand every error of this library carries. `Symbol.for` gives the same symbol in every copy of
 * the package (an ESM and a CommonJS copy in one app, two installed versions), so errors are
 * recognised by it where `instanceof` against one copy's class would fail.
 */
export const ADS_TOKEN_ERROR_BRAND: unique symbol = Symbol.for('ads-token.error') as never;

/** Codes an instance of each of core's classes can carry (a class and its subclasses). */
const CLASS_CODES: Readonly<Record<string, readonly string[]>> = {
  NotAuthenticatedError: ['NOT_AUTHENTICATED'],
  TokenRefreshError: ['TOKEN_REFRESH_FAILED', 'INVALID_GRANT', 'INVALID_CLIENT', 'INVALID_RESPONSE'],
  InvalidGrantError: ['INVALID_GRANT'],
  InvalidClientError: ['INVALID_CLIENT'],
  InvalidResponseError: ['INVALID_RESPONSE'],
  HttpTransportError: ['HTTP_TRANSPORT'],
  LockTimeoutError: ['LOCK_TIMEOUT'],
  StoreUnavailableError: ['STORE_UNAVAILABLE'],
  DecryptionError: ['DECRYPTION_FAILED'],
  CorruptRecordError: ['CORRUPT_RECORD'],
  StateMismatchError: ['STATE_MISMATCH'],
  AuthorizationDeniedError: ['AUTHORIZATION_DENIED'],
  ConfigurationError: ['CONFIGURATION'],
};

/**
 * True when `value` is an error of this library from any copy of it (its brand and a string `code`),
 * and, when `code` is given, carries that code.
 */
export function isAdsTokenError(value: unknown, code?: AdsTokenErrorCode): value is AdsTokenError {
  if (typeof value !== 'object' || value === null) return false;
  const branded = value as { [ADS_TOKEN_ERROR_BRAND]?: unknown; code?: unknown };
  if (branded[ADS_TOKEN_ERROR_BRAND] !== true || typeof branded.code !== 'string') return false;
  return code === undefined || branded.code === code;
}

/** True when a constructor named `name` is in the prototype chain of `value`. */
function descendsFrom(value: object, name: string): boolean {
  for (let proto: unknown = Object.getPrototypeOf(value); proto !== null && proto !== undefined; proto = Object.getPrototypeOf(proto)) {
    const ctor = (proto as { constructor?: unknown }).constructor;
    if (typeof ctor === 'function' && ctor.name === name) return true;
  }
  return false;
}

/** Base class of every error this library throws: a stable `code`, a `cause`, and never a secret in the message. */
export class AdsTokenError extends Error {
  /** Stable, machine-readable code. */
  readonly code: AdsTokenErrorCode;

  /** Creates an error with a stable code. */
  constructor(code: AdsTokenErrorCode, message: string, options?: AdsTokenErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, ADS_TOKEN_ERROR_BRAND, { value: true });
  }

  /**
   * `instanceof` that also recognises errors made by another copy of this package (CommonJS and ESM
   * copies in one app): the brand, a code this class can carry, and a class of the same name in the
   * error's prototype chain. Subclasses, this package's and other packages', inherit it.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (!isAdsTokenError(value)) return false;
    if (this === AdsTokenError) return true;
    const codes = Object.hasOwn(CLASS_CODES, this.name) ? CLASS_CODES[this.name] : undefined;
    if (codes !== undefined && !codes.includes(value.code)) return false;
    return descendsFrom(value, this.name);
  }
}

/** No tokens are stored for this grant: authenticate first ("Not authenticated"). */
export class NotAuthenticatedError extends AdsTokenError {
  /** Creates the error; `detail` is appended to "Not authenticated". */
  constructor(detail?: string, options?: AdsTokenErrorOptions) {
    super('NOT_AUTHENTICATED', detail ? `Not authenticated: ${detail}` : 'Not authenticated', options);
  }
}

/** What LWA said about a failed token request. */
export interface LwaErrorDetails extends AdsTokenErrorOptions {
  /** HTTP status of LWA's answer, when there was one. */
  status?: number;
  /** LWA's `error` field (`invalid_grant`, `unauthorized_client`, ...). */
  lwaError?: string;
  /** LWA's `error_description`. */
  lwaErrorDescription?: string;
  /** LWA's request id (`x-amzn-RequestId` header or `request_id` field). */
  requestId?: string;
  /** Which grant the request used. */
  grantType?: 'authorization_code' | 'refresh_token';
}

function describe(summary: string, details: LwaErrorDetails): string {
  const parts = [summary];
  if (details.lwaError) parts.push(`${details.lwaError}${details.lwaErrorDescription ? `: ${details.lwaErrorDescription}` : ''}`);
  else if (details.lwaErrorDescription) parts.push(details.lwaErrorDescription);
  if (details.status !== undefined) parts.push(`HTTP ${details.status}`);
  if (details.requestId) parts.push(`request id ${details.requestId}`);
  return parts.join(' - ');
}

/** A token request to LWA failed ("Token refresh failed"); carries LWA's error, description and request id. */
export class TokenRefreshError extends AdsTokenError {
  /** HTTP status of LWA's answer, when there was one. */
  readonly status: number | undefined;
  /** LWA's `error` field. */
  readonly lwaError: string | undefined;
  /** LWA's `error_description`. */
  readonly lwaErrorDescription: string | undefined;
  /** LWA's request id. */
  readonly requestId: string | undefined;
  /** Which grant the request used. */
  readonly grantType: 'authorization_code' | 'refresh_token' | undefined;

  /** Creates the error from a summary and LWA's details. */
  constructor(summary: string, details: LwaErrorDetails = {}, code: AdsTokenErrorCode = 'TOKEN_REFRESH_FAILED') {
    super(code, describe(summary.startsWith('Token refresh failed') ? summary : `Token refresh failed: ${summary}`, details), details);
    this.status = details.status;
    this.lwaError = details.lwaError;
    this.lwaErrorDescription = details.lwaErrorDescription;
    this.requestId = details.requestId;
    this.grantType = details.grantType;
  }
}

/** LWA refused the grant (`invalid_grant`): a revoked refresh token needs re-consent; a bad code needs a new one. */
export class InvalidGrantError extends TokenRefreshError {
  /** Creates the error. */
  constructor(summary: string, details: LwaErrorDetails = {}) {
    super(summary, { lwaError: 'invalid_grant', ...details }, 'INVALID_GRANT');
  }
}

/** LWA refused the client id or secret (`invalid_client`). Nothing is written. */
export class InvalidClientError extends TokenRefreshError {
  /** Creates the error. */
  constructor(summary: string, details: LwaErrorDetails = {}) {
    super(summary, { lwaError: 'invalid_client', ...details }, 'INVALID_CLIENT');
  }
}

/** LWA answered with something that is not a valid token response (HTML, bad JSON, missing fields). */
export class InvalidResponseError extends TokenRefreshError {
  /** Creates the error. */
  constructor(summary: string, details: LwaErrorDetails = {}) {
    super(summary, details, 'INVALID_RESPONSE');
  }
}

/** A network failure or timeout: the retryable kind. Never echoes the request body. */
export class HttpTransportError extends AdsTokenError {
  /** True when the request timed out. */
  readonly timeout: boolean;
  /**
   * True only when the request certainly never reached the server (connection refused, host not
   * found): it may be sent again. Otherwise it may have been processed, and a token request is not re-sent.
   */
  readonly notSent: boolean;

  /** Creates the error. */
  constructor(message: string, options: AdsTokenErrorOptions & { timeout?: boolean; notSent?: boolean } = {}) {
    super('HTTP_TRANSPORT', message, options);
    this.timeout = options.timeout ?? false;
    this.notSent = options.notSent ?? false;
  }
}

/** The lock was not acquired within `waitMs`. */
export class LockTimeoutError extends AdsTokenError {
  /** Creates the error. */
  constructor(message: string, options?: AdsTokenErrorOptions) {
    super('LOCK_TIMEOUT', message, options);
  }
}

/** The token store (or lock backend) cannot be reached. */
export class StoreUnavailableError extends AdsTokenError {
  /** Creates the error. */
  constructor(message: string, options?: AdsTokenErrorOptions) {
    super('STORE_UNAVAILABLE', message, options);
  }
}

/** A stored record does not open: wrong key, tampered data or a foreign format. Nothing is overwritten. */
export class DecryptionError extends AdsTokenError {
  /** Id of the key the record was sealed with, when the envelope names one. */
  readonly keyId: string | undefined;

  /** Creates the error. */
  constructor(message: string, options: AdsTokenErrorOptions & { keyId?: string } = {}) {
    super('DECRYPTION_FAILED', message, options);
    this.keyId = options.keyId;
  }
}

/** A stored record opened but does not hold a valid token record. Nothing is overwritten. */
export class CorruptRecordError extends AdsTokenError {
  /** Creates the error. */
  constructor(message: string, options?: AdsTokenErrorOptions) {
    super('CORRUPT_RECORD', message, options);
  }
}

/** The `state` in a redirect does not match the one sent: possible CSRF, the code is not used. */
export class StateMismatchError extends AdsTokenError {
  /** Creates the error. */
  constructor(message = 'The state in the redirect does not match the state that was sent', options?: AdsTokenErrorOptions) {
    super('STATE_MISMATCH', message, options);
  }
}

/** The consent redirect carried `error=` (access_denied, invalid_scope, ...) instead of a code. */
export class AuthorizationDeniedError extends AdsTokenError {
  /** The redirect's `error` parameter. */
  readonly error: string;
  /** The redirect's `error_description`, when present. */
  readonly errorDescription: string | undefined;

  /** Creates the error. */
  constructor(error: string, errorDescription?: string, options?: AdsTokenErrorOptions) {
    super('AUTHORIZATION_DENIED', `Authorization failed: ${error}${errorDescription ? ` - ${errorDescription}` : ''}`, options);
    this.error = error;
    this.errorDescription = errorDescription;
  }
}

/** Bad options or input (missing client id, malformed code, ...). Nothing was changed. */
export class ConfigurationError extends AdsTokenError {
  /** Creates the error. */
  constructor(message: string, options?: AdsTokenErrorOptions) {
    super('CONFIGURATION', message, options);
  }
}
