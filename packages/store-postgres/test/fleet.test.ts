import { TokenManager } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { LwaSimulator } from '@ads-token/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresLock, PostgresTokenStore } from '../src/index.js';
import { startWorker, type Worker } from './fleet.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';

const PROCESSES = 8;
const CALLERS = 50;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a fleet of processes sharing PostgreSQL', () => {
  let server: PostgresServer;
  let lwa: LwaSimulator;
  let pool: pg.Pool;
  const workers: Worker[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    lwa = await LwaSimulator.start({ tokenLifetimeSeconds: 2, rotateRefreshTokens: true, latencyMs: 100 });
    pool = new pg.Pool({ connectionString: server.url, max: 4 });
  });
  afterAll(async () => {
    for (const w of workers) w.kill();
    await pool?.end();
    await lwa?.stop();
    await server?.stop();
  });

  it(`${PROCESSES} processes x ${CALLERS} callers with an expired token make exactly one LWA refresh, and every caller gets the new token`, async () => {
    const store = new PostgresTokenStore({ pool });
    const lock = new PostgresLock({ pool });
    await store.createTable();
    await lock.createTable();
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
          PG_URL: server.url,
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
    // Every lease was released once the workers closed: no lock row is left behind (rows are only
    // removed by a release, never by expiry). A worker reports before it closes: wait, bounded.
    const lockRows = async (): Promise<number> => ((await pool.query('SELECT count(*)::int AS n FROM ads_token_lock')).rows[0] as { n: number }).n;
    for (let i = 0; i < 100 && (await lockRows()) > 0; i++) await sleep(100);
    expect(await lockRows()).toBe(0);
  }, 60_000);
});
