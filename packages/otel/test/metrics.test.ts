import { InProcessLock } from '@ads-token/core';
import { afterEach, describe, expect, it } from 'vitest';
import { METRIC_NAMES as M, instrument } from '../src/index.js';
import { counterValue, gaugeValue, histogramCount, points, secretsIn, startWorld, type World } from './support/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

describe('instrument: metrics on the real OpenTelemetry SDK', () => {
  it('counts what the LWA simulator saw: refreshes by source and outcome, retries, revocations, lock waits', async () => {
    world = await startWorld({ latencyMs: 40 });
    const w = world;
    const { meterProvider, tracerProvider } = w;
    const lock = new InProcessLock();

    const main = w.manager({ lock });
    instrument(main, { meterProvider, tracerProvider });
    await main.authenticateWithCode(w.lwa.issueCode());
    await main.refreshAccessToken();
    w.lwa.fail({ kind: 'status', status: 503 });
    await main.refreshAccessToken();

    // Two managers of one grant on one lock: one refreshes through LWA, the other waits and takes its record.
    const a = w.manager({ grantId: 'shared', lock });
    const b = w.manager({ grantId: 'shared', lock });
    instrument(a, { meterProvider, tracerProvider });
    instrument(b, { meterProvider, tracerProvider });
    await a.setRefreshToken(w.lwa.issueRefreshToken());
    await Promise.all([a.getAccessToken(), b.getAccessToken()]);

    const gone = w.manager({ grantId: 'gone' });
    instrument(gone, { meterProvider, tracerProvider });
    const refused = w.lwa.issueRefreshToken();
    await gone.setRefreshToken(refused);
    w.lwa.revoke(refused);
    await expect(gone.getAccessToken()).rejects.toMatchObject({ code: 'INVALID_GRANT' });

    const metrics = await w.collect();
    const refreshRequests = w.lwa.requests.filter((r) => r.grantType === 'refresh_token');
    const lwaOk = refreshRequests.filter((r) => r.status === 200).length;
    expect(lwaOk).toBe(3);
    expect(counterValue(metrics, M.refreshes, { 'ads_token.source': 'lwa', 'ads_token.outcome': 'success' })).toBe(lwaOk);
    expect(counterValue(metrics, M.refreshes, { 'ads_token.source': 'store', 'ads_token.outcome': 'success' })).toBe(1);
    expect(counterValue(metrics, M.refreshes, { 'ads_token.outcome': 'failure', 'ads_token.error_code': 'INVALID_GRANT', 'ads_token.background': false })).toBe(1);
    expect(counterValue(metrics, M.refreshes)).toBe(lwaOk + 2);
    expect(histogramCount(metrics, M.refreshDuration)).toBe(lwaOk + 2);

    const retried = refreshRequests.filter((r) => r.status === 503).length;
    expect(retried).toBe(1);
    expect(counterValue(metrics, M.lwaRetries, { 'http.response.status_code': 503 })).toBe(retried);
    expect(counterValue(metrics, M.revocations, { 'ads_token.grant_id': 'gone' })).toBe(1);
    expect(histogramCount(metrics, M.lockWait)).toBe(w.events.filter((e) => e.type === 'lock_waited').length);
    expect(histogramCount(metrics, M.lockWait)).toBeGreaterThanOrEqual(1);

    // Durations are in seconds: the simulator's latency is 40 ms per request.
    const duration = points(metrics, M.refreshDuration).find((p) => p.attributes['ads_token.source'] === 'lwa')!.value as { min?: number; max?: number };
    expect(duration.min).toBeGreaterThanOrEqual(0.03);
    expect(duration.max).toBeLessThan(10);

    // Per-grant gauges, read from the store at collection time.
    const lifetime = 3600;
    expect(gaugeValue(metrics, M.expiresIn, 'default')).toBeGreaterThan(lifetime - 10);
    expect(gaugeValue(metrics, M.expiresIn, 'default')).toBeLessThanOrEqual(lifetime);
    expect(gaugeValue(metrics, M.consentAge, 'default')).toBeGreaterThanOrEqual(0);
    expect(gaugeValue(metrics, M.consentAge, 'default')).toBeLessThan(60);
    expect(gaugeValue(metrics, M.consentAge, 'shared')).toBeUndefined(); // setRefreshToken: consent time unknown
    expect(gaugeValue(metrics, M.revoked, 'gone')).toBe(1);
    expect(gaugeValue(metrics, M.revoked, 'default')).toBe(0);
    expect(gaugeValue(metrics, M.expiresIn, 'gone')).toBe(0);

    expect(secretsIn(JSON.stringify(metrics), w)).toEqual([]);
  });

  it('a target with status() gets one gauge series per grant; perGrantGauges: false records none; close() stops recording', async () => {
    world = await startWorld();
    const w = world;
    const managers = [w.manager({ grantId: 'alpha' }), w.manager({ grantId: 'beta' })];
    for (const m of managers) await m.authenticateWithCode(w.lwa.issueCode());
    let reads = 0;
    const several = {
      addListener: (listener: Parameters<(typeof managers)[number]['addListener']>[0]) => {
        const removers = managers.map((m) => m.addListener(listener));
        return () => removers.forEach((remove) => remove());
      },
      status: async () => {
        reads++;
        return Promise.all(managers.map((m) => m.getTokenInfo()));
      },
    };
    const handle = instrument(several, { meterProvider: w.meterProvider, tracerProvider: w.tracerProvider });
    const quiet = instrument(managers[1]!, { meterProvider: w.meterProvider, tracerProvider: w.tracerProvider, perGrantGauges: false, spans: false });
    await managers[1]!.refreshAccessToken();
    let metrics = await w.collect();
    expect(reads).toBe(1);
    expect(points(metrics, M.expiresIn).map((p) => p.attributes['ads_token.grant_id']).sort()).toEqual(['alpha', 'beta']);
    expect(counterValue(metrics, M.refreshes)).toBe(2); // the one refresh, seen by both instrumentations
    expect(w.spans()).toHaveLength(1);

    handle.close();
    handle.close();
    quiet.close();
    await managers[1]!.refreshAccessToken();
    metrics = await w.collect();
    expect(reads).toBe(1);
    expect(counterValue(metrics, M.refreshes)).toBe(2);
    expect(w.spans()).toHaveLength(1);
  });

  it('perGrantGauges: false records no gauge and reads no store on collection', async () => {
    world = await startWorld();
    const w = world;
    const manager = w.manager();
    await manager.authenticateWithCode(w.lwa.issueCode());
    let reads = 0;
    const counted = {
      addListener: manager.addListener.bind(manager),
      getTokenInfo: () => {
        reads++;
        return manager.getTokenInfo();
      },
    };
    instrument(counted, { meterProvider: w.meterProvider, tracerProvider: w.tracerProvider, perGrantGauges: false });
    await manager.refreshAccessToken();
    const metrics = await w.collect();
    expect(counterValue(metrics, M.refreshes)).toBe(1);
    for (const name of [M.expiresIn, M.consentAge, M.revoked]) expect(points(metrics, name)).toEqual([]);
    expect(reads).toBe(0);
  });

  it('a store that fails during collection yields no gauge points and does not fail the collection', async () => {
    world = await startWorld();
    const w = world;
    const manager = w.manager();
    await manager.authenticateWithCode(w.lwa.issueCode());
    const broken = { addListener: manager.addListener.bind(manager), getTokenInfo: () => Promise.reject(new Error('store down')) };
    instrument(broken, { meterProvider: w.meterProvider, tracerProvider: w.tracerProvider });
    await manager.refreshAccessToken();
    const metrics = await w.collect();
    expect(points(metrics, M.expiresIn)).toEqual([]);
    expect(counterValue(metrics, M.refreshes)).toBe(1);
  });

  it('refuses a target without addListener', () => {
    expect(() => instrument({} as never)).toThrow(TypeError);
  });
});
