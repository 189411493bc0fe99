import { createHash, randomBytes } from 'node:crypto';

/** How long an authorization code lives. */
export const CODE_LIFETIME_MS = 5 * 60_000;

interface CodeEntry {
  redirectUri: string;
  codeChallenge: string | undefined;
  scope: string;
  expiresAt: number;
  used: boolean;
}

interface GrantEntry {
  revoked: boolean;
  current: string;
  /** The grant's first refresh token: its name for tests, whatever rotations followed. */
  first: string;
}

/** Why a code exchange was refused. */
export type CodeRefusal = 'unknown' | 'used' | 'expired' | 'redirect_uri' | 'code_verifier';

/** Random token text, URL-safe. */
export function randomToken(bytes = 48): string {
  return randomBytes(bytes).toString('base64url');
}

/** base64url(SHA-256(verifier)): the PKCE S256 challenge. */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** The simulator's memory of codes, grants, refresh tokens and access tokens. */
export class LwaGrantBook {
  private readonly codes = new Map<string, CodeEntry>();
  private readonly grants = new Map<number, GrantEntry>();
  private readonly refreshTokens = new Map<string, number>();
  private readonly accessTokens = new Map<string, { expiresAt: number; grant: number | undefined }>();
  private nextGrant = 1;

  constructor(private readonly now: () => number) {}

  /** Makes a single-use code. */
  issueCode(redirectUri: string, scope: string, codeChallenge?: string): string {
    const code = `ANsim${randomToken(15)}`;
    this.codes.set(code, { redirectUri, scope, codeChallenge, expiresAt: this.now() + CODE_LIFETIME_MS, used: false });
    return code;
  }

  /** Consumes a code (any attempt uses it up); returns why it was refused, or undefined when it is good. */
  redeemCode(code: string, redirectUri: string | null, codeVerifier: string | null): CodeRefusal | undefined {
    const entry = this.codes.get(code);
    if (!entry) return 'unknown';
    if (entry.used) return 'used';
    entry.used = true;
    if (this.now() >= entry.expiresAt) return 'expired';
    if (redirectUri !== entry.redirectUri) return 'redirect_uri';
    if (entry.codeChallenge !== undefined && (codeVerifier === null || s256(codeVerifier) !== entry.codeChallenge)) {
      return 'code_verifier';
    }
    return undefined;
  }

  /** Starts a new grant; returns its first refresh token. */
  newGrant(): string {
    const id = this.nextGrant++;
    const token = `Atzr|${randomToken()}`;
    this.grants.set(id, { revoked: false, current: token, first: token });
    this.refreshTokens.set(token, id);
    return token;
  }

  /** True when the refresh token is its grant's current one and the grant is not revoked. */
  isUsableRefreshToken(token: string): boolean {
    const grant = this.grantOf(token);
    return grant !== undefined && !grant.revoked && grant.current === token;
  }

  /** The current refresh token of the grant `token` belongs to. */
  currentOf(token: string): string | undefined {
    return this.grantOf(token)?.current;
  }

  /** Replaces a grant's refresh token with a new one (the old one stops working). */
  rotate(token: string): string {
    const id = this.refreshTokens.get(token);
    const grant = id === undefined ? undefined : this.grants.get(id);
    if (id === undefined || !grant) throw new Error('Unknown refresh token');
    const next = `Atzr|${randomToken()}`;
    grant.current = next;
    this.refreshTokens.set(next, id);
    return next;
  }

  /** Revokes the grant a refresh token (current or rotated-away) belongs to. */
  revoke(token: string): void {
    const grant = this.grantOf(token);
    if (grant) grant.revoked = true;
  }

  /** Makes an access token that expires after `lifetimeSeconds`, for the grant of `refreshToken`. */
  newAccessToken(lifetimeSeconds: number, refreshToken: string): string {
    const token = `Atza|${randomToken()}`;
    this.accessTokens.set(token, { expiresAt: this.now() + lifetimeSeconds * 1000, grant: this.refreshTokens.get(refreshToken) });
    return token;
  }

  /** True for an access token issued here and not yet expired. */
  isValidAccessToken(token: string): boolean {
    const entry = this.accessTokens.get(token);
    return entry !== undefined && this.now() < entry.expiresAt;
  }

  /**
   * The first refresh token of the grant an access token or refresh token (current or rotated-away)
   * belongs to: a name for the grant that stays the same across rotations. Undefined for unknown tokens.
   */
  grantNameOf(token: string): string | undefined {
    const access = this.accessTokens.get(token);
    const id = access === undefined ? this.refreshTokens.get(token) : access.grant;
    return id === undefined ? undefined : this.grants.get(id)?.first;
  }

  private grantOf(token: string): GrantEntry | undefined {
    const id = this.refreshTokens.get(token);
    return id === undefined ? undefined : this.grants.get(id);
  }
}
