import { AuthorizationDeniedError, ConfigurationError, StateMismatchError } from './errors.js';
import { createPkcePair, createState } from './pkce.js';

/** The Ads API scope to ask consent for. */
export const DEFAULT_SCOPE = 'advertising::campaign_management';
/** The older scope the Python library used; still accepted by LWA. */
export const LEGACY_SCOPE = 'cpc_advertising:campaign_management';
/** The redirect URI most Amazon apps register. */
export const DEFAULT_REDIRECT_URI = 'https://localhost';

/** Input of {@link buildAuthorizationUrl}. */
export interface AuthorizationUrlInput {
  /** LWA consent page of the region (or a simulator's). */
  authorizationUrl: string;
  /** LWA client id. */
  clientId: string;
  /** Where LWA sends the browser back. */
  redirectUri: string;
  /** Scope to ask for. */
  scope: string;
  /** `state` to send; a random one is made when omitted. */
  state?: string;
  /** Add a PKCE S256 challenge (keep the returned `codeVerifier` for the exchange). */
  pkce?: boolean;
}

/** A consent URL and what to keep until the redirect comes back. */
export interface AuthorizationRequest {
  /** Send the user here. */
  url: string;
  /** Check it on the redirect (`authenticateWithRedirect`). */
  state: string;
  /** Present when PKCE was asked for: pass it to the code exchange. Keep it secret. */
  codeVerifier?: string;
}

/** Builds the LWA consent URL with `client_id`, `scope`, `response_type=code`, `redirect_uri`, `state` and optional PKCE. */
export async function buildAuthorizationUrl(input: AuthorizationUrlInput): Promise<AuthorizationRequest> {
  let url: URL;
  try {
    url = new URL(input.authorizationUrl);
  } catch (cause) {
    throw new ConfigurationError(`authorizationUrl is not a valid URL: ${input.authorizationUrl}`, { cause });
  }
  const state = input.state ?? createState();
  if (state.length === 0) throw new ConfigurationError('state must not be empty');
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('scope', input.scope);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('state', state);
  if (!input.pkce) return { url: url.toString(), state };
  const pair = await createPkcePair();
  url.searchParams.set('code_challenge', pair.codeChallenge);
  url.searchParams.set('code_challenge_method', pair.codeChallengeMethod);
  return { url: url.toString(), state, codeVerifier: pair.codeVerifier };
}

/**
 * Reads the URL LWA redirected to: checks `state`, returns the code, and turns `error=` redirects
 * (access_denied, invalid_scope, ...) into {@link AuthorizationDeniedError}.
 */
export function parseRedirectUrl(redirectUrl: string, expectedState: string): { code: string } {
  let url: URL;
  try {
    url = new URL(redirectUrl);
  } catch (cause) {
    throw new ConfigurationError('The redirect URL is not a valid URL', { cause });
  }
  const params = url.searchParams;
  const error = params.get('error');
  if (error !== null) {
    // An error redirect is reported even without state: there is no code to protect.
    throw new AuthorizationDeniedError(error, params.get('error_description') ?? undefined);
  }
  if (!expectedState) throw new ConfigurationError('The expected state is required to check a redirect');
  if (params.get('state') !== expectedState) throw new StateMismatchError();
  const code = params.get('code');
  if (!code) throw new ConfigurationError('The redirect URL carries no authorization code');
  return { code };
}
