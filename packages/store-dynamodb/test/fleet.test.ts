import { TokenManager, abortableSleep, type Clock } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { LwaSimulator } from '@ads-token/testing';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLock, DynamoDbTokenStore } from '../src/index.js';
import { ensureTable, loopbackClient, startDynalite, type DynaliteServer } from './dynalite-server.js';
import { startWorker, type Worker } from './fleet.js';

const PROCESSES = 8;
const CALLERS = 50;
const TABLE = 'fleet';
/** The seeding host's clock, two hours behind: the access token it stores expired an hour ago. */
const pastClock: Clock = { now: () => Date.now() - 7_200_000, sleep: (ms, signal) => abortableSleep(ms, signal) };

describe('a fleet of processes sharing one DynamoDB table', () => {
  let server: DynaliteServer;
  let lwa: LwaSimulator;
  let client: DynamoDBClient;
  const workers: Worker[] = [];

  beforeAll(async () => {
    server = await startDynalite();
    await ensureTable(server.endpoint, TABLE);
    lwa = await LwaSimulator.start({ rotateRefreshTokens: true, latencyMs: 100 });
    client = loopbackClient(server.endpoint);
  });
  afterAll(async () => {
    for (const w of workers) w.kill();
    client?.destroy();
    await lwa?.stop();
    await server?.stop();
  });

  it(`${PROCESSES} processes x ${CALLERS} callers with an expired token make exactly one LWA refresh, and every caller gets the new token`, async () => {
    const store = new DynamoDbTokenStore({ client, tableName: TABLE });
    const lock = new DynamoDbLock({ client, tableName: TABLE });
    const seeder = new TokenManager({
      clientId: lwa.clientId,
      clientSecret: lwa.clientSecret,
      http: new FetchHttpClient(),
      endpoints: { tokenUrl: lwa.tokenUrl },
      store,
      lock,
      clock: pastClock,
    });
    await seeder.setRefreshToken(lwa.issueRefreshToken());
    const old = await seeder.getAccessToken();
    await seeder.close();
    await lock.close();

    for (let i = 0; i < PROCESSES; i++) {
      workers.push(
        startWorker({
          DYNAMODB_ENDPOINT: server.endpoint,
          TABLE,
          TOKEN_URL: lwa.tokenUrl,
          CLIENT_ID: lwa.clientId,
          CLIENT_SECRET: lwa.clientSecret,
          CALLERS: String(CALLERS),
          ACTION: 'get',
        }),
      );
    }
    await Promise.all(workers.map((w) => w.ready));
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
