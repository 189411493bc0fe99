import { afterEach, describe, expect, it } from 'vitest';
import { AuthorizationDeniedError, buildAuthorizationUrl, parseRedirectUrl } from '@ads-token/core';
import { LwaSimulator } from '../src/index.js';
import type { LwaSimulatorOptions } from '../src/index.js';

let lwa: LwaSimulator | undefined;
afterEach(async () => {
  await lwa?.stop();
  lwa = undefined;
});

async function start(options: LwaSimulatorOptions = {}): Promise<LwaSimulator> {
  lwa = await LwaSimulator.start(options);
  return lwa;
}

/** Opens the consent URL like a browser whose user already decided; returns the response without following it. */
async function consent(url: string): Promise<{ status: number; location: string | null; requestId: string | null; text: string }> {
  const response = await fetch(url, { redirect: 'manual' });
  return {
    status: response.status,
    location: response.headers.get('location'),
    requestId: response.headers.get('x-amzn-requestid'),
    text: await response.text(),
  };
}

async function exchange(sim: LwaSimulator, code: string, redirectUri: string, codeVerifier?: string): Promise<Response> {
  const params: Record<string, string> = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    client_id: sim.clientId,
    client_secret: sim.clientSecret,
  };
  if (codeVerifier !== undefined) params.code_verifier = codeVerifier;
  return fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
}

function consentUrl(sim: LwaSimulator, params: Record<string, string>): string {
  const url = new URL(sim.authorizationUrl);
  const all: Record<string, string> = {
    client_id: sim.clientId,
    scope: 'advertising::campaign_management',
    response_type: 'code',
    redirect_uri: 'https://localhost',
    state: 'st-123',
    ...params,
  };
  for (const [name, value] of Object.entries(all)) url.searchParams.set(name, value);
  return url.toString();
}

describe('LwaSimulator consent endpoint', () => {
  it('approves: redirects with code, scope and state, and the code exchanges', async () => {
    const sim = await start();
    const request = await buildAuthorizationUrl({
      authorizationUrl: sim.authorizationUrl,
      clientId: sim.clientId,
      redirectUri: 'https://localhost',
      scope: 'advertising::campaign_management',
    });
    const answer = await consent(request.url);
    expect(answer.status).toBe(302);
    expect(answer.requestId).toBeTruthy();
    const location = new URL(answer.location!);
    expect(`${location.origin}${location.pathname}`).toBe('https://localhost/');
    expect(location.searchParams.get('state')).toBe(request.state);
    expect(location.searchParams.get('scope')).toBe('advertising::campaign_management');
    const { code } = parseRedirectUrl(answer.location!, request.state);
    const token = await exchange(sim, code, 'https://localhost');
    expect(token.status).toBe(200);
    expect(((await token.json()) as { refresh_token: string }).refresh_token).toMatch(/^Atzr\|/);
  });

  it('binds the code to the PKCE challenge sent to the consent page', async () => {
    const sim = await start();
    const request = await buildAuthorizationUrl({
      authorizationUrl: sim.authorizationUrl,
      clientId: sim.clientId,
      redirectUri: 'https://localhost',
      scope: 'advertising::campaign_management',
      pkce: true,
    });
    const first = parseRedirectUrl((await consent(request.url)).location!, request.state);
    const withoutVerifier = await exchange(sim, first.code, 'https://localhost');
    expect(withoutVerifier.status).toBe(400);
    expect(((await withoutVerifier.json()) as { error: string }).error).toBe('invalid_grant');
    const second = parseRedirectUrl((await consent(request.url)).location!, request.state);
    const withVerifier = await exchange(sim, second.code, 'https://localhost', request.codeVerifier);
    expect(withVerifier.status).toBe(200);
    await withVerifier.text();
  });

  it('redirects with the configured error when consent is refused', async () => {
    const sim = await start({ consent: { error: 'access_denied', description: 'The user denied the request' } });
    const answer = await consent(consentUrl(sim, {}));
    expect(answer.status).toBe(302);
    const location = new URL(answer.location!);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('error_description')).toBe('The user denied the request');
    expect(location.searchParams.get('state')).toBe('st-123');
    expect(location.searchParams.has('code')).toBe(false);
    expect(() => parseRedirectUrl(answer.location!, 'st-123')).toThrow(AuthorizationDeniedError);
  });

  it('switches behaviour with setConsent', async () => {
    const sim = await start();
    sim.setConsent({ error: 'invalid_scope' });
    const refused = new URL((await consent(consentUrl(sim, {}))).location!);
    expect(refused.searchParams.get('error')).toBe('invalid_scope');
    expect(refused.searchParams.has('error_description')).toBe(false);
    sim.setConsent('approve');
    const approved = new URL((await consent(consentUrl(sim, {}))).location!);
    expect(approved.searchParams.get('code')).toBeTruthy();
  });

  it('accepts any configured redirect URI and keeps its own query', async () => {
    const sim = await start({ redirectUris: ['https://app.example/cb?tenant=7'] });
    const answer = await consent(consentUrl(sim, { redirect_uri: 'https://app.example/cb?tenant=7' }));
    const location = new URL(answer.location!);
    expect(location.searchParams.get('tenant')).toBe('7');
    const code = location.searchParams.get('code')!;
    const token = await exchange(sim, code, 'https://app.example/cb?tenant=7');
    expect(token.status).toBe(200);
    await token.text();
  });

  it('shows an error page, not a redirect, for an unknown client or redirect URI', async () => {
    const sim = await start();
    const badClient = await consent(consentUrl(sim, { client_id: 'someone-else' }));
    expect(badClient.status).toBe(400);
    expect(badClient.location).toBeNull();
    const badRedirect = await consent(consentUrl(sim, { redirect_uri: 'https://evil.example/' }));
    expect(badRedirect.status).toBe(400);
    expect(badRedirect.location).toBeNull();
  });

  it('redirects with an error for a bad response_type, missing scope or non-S256 PKCE', async () => {
    const sim = await start();
    const errorOf = async (params: Record<string, string>): Promise<string | null> =>
      new URL((await consent(consentUrl(sim, params))).location!).searchParams.get('error');
    expect(await errorOf({ response_type: 'token' })).toBe('unsupported_response_type');
    expect(await errorOf({ scope: '' })).toBe('invalid_scope');
    expect(await errorOf({ code_challenge: 'abc', code_challenge_method: 'plain' })).toBe('invalid_request');
  });

  it('does not count consent requests as token requests', async () => {
    const sim = await start();
    await consent(consentUrl(sim, {}));
    expect(sim.counts.total).toBe(0);
  });
});
