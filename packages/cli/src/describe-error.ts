import {
  AdsTokenError,
  AuthorizationDeniedError,
  ConfigurationError,
  CorruptRecordError,
  DecryptionError,
  HttpTransportError,
  InvalidClientError,
  InvalidGrantError,
  InvalidResponseError,
  LockTimeoutError,
  NotAuthenticatedError,
  StateMismatchError,
  StoreUnavailableError,
  TokenRefreshError,
} from '@ads-token/core';
import { UnsafeTokenFileError } from '@ads-token/store-file';
import { CliError } from './cli-error.js';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';

/** What to tell the user about a failure, and the exit code. */
export interface FailureReport {
  /** Exit status. */
  exitCode: ExitCode;
  /** One line saying what went wrong. */
  message: string;
  /** What to do about it, when known. */
  hint: string | undefined;
}

/** Context that sharpens the hints: which grant, and whether a code exchange was under way. */
export interface FailureContext {
  grant: string;
  duringLogin?: boolean;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

/**
 * The error's message, naming what failed: core's LWA errors all start with "Token refresh failed"
 * (the Python library's phrase), which is wrong for a code exchange, where no refresh happened.
 */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof TokenRefreshError && error.grantType === 'authorization_code') {
    return error.message.replace(/^Token refresh failed/, 'Exchanging the authorization code with LWA failed');
  }
  return error.message;
}

/** Maps any error to an exit code, a message and a hint. Messages of core errors never hold a secret. */
export function describeError(error: unknown, context: FailureContext): FailureReport {
  const grant = context.grant === 'default' ? '' : ` --grant ${context.grant}`;
  const report = (exitCode: ExitCode, hint?: string, message?: string): FailureReport => ({
    exitCode,
    message: message ?? describeFailure(error),
    hint,
  });
  if (error instanceof CliError) return report(error.exitCode, error.hint);
  if (isAbort(error)) return report(EXIT_CODES.interrupted, undefined, 'Interrupted');
  if (!(error instanceof AdsTokenError)) {
    return report(EXIT_CODES.other);
  }
  if (error instanceof UnsafeTokenFileError) return report(EXIT_CODES.storeUnavailable);
  if (error instanceof ConfigurationError) return report(EXIT_CODES.usage);
  if (error instanceof NotAuthenticatedError) {
    return report(EXIT_CODES.notAuthenticated, `Run 'ads-token login${grant}' (or 'ads-token import${grant}') first.`);
  }
  if (error instanceof InvalidGrantError) {
    return context.duringLogin
      ? report(EXIT_CODES.invalidGrant, "The authorization code was refused: codes expire after 5 minutes and work once. Run 'ads-token login' again.")
      : report(EXIT_CODES.invalidGrant, `The grant was revoked or is no longer valid: the advertiser must consent again with 'ads-token login${grant}'.`);
  }
  if (error instanceof InvalidClientError || (error instanceof TokenRefreshError && error.lwaError === 'unauthorized_client')) {
    return report(EXIT_CODES.invalidClient, 'Check the client id and ADS_CLIENT_SECRET (Amazon developer console, Login with Amazon security profile).');
  }
  const networkHint = 'Check the network (and --token-url / ADS_TOKEN_URL when set), then try again.';
  if (error instanceof HttpTransportError || error instanceof InvalidResponseError) return report(EXIT_CODES.unavailable, networkHint);
  if (error instanceof TokenRefreshError) {
    const status = error.status;
    if (status === undefined) return report(EXIT_CODES.unavailable, networkHint);
    if (status >= 500 || status === 408 || status === 429) {
      return report(EXIT_CODES.unavailable, 'Login with Amazon is unavailable; try again later.');
    }
    return report(EXIT_CODES.other);
  }
  if (error instanceof StoreUnavailableError || error instanceof LockTimeoutError) {
    return report(EXIT_CODES.storeUnavailable, 'Check the token store (--store / ADS_TOKEN_STORE) and try again.');
  }
  if (error instanceof DecryptionError || error instanceof CorruptRecordError) {
    return report(
      EXIT_CODES.unreadable,
      'Records open only with the key they were sealed with: check ADS_ENCRYPTION_KEY (or, when it is not set, the client secret). ' +
        `'ads-token logout${grant}' removes an unreadable grant.`,
    );
  }
  if (error instanceof StateMismatchError) {
    return report(EXIT_CODES.consentFailed, "The redirect does not belong to this login (stale or forged link). Run 'ads-token login' again and use the new URL.");
  }
  if (error instanceof AuthorizationDeniedError) {
    return report(EXIT_CODES.consentFailed, "Consent was not given. Run 'ads-token login' again and approve the request.");
  }
  return report(EXIT_CODES.other);
}
