import type { TokenInfo, TokenManager } from '@ads-token/core';

/**
 * The authorization-code flow against a consent page that answers with a redirect (the LWA
 * simulator approves at once): consent URL with PKCE, follow it without following the redirect,
 * then hand the redirect URL back to the manager, which checks `state` and exchanges the code.
 */
export async function signInWithConsent(manager: TokenManager): Promise<TokenInfo> {
  const { url, state, codeVerifier } = await manager.createAuthorizationUrl({ pkce: true });
  const consent = await fetch(url, { redirect: 'manual' });
  await consent.arrayBuffer();
  const location = consent.headers.get('location');
  if (consent.status < 300 || consent.status >= 400 || location === null) {
    throw new Error(`the consent page answered ${consent.status} without a redirect`);
  }
  return manager.authenticateWithRedirect(location, { state, codeVerifier });
}
