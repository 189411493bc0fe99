import { afterEach, describe, expect, it } from 'vitest';
import { AdsApiSimulator, LwaSimulator } from '../src/index.js';
import type { AdsApiEcho, AdsApiErrorBody, AdsApiSimulatorOptions, AdsProfile } from '../src/index.js';
import { inspect } from 'node:util';

let lwa: LwaSimulator | undefined;
let ads: AdsApiSimulator | undefined;
afterEach(async () => {
  await ads?.stop();
  await lwa?.stop();
  ads = undefined;
  lwa = undefined;
});

interface Setup {
  lwa: LwaSimulator;
  ads: AdsApiSimulator;
  token: string;
  headers: Record<string, string>;
}

async function accessToken(sim: LwaSimulator): Promise<string> {
  const response = await fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: sim.issueRefreshToken(),
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
    }).toString(),
  });
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

async function setup(options: Partial<AdsApiSimulatorOptions> = {}): Promise<Setup> {
  lwa = await LwaSimulator.start();
  ads = await AdsApiSimulator.start({ lwa, ...options });
  const token = await accessToken(lwa);
  return {
    lwa,
    ads,
    token,
    headers: { Authorization: `Bearer ${token}`, 'Amazon-Advertising-API-ClientId': lwa.clientId },
  };
}

describe('AdsApiSimulator', () => {
  it('lists profiles to a request with a valid token and client id', async () => {
    const s = await setup();
    const response = await fetch(`${s.ads.url}/v2/profiles`, { headers: s.headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const profiles = (await response.json()) as AdsProfile[];
    expect(profiles.length).toBeGreaterThanOrEqual(3);
    for (const profile of profiles) {
      expect(profile).toMatchObject({
        profileId: expect.any(Number) as number,
        countryCode: expect.any(String) as string,
        currencyCode: expect.any(String) as string,
        timezone: expect.any(String) as string,
        accountInfo: {
          marketplaceStringId: expect.any(String) as string,
          id: expect.any(String) as string,
          type: expect.stringMatching(/^(seller|vendor|agency)$/) as string,
          name: expect.any(String) as string,
        },
      });
    }
    const one = await fetch(`${s.ads.url}/v2/profiles/${profiles[1]!.profileId}`, { headers: s.headers });
    expect(await one.json()).toEqual(profiles[1]);
    const missing = await fetch(`${s.ads.url}/v2/profiles/42`, { headers: s.headers });
    expect(missing.status).toBe(404);
  });

  it('lists the profiles it was given', async () => {
    const profile: AdsProfile = {
      profileId: 7,
      countryCode: 'DE',
      currencyCode: 'EUR',
      timezone: 'Europe/Paris',
      accountInfo: { marketplaceStringId: 'A1PA6795UKMFR9', id: 'X', type: 'agency', name: 'Agency DE' },
    };
    const s = await setup({ profiles: [profile] });
    const response = await fetch(`${s.ads.url}/v2/profiles`, { headers: s.headers });
    expect(await response.json()).toEqual([profile]);
    expect(s.ads.profiles).toEqual([profile]);
  });

  it('answers 401 with an Ads API error body to a missing, unknown or expired token', async () => {
    const s = await setup();
    const clientId = { 'Amazon-Advertising-API-ClientId': s.lwa.clientId };
    const none = await fetch(`${s.ads.url}/v2/profiles`, { headers: clientId });
    expect(none.status).toBe(401);
    const body = (await none.json()) as AdsApiErrorBody;
    expect(body).toMatchObject({ code: 'UNAUTHORIZED', requestId: none.headers.get('x-amzn-requestid') });
    const unknown = await fetch(`${s.ads.url}/v2/profiles`, { headers: { ...clientId, Authorization: 'Bearer Atza|not-issued' } });
    expect(unknown.status).toBe(401);
    expect(s.ads.count({ status: 401 })).toBe(2);
  });

  it('answers 401 to a token from another LWA and to an expired one', async () => {
    lwa = await LwaSimulator.start({ tokenLifetimeSeconds: 1 });
    ads = await AdsApiSimulator.start({ lwa });
    const other = await LwaSimulator.start({ clientId: lwa.clientId });
    try {
      const foreign = await accessToken(other);
      const foreignAnswer = await fetch(`${ads.url}/v2/profiles`, { headers: { Authorization: `Bearer ${foreign}`, 'Amazon-Advertising-API-ClientId': lwa.clientId } });
      expect(foreignAnswer.status).toBe(401);
    } finally {
      await other.stop();
    }
    const token = await accessToken(lwa);
    const headers = { Authorization: `Bearer ${token}`, 'Amazon-Advertising-API-ClientId': lwa.clientId };
    expect((await fetch(`${ads.url}/v2/profiles`, { headers })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await fetch(`${ads.url}/v2/profiles`, { headers })).status).toBe(401);
  });

  it('answers 400 when the client id is missing or wrong', async () => {
    const s = await setup();
    const missing = await fetch(`${s.ads.url}/v2/profiles`, { headers: { Authorization: s.headers.Authorization! } });
    expect(missing.status).toBe(400);
    const wrong = await fetch(`${s.ads.url}/v2/profiles`, { headers: { ...s.headers, 'Amazon-Advertising-API-ClientId': 'someone-else' } });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as AdsApiErrorBody).details).toContain('Amazon-Advertising-API-ClientId');
  });

  it('requires a known profile in the scope header on the configured paths', async () => {
    const s = await setup({ requireScope: ['/echo/scoped/'] });
    const profileId = String(s.ads.profiles[0]!.profileId);
    expect((await fetch(`${s.ads.url}/echo/scoped/x`, { headers: s.headers })).status).toBe(400);
    expect((await fetch(`${s.ads.url}/echo/scoped/x`, { headers: { ...s.headers, 'Amazon-Advertising-API-Scope': '123' } })).status).toBe(400);
    const ok = await fetch(`${s.ads.url}/echo/scoped/x`, { headers: { ...s.headers, 'Amazon-Advertising-API-Scope': profileId } });
    expect(ok.status).toBe(200);
    expect((await fetch(`${s.ads.url}/echo/open`, { headers: s.headers })).status).toBe(200);
    expect(s.ads.requests.map((r) => r.profileId)).toEqual([undefined, '123', profileId, undefined]);
  });

  it('requires a scope on campaign paths by default', async () => {
    const s = await setup();
    const response = await fetch(`${s.ads.url}/v2/campaigns`, { headers: s.headers });
    expect(response.status).toBe(400);
    expect(((await response.json()) as AdsApiErrorBody).details).toContain('Amazon-Advertising-API-Scope');
  });

  it('echoes method, path, query, headers and body, with the token redacted', async () => {
    const s = await setup();
    const response = await fetch(`${s.ads.url}/echo/sp/campaigns/list?stateFilter=enabled&count=2`, {
      method: 'POST',
      headers: { ...s.headers, 'content-type': 'application/vnd.spCampaign.v3+json', 'x-extra': 'yes' },
      body: JSON.stringify({ maxResults: 10 }),
    });
    expect(response.status).toBe(200);
    const echo = (await response.json()) as AdsApiEcho;
    expect(echo).toMatchObject({
      method: 'POST',
      path: '/echo/sp/campaigns/list',
      query: { stateFilter: 'enabled', count: '2' },
      body: '{"maxResults":10}',
    });
    expect(echo.headers).toMatchObject({
      authorization: 'Bearer [redacted]',
      'amazon-advertising-api-clientid': s.lwa.clientId,
      'content-type': 'application/vnd.spCampaign.v3+json',
      'x-extra': 'yes',
    });
    expect(JSON.stringify(echo)).not.toContain(s.token);
  });

  it('answers 404 for unknown paths and 405 for writes to /v2/profiles', async () => {
    const s = await setup();
    expect((await fetch(`${s.ads.url}/v9/nothing`, { headers: s.headers })).status).toBe(404);
    expect((await fetch(`${s.ads.url}/v2/profiles`, { method: 'PUT', headers: s.headers, body: '[]' })).status).toBe(405);
  });

  it('rejects one token until it changes, while other tokens keep working', async () => {
    const s = await setup();
    s.ads.rejectToken(s.token);
    expect((await fetch(`${s.ads.url}/v2/profiles`, { headers: s.headers })).status).toBe(401);
    expect((await fetch(`${s.ads.url}/v2/profiles`, { headers: s.headers })).status).toBe(401);
    const fresh = await accessToken(s.lwa);
    const ok = await fetch(`${s.ads.url}/v2/profiles`, { headers: { ...s.headers, Authorization: `Bearer ${fresh}` } });
    expect(ok.status).toBe(200);
    s.ads.clearFaults();
    expect((await fetch(`${s.ads.url}/v2/profiles`, { headers: s.headers })).status).toBe(200);
  });

  it('plays queued faults for `times` requests, in order, then answers normally', async () => {
    const s = await setup();
    s.ads.failNext({ status: 401 });
    s.ads.failNext({ status: 503, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${s.ads.url}/v2/profiles`, { headers: s.headers })).status);
    expect(statuses).toEqual([401, 503, 503, 200]);
    expect(s.ads.count()).toBe(4);
    expect(s.ads.count({ path: '/v2/profiles', status: 503 })).toBe(2);
    expect(s.ads.count({ method: 'get', status: 200 })).toBe(1);
    s.ads.resetCounts();
    expect(s.ads.count()).toBe(0);
  });

  it('sends Retry-After as seconds, as an HTTP date, or as given', async () => {
    const s = await setup();
    const date = new Date(Date.now() + 5000);
    s.ads.failNext({ status: 429, retryAfter: 3 });
    s.ads.failNext({ status: 429, retryAfter: date });
    s.ads.failNext({ status: 503, retryAfter: '7' });
    const a = await fetch(`${s.ads.url}/v2/profiles`, { headers: s.headers });
    const b = await fetch(`${s.ads.url}/v2/profiles`, { headers: s.headers });
    const c = await fetch(`${s.ads.url}/v2/profiles`, { headers: s.headers });
    expect([a.status, a.headers.get('retry-after')]).toEqual([429, '3']);
    expect([b.status, b.headers.get('retry-after')]).toEqual([429, date.toUTCString()]);
    expect([c.status, c.headers.get('retry-after')]).toEqual([503, '7']);
    expect(((await a.json()) as AdsApiErrorBody).code).toBe('THROTTLED');
  });

  it('plays a fault with a path only on matching paths', async () => {
    const s = await setup();
    s.ads.failNext({ status: 500, path: '/echo/' });
    expect((await fetch(`${s.ads.url}/v2/profiles`, { headers: s.headers })).status).toBe(200);
    expect((await fetch(`${s.ads.url}/echo/a`, { headers: s.headers })).status).toBe(500);
    expect((await fetch(`${s.ads.url}/echo/a`, { headers: s.headers })).status).toBe(200);
  });

  it('refuses bad faults and latencies', async () => {
    const s = await setup();
    expect(() => s.ads.failNext({ status: 429, times: 0 })).toThrow(RangeError);
    expect(() => s.ads.failNext({ status: 42 })).toThrow(RangeError);
    expect(() => s.ads.setLatency(-1)).toThrow(RangeError);
  });

  it('answers after the latency, and stop() ends a slow answer and frees the port', async () => {
    const s = await setup({ latencyMs: 200 });
    const started = Date.now();
    expect((await fetch(`${s.ads.url}/v2/profiles`, { headers: s.headers })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    s.ads.setLatency(60_000);
    const slow = fetch(`${s.ads.url}/v2/profiles`, { headers: s.headers });
    const outcome = slow.then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await s.ads.stop();
    expect(await outcome).toBe('failed');
    await expect(fetch(`${s.ads.url}/v2/profiles`, { headers: s.headers })).rejects.toThrow();
    await s.ads.stop();
  });

  it('records a request whose client left during the latency with status 0', async () => {
    const s = await setup({ latencyMs: 5000 });
    const controller = new AbortController();
    const pending = fetch(`${s.ads.url}/v2/profiles`, { headers: s.headers, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await expect(pending).rejects.toThrow();
    expect(s.ads.requests).toMatchObject([{ method: 'GET', path: '/v2/profiles', status: 0 }]);
  });

  it('needs an lwa and never shows a token when printed', async () => {
    await expect(AdsApiSimulator.start({} as AdsApiSimulatorOptions)).rejects.toThrow(TypeError);
    const s = await setup();
    expect(JSON.stringify(s.ads)).toBe(JSON.stringify({ url: s.ads.url, clientId: s.lwa.clientId }));
    expect(inspect(s.ads)).toContain(s.ads.url);
  });
});
