import { TokenPool } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { RedisTokenStore } from '@ads-token/store-redis';
import { LwaSimulator } from '@ads-token/testing';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../redis-common/test/redis-server.js';
import { RedisLock } from '../src/index.js';
import { POOL_WORKER, startWorker, type Worker } from './fleet.js';

const PROCESSES = 4;
const GRANTS = 200;
const TOKEN_SECONDS = 8;
const BUFFER_SECONDS = 3;
const RUN_MS = 13_000;
/** Refreshes of one grant closer together than this (a token's due time less a second) are duplicates. */
const MIN_GAP_MS = (TOKEN_SECONDS - BUFFER_SECONDS - 1) * 1000;

interface PoolWorkerResult {
  calls: number;
  errors: string[];
  failures: string[];
  refreshed: { lwa: number; store: number };
  peak: number;
}

describe('a fleet of TokenPools sharing Redis', () => {
  let redis: RedisServer;
  let lwa: LwaSimulator;
  const workers: Worker<PoolWorkerResult>[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    lwa = await LwaSimulator.start({ tokenLifetimeSeconds: TOKEN_SECONDS, latencyMs: 20 });
  });
  afterAll(async () => {
    for (const w of workers) w.kill();
    await lwa?.stop();
    await redis?.stop();
  });

  it(`${PROCESSES} processes x ${GRANTS} grants: every grant refreshed exactly once per expiry, never twice, never late`, async () => {
    // Seed every grant with a refresh token and a first access token.
    const client = createClient({ socket: { host: '127.0.0.1', port: redis.port } });
    await client.connect();
    const store = new RedisTokenStore({ client });
    const lock = new RedisLock({ client });
    const seeder = new TokenPool({
      clientId: lwa.clientId,
      clientSecret: lwa.clientSecret,
      http: new FetchHttpClient(),
      endpoints: { tokenUrl: lwa.tokenUrl },
      store,
      lock,
    });
    const grantNames = new Set<string>();
    const ids = Array.from({ length: GRANTS }, (_, i) => `advertiser-${i}`);
    for (const id of ids) {
      const refreshToken = lwa.issueRefreshToken();
      grantNames.add(lwa.grantOf(refreshToken)!);
      await seeder.manager(id).setRefreshToken(refreshToken);
    }
    lwa.resetCounts();
    for (let i = 0; i < ids.length; i += 20) await Promise.all(ids.slice(i, i + 20).map((id) => seeder.getAccessToken(id)));
    await seeder.close();
    await store.close();
    await lock.close();
    await client.close();

    for (let i = 0; i < PROCESSES; i++) {
      workers.push(
        startWorker<PoolWorkerResult>(
          {
            REDIS_PORT: String(redis.port),
            TOKEN_URL: lwa.tokenUrl,
            CLIENT_ID: lwa.clientId,
            CLIENT_SECRET: lwa.clientSecret,
            GRANTS: String(GRANTS),
            REFRESH_BUFFER: String(BUFFER_SECONDS),
            DURATION_MS: String(RUN_MS),
            LOOPS: '2',
          },
          POOL_WORKER,
        ),
      );
    }
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.go();
    const results = await Promise.all(workers.map((w) => w.done));
    const endAt = Date.now();

    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(results.flatMap((r) => r.failures)).toEqual([]);
    for (const r of results) expect(r.peak).toBeLessThanOrEqual(4);

    // Per grant: the seeding's refresh, then one refresh per token that came due, each before the token it replaced expired.
    const byGrant = lwa.refreshesByGrant();
    expect(new Set(byGrant.keys())).toEqual(grantNames);
    const duplicates: string[] = [];
    const late: string[] = [];
    let refreshes = 0;
    for (const [grant, requests] of byGrant) {
      expect(requests.every((r) => r.status === 200)).toBe(true);
      const times = requests.map((r) => r.at);
      expect(times.length).toBeGreaterThanOrEqual(2); // seeded, then refreshed at least once in the run
      refreshes += times.length - 1;
      for (let i = 1; i < times.length; i++) {
        const gap = times[i]! - times[i - 1]!;
        if (gap < MIN_GAP_MS) duplicates.push(`grant ${grant}: ${gap} ms after the previous refresh`);
        if (gap >= TOKEN_SECONDS * 1000) late.push(`grant ${grant}: ${gap} ms after the previous refresh`);
      }
      // The newest token had not expired when the fleet stopped asking.
      const last = times[times.length - 1]!;
      if (endAt - last >= TOKEN_SECONDS * 1000) late.push(`grant ${grant}: not refreshed for ${endAt - last} ms`);
    }
    expect(duplicates).toEqual([]);
    expect(late).toEqual([]);
    expect(results.reduce((n, r) => n + r.refreshed.lwa, 0)).toBe(refreshes);
  }, 90_000);
});
