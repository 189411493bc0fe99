import { TokenManager } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { RedisTokenStore } from '@ads-token/store-redis';
import { LwaSimulator } from '@ads-token/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClient, type OpenedClient } from '../../redis-common/test/redis-clients.js';
import { startRedis, type RedisServer } from '../../redis-common/test/redis-server.js';
import { RedisLock } from '../src/index.js';
import { startWorker, type Worker } from './fleet.js';

const PROCESSES = 8;
const CALLERS = 50;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a fleet of processes sharing Redis', () => {
  let redis: RedisServer;
  let lwa: LwaSimulator;
  let opened: OpenedClient;
  const workers: Worker[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    lwa = await LwaSimulator.start({ tokenLifetimeSeconds: 2, rotateRefreshTokens: true, latencyMs: 100 });
    opened = await openClient('ioredis', redis.port);
  });
  afterAll(async () => {
    for (const w of workers) w.kill();
    await opened?.close();
    await lwa?.stop();
    await redis?.stop();
  });

  it(`${PROCESSES} processes x ${CALLERS} callers with an expired token make exactly one LWA refresh, and every caller gets the new token`, async () => {
    // Seed through another client library (ioredis) than the workers use (node-redis).
    const store = new RedisTokenStore({ client: opened.client });
    const lock = new RedisLock({ client: opened.client });
    const seeder = new TokenManager({
      clientId: lwa.clientId,
      clientSecret: lwa.clientSecret,
      http: new FetchHttpClient(),
      endpoints: { tokenUrl: lwa.tokenUrl },
      store,
      lock,
    });
    await seeder.setRefreshToken(lwa.issueRefreshToken());
    const old = await seeder.getAccessToken();
    await seeder.close();
    await store.close();
    await lock.close();

    for (let i = 0; i < PROCESSES; i++) {
      workers.push(
        startWorker({
          REDIS_PORT: String(redis.port),
          TOKEN_URL: lwa.tokenUrl,
          CLIENT_ID: lwa.clientId,
          CLIENT_SECRET: lwa.clientSecret,
          CALLERS: String(CALLERS),
          ACTION: 'get',
        }),
      );
    }
    await Promise.all(workers.map((w) => w.ready));
    await sleep(2500); // the seeded access token has expired by now
    lwa.resetCounts();
    for (const w of workers) w.go();
    const results = await Promise.all(workers.map((w) => w.done));

    expect(lwa.counts.refresh_token).toBe(1);
    const tokens = results.flatMap((r) => r.tokens);
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(tokens).toHaveLength(PROCESSES * CALLERS);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(old);
    expect(lwa.isValidAccessToken(tokens[0]!)).toBe(true);
    expect(results.flatMap((r) => r.refreshed).filter((s) => s === 'lwa')).toHaveLength(1);
  }, 60_000);
});
