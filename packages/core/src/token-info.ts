/** Status of a grant as `getTokenInfo` reports it. */
export type TokenStatus = 'valid' | 'expiring' | 'expired' | 'no_access_token' | 'revoked' | 'not_authenticated';

/** What `getTokenInfo` returns: never a token. */
export interface TokenInfo {
  /** `valid`; `expiring` (inside the refresh buffer); `expired`; `no_access_token` (refresh token only); `revoked` (re-consent needed); `not_authenticated`. */
  status: TokenStatus;
  /** Seconds until the access token expires (0 when expired or absent). */
  expiresInSeconds: number;
  /** True when there is no usable access token. */
  isExpired: boolean;
  /** When the access token expires. */
  expiresAt: Date | undefined;
  /** Whether a refresh token is stored. */
  hasRefreshToken: boolean;
  /** When the advertiser consented (code exchange), when known. */
  consentedAt: Date | undefined;
  /** The grant. */
  grantId: string;
}
