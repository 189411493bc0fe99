import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { pkceChallenge } from '@ads-token/core';
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

interface Answer {
  status: number;
  requestId: string | null;
  body: Record<string, unknown>;
}

async function post(sim: LwaSimulator, params: Record<string, string>, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
    ...init,
  });
  const text = await response.text();
  return { status: response.status, requestId: response.headers.get('x-amzn-requestid'), body: JSON.parse(text) as Record<string, unknown> };
}

function exchange(sim: LwaSimulator, code: string, extra: Record<string, string> = {}): Promise<Answer> {
  return post(sim, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: 'https://localhost',
    client_id: sim.clientId,
    client_secret: sim.clientSecret,
    ...extra,
  });
}

function refresh(sim: LwaSimulator, refreshToken: string): Promise<Answer> {
  return post(sim, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: sim.clientId, client_secret: sim.clientSecret });
}

describe('LwaSimulator token endpoint: authorization_code', () => {
  it('listens on loopback and names its endpoints', async () => {
    const sim = await start();
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.tokenUrl).toBe(`${sim.url}/auth/o2/token`);
    expect(sim.authorizationUrl).toBe(`${sim.url}/ap/oa`);
    expect(sim.clientId).toBe('amzn1.application-oa2-client.sim');
    expect(sim.clientSecret.length).toBeGreaterThan(10);
  });

  it('exchanges a code for Atza|/Atzr| tokens with a request id header', async () => {
    const sim = await start({ tokenLifetimeSeconds: 1800 });
    const answer = await exchange(sim, sim.issueCode());
    expect(answer.status).toBe(200);
    expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.body).toEqual({
      access_token: expect.stringMatching(/^Atza\|.{20,}/) as unknown,
      refresh_token: expect.stringMatching(/^Atzr\|.{20,}/) as unknown,
      token_type: 'bearer',
      expires_in: 1800,
    });
    expect(sim.isValidAccessToken(answer.body.access_token as string)).toBe(true);
    expect((await refresh(sim, answer.body.refresh_token as string)).status).toBe(200);
  });

  it('answers expires_in 3600 by default', async () => {
    const sim = await start();
    expect((await exchange(sim, sim.issueCode())).body.expires_in).toBe(3600);
  });

  it('accepts a code only once', async () => {
    const sim = await start();
    const code = sim.issueCode();
    expect((await exchange(sim, code)).status).toBe(200);
    const second = await exchange(sim, code);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('invalid_grant');
    expect(second.body.request_id).toBe(second.requestId);
  });

  it('refuses an unknown code', async () => {
    const sim = await start();
    const answer = await exchange(sim, 'ANnotacode');
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_grant');
  });

  it('expires codes after 5 minutes of its clock', async () => {
    let now = 1_000_000;
    const sim = await start({ now: () => now });
    const early = sim.issueCode();
    const late = sim.issueCode();
    now += 5 * 60_000 - 1;
    expect((await exchange(sim, early)).status).toBe(200);
    now += 1;
    const answer = await exchange(sim, late);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_grant');
  });

  it('checks the redirect_uri the code was issued for', async () => {
    const sim = await start({ redirectUris: ['https://localhost', 'https://app.example/cb'] });
    const code = sim.issueCode({ redirectUri: 'https://app.example/cb' });
    const wrong = await exchange(sim, code);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_grant');
    expect(wrong.body.error_description).toContain('redirect_uri');
    const right = await exchange(sim, sim.issueCode({ redirectUri: 'https://app.example/cb' }), { redirect_uri: 'https://app.example/cb' });
    expect(right.status).toBe(200);
  });

  it('refuses a code exchange without redirect_uri', async () => {
    const sim = await start();
    const answer = await post(sim, {
      grant_type: 'authorization_code',
      code: sim.issueCode(),
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_grant');
  });

  it('checks the PKCE S256 verifier of a code issued with a challenge', async () => {
    const sim = await start();
    const verifier = 'a-verifier-with-enough-entropy-0123456789-abcdefgh';
    const codeChallenge = await pkceChallenge(verifier);
    const wrong = await exchange(sim, sim.issueCode({ codeChallenge }), { code_verifier: 'another-verifier-0123456789-0123456789-abc' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_grant');
    expect(wrong.body.error_description).toContain('code_verifier');
    const missing = await exchange(sim, sim.issueCode({ codeChallenge }));
    expect(missing.body.error).toBe('invalid_grant');
    const right = await exchange(sim, sim.issueCode({ codeChallenge }), { code_verifier: verifier });
    expect(right.status).toBe(200);
  });

  it('refuses a missing code with invalid_request', async () => {
    const sim = await start();
    const answer = await post(sim, { grant_type: 'authorization_code', client_id: sim.clientId, client_secret: sim.clientSecret });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_request');
  });
});

describe('LwaSimulator token endpoint: requests and clients', () => {
  it('refuses a wrong client secret or id with 401 invalid_client', async () => {
    const sim = await start({ clientId: 'my-client', clientSecret: 'my-secret' });
    const badSecret = await exchange(sim, sim.issueCode(), { client_secret: 'nope' });
    expect(badSecret.status).toBe(401);
    expect(badSecret.body.error).toBe('invalid_client');
    expect(badSecret.body.request_id).toBe(badSecret.requestId);
    const badId = await post(sim, {
      grant_type: 'refresh_token',
      refresh_token: sim.issueRefreshToken(),
      client_id: 'other',
      client_secret: 'my-secret',
    });
    expect(badId.status).toBe(401);
    expect(badId.body.error).toBe('invalid_client');
  });

  it('accepts client credentials in an HTTP Basic header', async () => {
    const sim = await start({ clientId: 'my-client', clientSecret: 'my-secret' });
    const answer = await post(
      sim,
      { grant_type: 'refresh_token', refresh_token: sim.issueRefreshToken() },
      { headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${btoa('my-client:my-secret')}` } },
    );
    expect(answer.status).toBe(200);
  });

  it('accepts form-encoded POSTs only', async () => {
    const sim = await start();
    const json = await fetch(sim.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: sim.issueRefreshToken(), client_id: sim.clientId, client_secret: sim.clientSecret }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe('invalid_request');
    const get = await fetch(`${sim.tokenUrl}?grant_type=refresh_token`);
    expect(get.status).toBe(400);
    expect(((await get.json()) as { error: string }).error).toBe('invalid_request');
    expect(get.headers.get('x-amzn-requestid')).toBeTruthy();
  });

  it('accepts a charset parameter on the form content type', async () => {
    const sim = await start();
    const answer = await post(
      sim,
      { grant_type: 'refresh_token', refresh_token: sim.issueRefreshToken(), client_id: sim.clientId, client_secret: sim.clientSecret },
      { headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' } },
    );
    expect(answer.status).toBe(200);
  });

  it('refuses other grant types and a missing one', async () => {
    const sim = await start();
    const other = await post(sim, { grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret });
    expect(other.status).toBe(400);
    expect(other.body.error).toBe('unsupported_grant_type');
    const none = await post(sim, { client_id: sim.clientId, client_secret: sim.clientSecret });
    expect(none.status).toBe(400);
    expect(none.body.error).toBe('invalid_request');
  });

  it('answers 404 with a request id for unknown paths', async () => {
    const sim = await start();
    const response = await fetch(`${sim.url}/nothing-here`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-requestid')).toBeTruthy();
    await response.text();
  });

  it('never shows its client secret in JSON or inspect output', async () => {
    const sim = await start({ clientSecret: 'super-secret-value' });
    expect(JSON.stringify(sim)).not.toContain('super-secret-value');
    expect(inspect(sim)).not.toContain('super-secret-value');
    expect(inspect(sim)).toContain(sim.url);
  });
});

describe('LwaSimulator token endpoint: refresh_token', () => {
  it('returns the same refresh token by default, which keeps working', async () => {
    const sim = await start();
    const token = sim.issueRefreshToken();
    expect(token).toMatch(/^Atzr\|/);
    const first = await refresh(sim, token);
    const second = await refresh(sim, token);
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).toBe(token);
    expect(second.body.refresh_token).toBe(token);
    expect(second.body.access_token).not.toBe(first.body.access_token);
    expect(second.body.token_type).toBe('bearer');
    expect(sim.isValidAccessToken(first.body.access_token as string)).toBe(true);
  });

  it('rotates refresh tokens when asked: the old one then gets invalid_grant', async () => {
    const sim = await start({ rotateRefreshTokens: true });
    const token = sim.issueRefreshToken();
    const first = await refresh(sim, token);
    const next = first.body.refresh_token as string;
    expect(next).toMatch(/^Atzr\|/);
    expect(next).not.toBe(token);
    const old = await refresh(sim, token);
    expect(old.status).toBe(400);
    expect(old.body.error).toBe('invalid_grant');
    const again = await refresh(sim, next);
    expect(again.status).toBe(200);
    expect(again.body.refresh_token).not.toBe(next);
  });

  it('omits refresh_token from refresh answers when asked, and the token keeps working', async () => {
    const sim = await start({ omitRefreshTokenOnRefresh: true });
    const code = await exchange(sim, sim.issueCode());
    expect(code.body.refresh_token).toMatch(/^Atzr\|/);
    const first = await refresh(sim, code.body.refresh_token as string);
    expect(first.status).toBe(200);
    expect('refresh_token' in first.body).toBe(false);
    expect((await refresh(sim, code.body.refresh_token as string)).status).toBe(200);
  });

  it('refuses an unknown refresh token with invalid_grant', async () => {
    const sim = await start();
    const answer = await refresh(sim, 'Atzr|not-issued-here');
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_grant');
    expect(answer.body.request_id).toBe(answer.requestId);
  });

  it('refuses a missing refresh token with invalid_request', async () => {
    const sim = await start();
    const answer = await post(sim, { grant_type: 'refresh_token', client_id: sim.clientId, client_secret: sim.clientSecret });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_request');
  });

  it('revokes a grant, leaving other grants alone', async () => {
    const sim = await start();
    const revoked = sim.issueRefreshToken();
    const other = sim.issueRefreshToken();
    sim.revoke(revoked);
    const answer = await refresh(sim, revoked);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_grant');
    expect((await refresh(sim, other)).status).toBe(200);
  });

  it('revoking a rotated-away refresh token also revokes its successors', async () => {
    const sim = await start({ rotateRefreshTokens: true });
    const first = sim.issueRefreshToken();
    const second = (await refresh(sim, first)).body.refresh_token as string;
    const third = (await refresh(sim, second)).body.refresh_token as string;
    sim.revoke(first);
    const answer = await refresh(sim, third);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_grant');
  });

  it('tells whether an access token is its own and unexpired, per its clock', async () => {
    let now = 5_000_000;
    const sim = await start({ now: () => now, tokenLifetimeSeconds: 60 });
    const access = (await refresh(sim, sim.issueRefreshToken())).body.access_token as string;
    expect(sim.isValidAccessToken(access)).toBe(true);
    expect(sim.isValidAccessToken('Atza|foreign')).toBe(false);
    now += 59_999;
    expect(sim.isValidAccessToken(access)).toBe(true);
    now += 1;
    expect(sim.isValidAccessToken(access)).toBe(false);
  });
});
