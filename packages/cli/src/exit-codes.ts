/** Exit status of `ads-token` for each kind of outcome. */
export const EXIT_CODES = Object.freeze({
  /** The command did what it was asked. */
  ok: 0,
  /** An unexpected failure (a bug, or an error of a kind not listed here). */
  other: 1,
  /** Bad command line or configuration (unknown flag, missing client id or secret, bad config file). */
  usage: 2,
  /** No tokens are stored for the grant: run `login` or `import`. */
  notAuthenticated: 3,
  /** LWA refused the grant (`invalid_grant`): the refresh token was revoked (consent again) or the code expired or was used. */
  invalidGrant: 4,
  /** LWA refused the client (`invalid_client`, `unauthorized_client`): check the client id and secret. */
  invalidClient: 5,
  /** LWA or the Ads API could not be reached or failed (network, timeout, 5xx, 429, unexpected answer). */
  unavailable: 6,
  /** The token store or its lock is unavailable or unsafe (Redis down, lock timeout, token file permissions). */
  storeUnavailable: 7,
  /** A stored record does not open (wrong encryption key or client secret) or is corrupt. */
  unreadable: 8,
  /** Consent did not complete: state mismatch, access denied, or no redirect in time. */
  consentFailed: 9,
  /** The Ads API refused a request (4xx other than throttling). */
  apiRefused: 10,
  /** `status --check`: a grant needs attention (revoked, unreadable, expired with no refresh token, or near the consent limit). */
  attention: 11,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
});

/** One of the values of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
