import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '@ads-token/core';
import type { AdsProfile } from '@ads-token/testing';
import { createAdsFetch } from '../src/index.js';
import { echoOf, startWorld } from './ads-fetch-support.js';
import type { AdsWorld } from './ads-fetch-support.js';

let world: AdsWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

async function start(): Promise<AdsWorld> {
  world = await startWorld();
  return world;
}

describe('createAdsFetch: headers', () => {
  it('sends a valid token and the client id, and no scope without a profile', async () => {
    const w = await start();
    const adsFetch = createAdsFetch(await w.manager(), { baseUrl: w.ads.url });
    const echo = await echoOf(await adsFetch('/echo/plain'));
    expect(echo.headers.authorization).toBe('Bearer [redacted]');
    expect(echo.headers['amazon-advertising-api-clientid']).toBe(w.lwa.clientId);
    expect(echo.headers).not.toHaveProperty('amazon-advertising-api-scope');
    expect(echo.method).toBe('GET');
  });

  it('lists profiles like a plain fetch would', async () => {
    const w = await start();
    const adsFetch = createAdsFetch(await w.manager(), { baseUrl: w.ads.url });
    const response = await adsFetch('/v2/profiles');
    expect(response.status).toBe(200);
    expect((await response.json()) as AdsProfile[]).toEqual(w.ads.profiles);
  });

  it('sends the profile from the options, lets a call name another one, and null sends none', async () => {
    const w = await start();
    const adsFetch = createAdsFetch(await w.manager(), { baseUrl: w.ads.url, profileId: 111 });
    expect((await echoOf(await adsFetch('/echo/a'))).headers['amazon-advertising-api-scope']).toBe('111');
    expect((await echoOf(await adsFetch('/echo/b', { profileId: '222' }))).headers['amazon-advertising-api-scope']).toBe('222');
    expect((await echoOf(await adsFetch('/echo/c', { profileId: null }))).headers).not.toHaveProperty('amazon-advertising-api-scope');
    expect(w.ads.requests.map((r) => r.profileId)).toEqual(['111', '222', undefined]);
  });

  it('keeps the headers the caller set, scope and client id included', async () => {
    const w = await start();
    const adsFetch = createAdsFetch(await w.manager(), { baseUrl: w.ads.url, profileId: 111 });
    const response = await adsFetch('/echo/sp/campaigns/list', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/vnd.spCampaign.v3+json',
        Accept: 'application/vnd.spCampaign.v3+json',
        'amazon-advertising-api-scope': '333',
        'X-Trace': 'abc',
      },
      body: JSON.stringify({ maxResults: 5 }),
    });
    const echo = await echoOf(response);
    expect(echo.headers).toMatchObject({
      'content-type': 'application/vnd.spCampaign.v3+json',
      accept: 'application/vnd.spCampaign.v3+json',
      'amazon-advertising-api-scope': '333',
      'amazon-advertising-api-clientid': w.lwa.clientId,
      'x-trace': 'abc',
    });
    expect(echo.body).toBe('{"maxResults":5}');
    expect(echo.method).toBe('POST');
  });

  it('keeps a caller-set Authorization and then hands a 401 back without refreshing', async () => {
    const w = await start();
    const adsFetch = createAdsFetch(await w.manager(), { baseUrl: w.ads.url });
    const before = w.lwa.counts.refresh_token;
    const response = await adsFetch('/echo/x', { headers: { Authorization: 'Bearer Atza|not-ours' } });
    expect(response.status).toBe(401);
    expect(w.lwa.counts.refresh_token).toBe(before);
    expect(w.ads.count()).toBe(1);
  });

  it('sends a caller-set Authorization of another grant as it is', async () => {
    const w = await start();
    const other = await w.manager({ grantId: 'other' });
    const adsFetch = createAdsFetch(await w.manager(), { baseUrl: w.ads.url });
    const response = await adsFetch('/echo/x', { headers: { Authorization: `Bearer ${await other.getAccessToken()}` } });
    expect(response.status).toBe(200);
  });

  it('sends a Request with its method, headers and body, and keeps its own headers', async () => {
    const w = await start();
    const adsFetch = createAdsFetch(await w.manager(), { baseUrl: w.ads.url, profileId: 5 });
    const request = new Request(`${w.ads.url}/echo/req?x=1`, { method: 'PUT', headers: { 'X-Mine': 'kept' }, body: 'payload' });
    const echo = await echoOf(await adsFetch(request));
    expect(echo).toMatchObject({ method: 'PUT', path: '/echo/req', query: { x: '1' }, body: 'payload' });
    expect(echo.headers).toMatchObject({ 'x-mine': 'kept', 'amazon-advertising-api-scope': '5' });
    expect(echo.headers.authorization).toBe('Bearer [redacted]');
  });
});

describe('createAdsFetch: URLs', () => {
  it('resolves relative paths against baseUrl, with or without a leading slash, keeping the query', async () => {
    const w = await start();
    const adsFetch = createAdsFetch(await w.manager(), { baseUrl: `${w.ads.url}/` });
    expect((await echoOf(await adsFetch('echo/one?a=1&b=2'))).query).toEqual({ a: '1', b: '2' });
    expect((await echoOf(await adsFetch('/echo/two'))).path).toBe('/echo/two');
  });

  it('keeps the path of a baseUrl that has one', async () => {
    const w = await start();
    const adsFetch = createAdsFetch(await w.manager(), { baseUrl: `${w.ads.url}/echo/proxy` });
    expect((await echoOf(await adsFetch('/v2/profiles'))).path).toBe('/echo/proxy/v2/profiles');
  });

  it('sends absolute URLs (string or URL) where they point', async () => {
    const w = await start();
    const adsFetch = createAdsFetch(await w.manager());
    expect((await echoOf(await adsFetch(`${w.ads.url}/echo/abs`))).path).toBe('/echo/abs');
    expect((await echoOf(await adsFetch(new URL('/echo/url', w.ads.url)))).path).toBe('/echo/url');
  });

  it("resolves relative paths against the manager's region host by default", async () => {
    const w = await start();
    for (const [region, host] of [
      ['NA', 'advertising-api.amazon.com'],
      ['EU', 'advertising-api-eu.amazon.com'],
      ['FE', 'advertising-api-fe.amazon.com'],
    ] as const) {
      const seen: string[] = [];
      // Records where a call was headed, then sends it to the simulator instead of Amazon.
      const redirecting: typeof fetch = (input, init) => {
        const target = new URL(input instanceof Request ? input.url : input);
        seen.push(target.href);
        return fetch(`${w.ads.url}${target.pathname}${target.search}`, init);
      };
      const adsFetch = createAdsFetch(await w.manager({ region }), { fetch: redirecting });
      expect((await adsFetch('/v2/profiles?x=1')).status).toBe(200);
      expect(seen).toEqual([`https://${host}/v2/profiles?x=1`]);
    }
  });

  it('refuses bad options with ConfigurationError', async () => {
    const w = await start();
    const manager = await w.manager();
    expect(() => createAdsFetch(manager, { baseUrl: 'not a url' })).toThrow(ConfigurationError);
    expect(() => createAdsFetch(manager, { retry: { maxAttempts: 0 } })).toThrow(ConfigurationError);
    expect(() => createAdsFetch(manager, { retry: { baseDelayMs: -1 } })).toThrow(ConfigurationError);
    expect(() => createAdsFetch(undefined as never)).toThrow(ConfigurationError);
  });
});
