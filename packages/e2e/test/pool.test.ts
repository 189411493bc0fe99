import { ConfigurationError, createRecordSealer, MemoryTokenStore, sharedRecordKey, TokenPool, type HttpClient, type TokenEvent, type TokenPoolOptions } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { FakeClock, LwaSimulator } from '@ads-token/testing';
import { afterEach, describe, expect, it } from 'vitest';

let lwa: LwaSimulator | undefined;
let pool: TokenPool | undefined;
afterEach(async () => {
  await pool?.close();
  await lwa?.stop();
  pool = undefined;
  lwa = undefined;
});

/** An HttpClient that counts token requests in flight and records which refresh token each one sent. */
function countingHttp(): HttpClient & { inFlight: number; peak: number; sent: string[] } {
  const inner = new FetchHttpClient({ timeoutMs: 5000 });
  const http = {
    inFlight: 0,
    peak: 0,
    sent: [] as string[],
    async send(request: Parameters<HttpClient['send']>[0]) {
      http.inFlight++;
      http.peak = Math.max(http.peak, http.inFlight);
      http.sent.push(new URLSearchParams(request.body ?? '').get('refresh_token') ?? '');
      try {
        return await inner.send(request);
      } finally {
        http.inFlight--;
      }
    },
  };
  return http;
}

async function startPool(options: Partial<TokenPoolOptions> = {}, simulator: ConstructorParameters<typeof Object>[0] = {}) {
  lwa = await LwaSimulator.start(simulator as object);
  const http = countingHttp();
  const events: TokenEvent[] = [];
  const store = new MemoryTokenStore();
  pool = new TokenPool({
    clientId: lwa.clientId,
    clientSecret: lwa.clientSecret,
    http,
    store,
    endpoints: { tokenUrl: lwa.tokenUrl },
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
    onEvent: (e) => events.push(e),
    ...options,
  });
  return { lwa, pool, http, events, store };
}

describe('TokenPool', () => {
  it('serves many grants from one object; managers are created once and events carry the grant id', async () => {
    const { lwa, pool, events } = await startPool();
    const grants = ['adv-1', 'adv-2', 'adv:3/with{odd}chars'];
    for (const g of grants) await pool.manager(g).setRefreshToken(lwa.issueRefreshToken());
    const tokens = await Promise.all(grants.map((g) => pool.getAccessToken(g)));
    expect(new Set(tokens).size).toBe(3);
    for (const t of tokens) expect(lwa.isValidAccessToken(t)).toBe(true);
    expect(pool.manager('adv-1')).toBe(pool.manager('adv-1'));
    const headers = await pool.getHeaders('adv-2', { profileId: '123' });
    expect(headers['Amazon-Advertising-API-Scope']).toBe('123');
    expect(headers.Authorization).toBe(`Bearer ${tokens[1]}`);
    const listed: string[] = [];
    for await (const g of pool.grants()) listed.push(g);
    expect(listed.sort()).toEqual([...grants].sort());
    expect(new Set(events.filter((e) => e.type === 'refreshed').map((e) => e.grantId))).toEqual(new Set(grants));
    expect(lwa.counts.refresh_token).toBe(3);
  });

  it('runs at most maxConcurrentRefreshes token requests at once across grants', async () => {
    const { lwa, pool, http } = await startPool({ maxConcurrentRefreshes: 3 }, { latencyMs: 40 });
    const grants = Array.from({ length: 20 }, (_, i) => `g${i}`);
    for (const g of grants) await pool.manager(g).setRefreshToken(lwa.issueRefreshToken());
    await Promise.all(grants.map((g) => pool.getAccessToken(g)));
    expect(lwa.counts.refresh_token).toBe(20);
    expect(http.peak).toBe(3);
    expect(pool.peakConcurrentRefreshes).toBe(3);
  });

  it('a refresh a caller waits for goes ahead of queued background refreshes', async () => {
    const clock = new FakeClock(Date.now());
    const { lwa, pool, http } = await startPool({ maxConcurrentRefreshes: 1, clock }, { latencyMs: 30 });
    const background = ['b1', 'b2', 'b3', 'b4'];
    const refreshTokens = new Map<string, string>();
    for (const g of [...background, 'urgent']) {
      const token = lwa.issueRefreshToken();
      refreshTokens.set(token, g);
      await pool.manager(g).setRefreshToken(token);
      await pool.getAccessToken(g);
    }
    http.sent.length = 0;
    // Inside every grant's buffer: hot calls start background refreshes, one at a time.
    await clock.set(clock.now() + 3_540_000 - 1000);
    for (const g of background) await pool.getAccessToken(g);
    // Past the urgent grant's serving time: its caller waits, and its refresh goes next.
    await pool.manager('urgent').refreshAccessToken();
    const order = http.sent.map((t) => refreshTokens.get(t));
    expect(order[0]).toBe('b1');
    expect(order[1]).toBe('urgent');
  });

  it('status() reports every stored grant: info, consent age, last error, unreadable records', async () => {
    const clock = new FakeClock(Date.now());
    const { lwa, pool, store } = await startPool({ clock, retry: { maxAttempts: 1 } });
    await pool.manager('aged').authenticateWithCode(lwa.issueCode());
    await clock.set(clock.now() + 340 * 86_400_000);
    await pool.manager('recent').authenticateWithCode(lwa.issueCode());
    const revokedToken = lwa.issueRefreshToken();
    await pool.manager('revoked').setRefreshToken(revokedToken);
    lwa.revoke(revokedToken);
    await expect(pool.getAccessToken('revoked')).rejects.toMatchObject({ code: 'INVALID_GRANT' });
    // A record sealed with another key: unreadable, reported, not fatal.
    const foreign = createRecordSealer({ clientSecret: 'another-secret-0123456789' });
    const key = pool.manager('foreign').key;
    await store.compareAndSet(key, undefined, { version: 'v', data: await foreign.seal(key, '{"v":1}') });
    const status = Object.fromEntries((await pool.status()).map((s) => [s.grantId, s]));
    expect(Object.keys(status).sort()).toEqual(['aged', 'foreign', 'recent', 'revoked']);
    expect(status.aged).toMatchObject({ status: 'expired', consentAgeDays: 340, consentExpiringSoon: true, hasRefreshToken: true });
    expect(status.recent).toMatchObject({ status: 'valid', consentAgeDays: 0, consentExpiringSoon: false });
    expect(status.revoked).toMatchObject({ status: 'revoked', lastError: 'INVALID_GRANT' });
    expect(status.foreign).toMatchObject({ status: 'unreadable', unreadableCode: 'DECRYPTION_FAILED' });
    expect(JSON.stringify(status)).not.toMatch(/Atz[ar]\|/);
  });

  it('health() judges every stored grant with one read each, and says when the grants cannot be listed', async () => {
    const { lwa, pool, store } = await startPool({ retry: { maxAttempts: 1 } });
    await pool.manager('held').setRefreshToken(lwa.issueRefreshToken());
    await pool.getAccessToken('held');
    const stranger = new TokenPool({ clientId: lwa.clientId, clientSecret: lwa.clientSecret, http: new FetchHttpClient(), store, endpoints: { tokenUrl: lwa.tokenUrl } });
    const revoked = lwa.issueRefreshToken();
    await stranger.manager('revoked').setRefreshToken(revoked);
    lwa.revoke(revoked);
    await expect(stranger.getAccessToken('revoked')).rejects.toMatchObject({ code: 'INVALID_GRANT' });
    await stranger.close();
    const report = await pool.health();
    expect(report.ok).toBe(false);
    expect(Object.fromEntries(report.grants.map((g) => [g.grantId, g.status]))).toEqual({ held: 'valid', revoked: 'revoked' });
    await pool.manager('revoked').clearTokens();
    expect(await pool.health()).toEqual({ ok: true, grants: [{ grantId: 'held', status: 'valid' }] });
    const broken = new TokenPool({
      clientId: lwa.clientId,
      clientSecret: lwa.clientSecret,
      http: new FetchHttpClient(),
      endpoints: { tokenUrl: lwa.tokenUrl },
      store: Object.assign(new MemoryTokenStore(), {
        // eslint-disable-next-line require-yield
        async *list(): AsyncIterable<string> {
          throw new Error('ECONNREFUSED');
        },
      }),
    });
    const down = await broken.health();
    expect(down.ok).toBe(false);
    expect(down.grants).toEqual([{ grantId: '*', status: 'unavailable', reason: expect.stringContaining('could not be listed') as string }]);
    await broken.close();
  });

  it('spreads the refresh times of grants authenticated together', async () => {
    const clock = new FakeClock(Date.now());
    const { lwa, pool } = await startPool({ clock, maxConcurrentRefreshes: 50 });
    const grants = Array.from({ length: 40 }, (_, i) => `s${i}`);
    for (const g of grants) {
      await pool.manager(g).setRefreshToken(lwa.issueRefreshToken());
      await pool.getAccessToken(g);
    }
    const before = lwa.counts.refresh_token;
    // A quarter of the way into the buffer: some grants are due, others not yet.
    await clock.set(clock.now() + 3_300_000 + 60_000);
    await Promise.all(grants.map((g) => pool.getAccessToken(g)));
    await new Promise((r) => setTimeout(r, 300));
    const started = lwa.counts.refresh_token - before;
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThan(40);
  });

  it('shares sealed app records across the fleet with compare-and-set, outside the grant listing', async () => {
    const { lwa, pool, store } = await startPool();
    expect(await pool.readShared('profiles')).toBeUndefined();
    const v1 = await pool.writeShared('profiles', '{"1":"a"}', undefined);
    expect(v1).toBeDefined();
    expect(await pool.writeShared('profiles', '{"1":"b"}', undefined)).toBeUndefined();
    const other = new TokenPool({ clientId: lwa.clientId, clientSecret: lwa.clientSecret, http: new FetchHttpClient(), store });
    expect(await other.readShared('profiles')).toEqual({ version: v1, value: '{"1":"a"}' });
    expect(await other.writeShared('profiles', '{"1":"c"}', v1)).toBeDefined();
    expect((await pool.readShared('profiles'))?.value).toBe('{"1":"c"}');
    const raw = await store.get(sharedRecordKey(lwa.clientId, 'profiles'));
    expect(raw?.data).not.toContain('"1"');
    const listed: string[] = [];
    for await (const g of pool.grants()) listed.push(g);
    expect(listed).toEqual([]);
    await other.close();
  });

  it('refuses a grantId in its options and calls after close', async () => {
    lwa = await LwaSimulator.start();
    const base = { clientId: lwa.clientId, clientSecret: lwa.clientSecret, http: new FetchHttpClient() };
    expect(() => new TokenPool({ ...base, grantId: 'x' } as TokenPoolOptions)).toThrow(ConfigurationError);
    expect(() => new TokenPool({ ...base, maxConcurrentRefreshes: 0 })).toThrow('maxConcurrentRefreshes');
    pool = new TokenPool(base);
    await pool.close();
    expect(() => pool!.manager('a')).toThrow(ConfigurationError);
  });
});
