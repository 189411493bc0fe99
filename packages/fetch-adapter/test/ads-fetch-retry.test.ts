import { afterEach, describe, expect, it } from 'vitest';
import { InvalidGrantError } from '@ads-token/core';
import { createAdsFetch } from '../src/index.js';
import type { AdsFetchOptions, AdsFetchRetryInfo } from '../src/index.js';
import { delay, echoOf, startWorld } from './ads-fetch-support.js';
import type { AdsWorld } from './ads-fetch-support.js';

let world: AdsWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

async function setup(options: AdsFetchOptions = {}) {
  world = await startWorld();
  const w = world;
  const manager = await w.manager();
  await manager.getAccessToken(); // the first token is fetched before any count is taken
  const retries: AdsFetchRetryInfo[] = [];
  const adsFetch = createAdsFetch(manager, { baseUrl: w.ads.url, onRetry: (info) => retries.push(info), ...options });
  return { ...w, manager, adsFetch, retries };
}

function streamOf(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
}

describe('createAdsFetch: 401', () => {
  it('refreshes once for 50 concurrent calls that all see a 401, and they all succeed', async () => {
    const s = await setup();
    const token = await s.manager.getAccessToken();
    s.ads.rejectToken(token);
    const before = s.lwa.counts.refresh_token;
    const responses = await Promise.all(Array.from({ length: 50 }, () => s.adsFetch('/v2/profiles')));
    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 50 }, () => 200));
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    expect(s.lwa.counts.refresh_token - before).toBe(1);
    expect(s.ads.count({ status: 401 })).toBe(50);
    expect(s.ads.count({ status: 200 })).toBe(50);
    expect(await s.manager.getAccessToken()).not.toBe(token);
    expect(s.retries).toHaveLength(50);
    expect(s.retries[0]).toEqual({ attempt: 1, status: 401, delayMs: 0, url: `${s.ads.url}/v2/profiles` });
  });

  it('hands a second 401 back to the caller, body intact', async () => {
    const s = await setup();
    s.ads.failNext({ status: 401, times: 2 });
    const before = s.lwa.counts.refresh_token;
    const response = await s.adsFetch('/v2/profiles');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(s.ads.count()).toBe(2);
    expect(s.lwa.counts.refresh_token - before).toBe(1);
  });

  it('replays a POST body and a Request body after a 401', async () => {
    const s = await setup();
    s.ads.failNext({ status: 401 });
    const echo = await echoOf(await s.adsFetch('/echo/post', { method: 'POST', body: 'first body' }));
    expect(echo.body).toBe('first body');
    s.ads.failNext({ status: 401 });
    const request = new Request(`${s.ads.url}/echo/req`, { method: 'POST', body: 'request body' });
    expect((await echoOf(await s.adsFetch(request))).body).toBe('request body');
    expect(s.ads.count({ status: 401 })).toBe(2);
  });

  it('throws the refresh error when the grant was revoked', async () => {
    const s = await setup();
    s.ads.rejectToken(await s.manager.getAccessToken());
    s.lwa.revoke(s.refreshToken);
    await expect(s.adsFetch('/v2/profiles')).rejects.toBeInstanceOf(InvalidGrantError);
  });

  it('with maxAttempts 1 refreshes on a 401 but returns it', async () => {
    const s = await setup({ retry: { maxAttempts: 1 } });
    s.ads.failNext({ status: 401 });
    const before = s.lwa.counts.refresh_token;
    expect((await s.adsFetch('/v2/profiles')).status).toBe(401);
    expect(s.lwa.counts.refresh_token - before).toBe(1);
    expect((await s.adsFetch('/v2/profiles')).status).toBe(200);
  });
});

describe('createAdsFetch: 429 and 5xx', () => {
  it('waits the Retry-After seconds before retrying', async () => {
    const s = await setup();
    s.ads.failNext({ status: 429, retryAfter: 1 });
    const response = await s.adsFetch('/v2/profiles');
    expect(response.status).toBe(200);
    const [first, second] = s.ads.requests;
    const waited = second!.at - first!.at;
    expect(waited).toBeGreaterThanOrEqual(990);
    expect(waited).toBeLessThan(15_000);
    expect(s.retries).toEqual([{ attempt: 1, status: 429, delayMs: 1000, url: `${s.ads.url}/v2/profiles` }]);
  });

  it('waits until a Retry-After HTTP date before retrying', async () => {
    const s = await setup();
    const until = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    s.ads.failNext({ status: 503, retryAfter: until });
    const response = await s.adsFetch('/v2/profiles');
    expect(response.status).toBe(200);
    const retried = s.ads.requests[1]!.at;
    expect(retried).toBeGreaterThanOrEqual(until.getTime() - 10);
    expect(retried).toBeLessThan(until.getTime() + 15_000);
  });

  it('backs off exponentially with jitter when there is no Retry-After', async () => {
    const s = await setup({ retry: { baseDelayMs: 40, maxDelayMs: 60 } });
    s.ads.failNext({ status: 500, times: 3 });
    expect((await s.adsFetch('/v2/profiles')).status).toBe(200);
    const delays = s.retries.map((r) => r.delayMs);
    expect(delays).toHaveLength(3);
    expect(delays[0]).toBeGreaterThanOrEqual(20);
    expect(delays[0]).toBeLessThanOrEqual(40);
    expect(delays[1]).toBeGreaterThanOrEqual(30);
    expect(delays[1]).toBeLessThanOrEqual(60);
    expect(delays[2]).toBeGreaterThanOrEqual(30);
    expect(delays[2]).toBeLessThanOrEqual(60);
    expect(s.retries.map((r) => r.attempt)).toEqual([1, 2, 3]);
  });

  it('stops after maxAttempts and returns the last 5xx, body intact', async () => {
    const s = await setup({ retry: { maxAttempts: 3, baseDelayMs: 5 } });
    s.ads.failNext({ status: 503, times: 10 });
    const response = await s.adsFetch('/v2/profiles');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(s.ads.count()).toBe(3);
    expect(s.retries).toHaveLength(2);
  });

  it('returns a 429 at once when its Retry-After would end past maxTotalMs', async () => {
    const s = await setup({ retry: { maxTotalMs: 5000 } });
    s.ads.failNext({ status: 429, retryAfter: 60 });
    const started = Date.now();
    const response = await s.adsFetch('/v2/profiles');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('60');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(s.ads.count()).toBe(1);
    expect(s.retries).toEqual([]);
  });

  it('starts no retry whose wait would end past maxTotalMs', async () => {
    const s = await setup({ retry: { maxTotalMs: 3000, maxAttempts: 10 } });
    s.ads.failNext({ status: 429, retryAfter: 2, times: 10 });
    const response = await s.adsFetch('/v2/profiles');
    expect(response.status).toBe(429);
    expect(s.ads.count()).toBe(2);
  });

  it('does not retry 501 or 4xx other than 401', async () => {
    const s = await setup({ retry: { baseDelayMs: 1 } });
    s.ads.failNext({ status: 501 });
    s.ads.failNext({ status: 400 });
    expect((await s.adsFetch('/v2/profiles')).status).toBe(501);
    expect((await s.adsFetch('/v2/profiles')).status).toBe(400);
    expect(s.ads.count()).toBe(2);
  });

  it('sends a stream body once and never retries it', async () => {
    const s = await setup({ retry: { baseDelayMs: 1 } });
    s.ads.failNext({ status: 503 });
    const init = { method: 'POST', body: streamOf('streamed'), duplex: 'half' } as RequestInit;
    expect((await s.adsFetch('/echo/stream', init)).status).toBe(503);
    expect(s.ads.count()).toBe(1);
    const ok = await s.adsFetch('/echo/stream', { method: 'POST', body: streamOf('streamed'), duplex: 'half' } as RequestInit);
    expect((await echoOf(ok)).body).toBe('streamed');
  });

  it('refreshes on a 401 to a stream body but returns the 401, so the next call succeeds', async () => {
    const s = await setup();
    const token = await s.manager.getAccessToken();
    s.ads.rejectToken(token);
    const before = s.lwa.counts.refresh_token;
    const first = await s.adsFetch('/echo/stream', { method: 'POST', body: streamOf('one'), duplex: 'half' } as RequestInit);
    expect(first.status).toBe(401);
    expect(s.lwa.counts.refresh_token - before).toBe(1);
    const second = await s.adsFetch('/echo/stream', { method: 'POST', body: streamOf('two'), duplex: 'half' } as RequestInit);
    expect((await echoOf(second)).body).toBe('two');
  });

  it('ignores an onRetry that throws and never gives it a secret', async () => {
    const s = await setup({
      retry: { baseDelayMs: 1 },
      onRetry: () => {
        throw new Error('logger broke');
      },
    });
    s.ads.failNext({ status: 401 });
    s.ads.failNext({ status: 500 });
    const response = await s.adsFetch('/v2/profiles?secretish=1');
    expect(response.status).toBe(200);
    const seen: AdsFetchRetryInfo[] = [];
    const logging = createAdsFetch(s.manager, { baseUrl: s.ads.url, retry: { baseDelayMs: 1 }, onRetry: (i) => seen.push(i) });
    s.ads.rejectToken(await s.manager.getAccessToken());
    s.ads.failNext({ status: 429, retryAfter: 0 });
    expect((await logging('/v2/profiles?q=1')).status).toBe(200);
    const text = JSON.stringify(seen);
    expect(text).not.toContain(await s.manager.getAccessToken());
    expect(text).not.toContain(s.lwa.clientSecret);
    expect(text).not.toContain(s.refreshToken);
    expect(text).not.toContain('q=1');
  });
});

describe('createAdsFetch: abort', () => {
  it('ends a backoff wait promptly when the caller aborts', async () => {
    const s = await setup();
    s.ads.failNext({ status: 429, retryAfter: 30 });
    const controller = new AbortController();
    const started = Date.now();
    const call = s.adsFetch('/v2/profiles', { signal: controller.signal });
    await delay(200);
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(s.ads.count()).toBe(1);
  });

  it('ends a slow response promptly when the caller aborts, with the reason given', async () => {
    const s = await setup();
    s.ads.setLatency(30_000);
    const controller = new AbortController();
    const started = Date.now();
    const call = s.adsFetch('/v2/profiles', { signal: controller.signal });
    await delay(200);
    const reason = new Error('user gave up');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("honours a Request's own signal", async () => {
    const s = await setup();
    s.ads.setLatency(30_000);
    const controller = new AbortController();
    const call = s.adsFetch(new Request(`${s.ads.url}/v2/profiles`, { signal: controller.signal }));
    await delay(200);
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('sends nothing for an already aborted signal', async () => {
    const s = await setup();
    await expect(s.adsFetch('/v2/profiles', { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(s.ads.count()).toBe(0);
  });
});
