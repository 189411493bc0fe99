import { describe, expect, it } from 'vitest';
import {
  AuthorizationDeniedError,
  ConfigurationError,
  REGIONS,
  StateMismatchError,
  buildAuthorizationUrl,
  parseRedirectUrl,
  pkceChallenge,
} from '../src/index.js';

describe('buildAuthorizationUrl', () => {
  it('builds the consent URL with every LWA parameter and a random state', async () => {
    const req = await buildAuthorizationUrl({
      authorizationUrl: REGIONS.EU.authorizationUrl,
      clientId: 'amzn1.application-oa2-client.abc',
      redirectUri: 'https://localhost',
      scope: 'advertising::campaign_management',
    });
    const url = new URL(req.url);
    expect(url.origin + url.pathname).toBe('https://eu.account.amazon.com/ap/oa');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'amzn1.application-oa2-client.abc',
      scope: 'advertising::campaign_management',
      response_type: 'code',
      redirect_uri: 'https://localhost',
      state: req.state,
    });
    expect(req.state.length).toBeGreaterThanOrEqual(32);
    expect(req.codeVerifier).toBeUndefined();
    const again = await buildAuthorizationUrl({ authorizationUrl: REGIONS.NA.authorizationUrl, clientId: 'c', redirectUri: 'https://localhost', scope: 's' });
    expect(again.state).not.toBe(req.state);
  });

  it('adds an S256 PKCE challenge that matches the verifier it returns', async () => {
    const req = await buildAuthorizationUrl({ authorizationUrl: REGIONS.NA.authorizationUrl, clientId: 'c', redirectUri: 'https://localhost', scope: 's', pkce: true, state: 'st' });
    const url = new URL(req.url);
    expect(req.state).toBe('st');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toBe(await pkceChallenge(req.codeVerifier!));
    expect(req.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('matches the RFC 7636 example challenge', async () => {
    expect(await pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('rejects an authorization URL that does not parse', async () => {
    await expect(buildAuthorizationUrl({ authorizationUrl: 'not a url', clientId: 'c', redirectUri: 'r', scope: 's' })).rejects.toBeInstanceOf(ConfigurationError);
  });
});

describe('parseRedirectUrl', () => {
  it('returns the code when the state matches', () => {
    expect(parseRedirectUrl('https://localhost/?code=ANabc&scope=x&state=s1', 's1')).toEqual({ code: 'ANabc' });
  });

  it('refuses a state that does not match', () => {
    expect(() => parseRedirectUrl('https://localhost/?code=ANabc&state=evil', 's1')).toThrow(StateMismatchError);
    expect(() => parseRedirectUrl('https://localhost/?code=ANabc', 's1')).toThrow(StateMismatchError);
  });

  it('turns error redirects into AuthorizationDeniedError with the description', () => {
    try {
      parseRedirectUrl('https://localhost/?error=access_denied&error_description=The+user+denied&state=s1', 's1');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AuthorizationDeniedError);
      expect((e as AuthorizationDeniedError).error).toBe('access_denied');
      expect((e as AuthorizationDeniedError).code).toBe('AUTHORIZATION_DENIED');
      expect((e as Error).message).toContain('The user denied');
    }
  });

  it('reports a redirect with no code', () => {
    expect(() => parseRedirectUrl('https://localhost/?state=s1', 's1')).toThrow(ConfigurationError);
    expect(() => parseRedirectUrl('::', 's1')).toThrow(ConfigurationError);
  });
});
