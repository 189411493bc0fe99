import { TokenPool } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { afterEach, describe, expect, it } from 'vitest';
import { METRIC_NAMES as M, instrument } from '../src/index.js';
import { counterValue, gaugeValue, secretsIn, startWorld, type World } from './support/world.js';

let world: World | undefined;
let pool: TokenPool | undefined;
afterEach(async () => {
  await pool?.close();
  await world?.stop();
  pool = undefined;
  world = undefined;
});

describe('instrument: a TokenPool', () => {
  it('counts every grant\'s refreshes and revocations, and reports per-grant gauges from status()', async () => {
    world = await startWorld();
    const w = world;
    pool = new TokenPool({
      clientId: w.lwa.clientId,
      clientSecret: w.lwa.clientSecret,
      http: new FetchHttpClient({ timeoutMs: 5000 }),
      store: w.store,
      endpoints: { tokenUrl: w.lwa.tokenUrl, authorizationUrl: w.lwa.authorizationUrl },
      retry: { baseDelayMs: 5, maxDelayMs: 50 },
    });
    const handle = instrument(pool, { meterProvider: w.meterProvider, tracerProvider: w.tracerProvider });
    for (const grantId of ['a', 'b', 'c']) {
      await pool.manager(grantId).authenticateWithCode(w.lwa.issueCode());
      await pool.manager(grantId).refreshAccessToken();
    }
    const refused = w.lwa.issueRefreshToken();
    await pool.manager('gone').setRefreshToken(refused);
    w.lwa.revoke(refused);
    await expect(pool.getAccessToken('gone')).rejects.toMatchObject({ code: 'INVALID_GRANT' });

    const metrics = await w.collect();
    const lwaOk = w.lwa.requests.filter((r) => r.grantType === 'refresh_token' && r.status === 200).length;
    expect(lwaOk).toBe(3);
    expect(counterValue(metrics, M.refreshes, { 'ads_token.source': 'lwa', 'ads_token.outcome': 'success' })).toBe(lwaOk);
    expect(counterValue(metrics, M.revocations, { 'ads_token.grant_id': 'gone' })).toBe(1);
    for (const grantId of ['a', 'b', 'c']) {
      expect(gaugeValue(metrics, M.expiresIn, grantId)).toBeGreaterThan(3500);
      expect(gaugeValue(metrics, M.revoked, grantId)).toBe(0);
    }
    expect(gaugeValue(metrics, M.revoked, 'gone')).toBe(1);
    expect(w.spans().filter((s) => s.name === 'ads_token.refresh')).toHaveLength(4);
    expect(secretsIn(JSON.stringify(metrics) + JSON.stringify(w.spans().map((s) => s.attributes)), w)).toEqual([]);
    handle.close();
  });
});
