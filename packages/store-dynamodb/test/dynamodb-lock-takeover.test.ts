// Takeover of leases left by dead holders, and safety of live holders, with skewed clocks on one
// side. Holders that die are real processes that exit without releasing.
import { randomUUID } from 'node:crypto';
import { LockTimeoutError } from '@ads-token/core';
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLock, type DynamoDbLockOptions } from '../src/index.js';
import { ensureTable, loopbackClient, startDynalite, type DynaliteServer } from './dynalite-server.js';
import { holdAndExit } from './hold-and-exit.js';

const TABLE = 'takeover';
const TTL = 1000;
const MARGIN = 1500;
const HOUR = 3_600_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let server: DynaliteServer;
let client: DynamoDBClient;
const locks: DynamoDbLock[] = [];
beforeAll(async () => {
  server = await startDynalite();
  await ensureTable(server.endpoint, TABLE);
  client = loopbackClient(server.endpoint);
});
afterAll(async () => {
  await Promise.all(locks.map((l) => l.close()));
  client?.destroy();
  await server?.stop();
});

function lockWith(options: Partial<DynamoDbLockOptions> & { clockOffsetMs?: number } = {}): DynamoDbLock {
  const { clockOffsetMs = 0, ...rest } = options;
  const lock = new DynamoDbLock({
    client,
    tableName: TABLE,
    clockSkewMarginMs: MARGIN,
    pollIntervalMs: 50,
    clock: { now: () => Date.now() + clockOffsetMs },
    ...rest,
  });
  locks.push(lock);
  return lock;
}

/** A real process takes `key` with lease TTL on a clock `offsetMs` off, then exits without releasing. */
async function deadHolder(key: string, offsetMs: number): Promise<number> {
  const result = await holdAndExit({ DYNAMODB_ENDPOINT: server.endpoint, TABLE, KEY: key, TTL_MS: String(TTL), CLOCK_OFFSET_MS: String(offsetMs) });
  expect(result.out).toContain('held');
  expect(result.exit).toBe(0);
  return performance.now();
}

async function itemOwner(key: string): Promise<string | undefined> {
  const out = await client.send(new GetItemCommand({ TableName: TABLE, Key: { key: { S: key } }, ConsistentRead: true }));
  return out.Item?.owner?.S;
}

describe('DynamoDbLock: leases of dead holders', () => {
  it('a held lease never keeps its process alive, and stays in the table after the process is gone', async () => {
    const key = `refresh:${randomUUID()}`;
    const result = await holdAndExit({ DYNAMODB_ENDPOINT: server.endpoint, TABLE, KEY: key, TTL_MS: '60000' });
    expect(result.err).toBe('');
    expect(result.exit).toBe(0);
    expect(await itemOwner(key)).toBeDefined();
  }, 30_000);

  it('a lease whose written expiry is past by more than the margin is taken at once', async () => {
    const key = `refresh:${randomUUID()}`;
    await deadHolder(key, 0);
    await sleep(TTL + MARGIN + 200); // its expiry, plus the margin, has passed on every clock here
    // Watching the heartbeat alone would need TTL + MARGIN: this wait is shorter.
    const lease = await lockWith().acquire(key, { ttlMs: TTL, waitMs: 300 });
    expect(lease.signal.aborted).toBe(false);
    await lease.release();
  }, 30_000);

  it('with trustWriterClock false, the same lease is taken only after its heartbeat was watched unchanged for its lease time plus the margin', async () => {
    const key = `refresh:${randomUUID()}`;
    await deadHolder(key, 0);
    await sleep(TTL + MARGIN + 200);
    const lock = lockWith({ trustWriterClock: false });
    await expect(lock.acquire(key, { ttlMs: TTL, waitMs: 300 })).rejects.toBeInstanceOf(LockTimeoutError);
    const started = performance.now();
    const lease = await lock.acquire(key, { ttlMs: TTL, waitMs: 10_000 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(TTL + MARGIN);
    await lease.release();
  }, 30_000);

  it('a dead holder whose clock ran an hour ahead is taken over by watching its heartbeat, bounded by its lease time plus the margin', async () => {
    const key = `refresh:${randomUUID()}`;
    await deadHolder(key, HOUR);
    const started = performance.now();
    const lease = await lockWith().acquire(key, { ttlMs: TTL, waitMs: 10_000 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(TTL + MARGIN);
    expect(lease.signal.aborted).toBe(false);
    await lease.release();
  }, 30_000);
});

describe('DynamoDbLock: live holders and skewed clocks', () => {
  const cases: Array<[string, number, number]> = [
    ['the waiter\'s clock is ahead by just under the margin', 0, MARGIN - 10],
    ['the holder\'s clock is behind by just under the margin', -(MARGIN - 10), 0],
  ];
  for (const [title, holderOffset, waiterOffset] of cases) {
    it(`a live holder keeps its lease when ${title}`, async () => {
      const key = `refresh:${randomUUID()}`;
      const holder = await lockWith({ clockOffsetMs: holderOffset }).acquire(key, { ttlMs: TTL, waitMs: 0 });
      try {
        const waiter = lockWith({ clockOffsetMs: waiterOffset });
        await expect(waiter.acquire(key, { ttlMs: TTL, waitMs: 4 * TTL })).rejects.toBeInstanceOf(LockTimeoutError);
        expect(holder.signal.aborted).toBe(false);
      } finally {
        await holder.release();
      }
    }, 30_000);
  }

  it('with trustWriterClock false, a live holder keeps its lease whatever the waiter\'s clock says', async () => {
    const key = `refresh:${randomUUID()}`;
    const holder = await lockWith().acquire(key, { ttlMs: TTL, waitMs: 0 });
    try {
      const waiter = lockWith({ clockOffsetMs: HOUR, trustWriterClock: false });
      await expect(waiter.acquire(key, { ttlMs: TTL, waitMs: 4 * TTL })).rejects.toBeInstanceOf(LockTimeoutError);
      expect(holder.signal.aborted).toBe(false);
    } finally {
      await holder.release();
    }
  }, 30_000);

  it('a clock off by more than the margin can take a live lease (the documented limit), and the old holder\'s signal aborts at its next renewal', async () => {
    const key = `refresh:${randomUUID()}`;
    const holder = await lockWith().acquire(key, { ttlMs: TTL, waitMs: 0 });
    const lease = await lockWith({ clockOffsetMs: HOUR }).acquire(key, { ttlMs: TTL, waitMs: 2000 });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the old holder never noticed')), 2 * TTL);
        holder.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
      expect(holder.signal.reason).toBeInstanceOf(LockTimeoutError);
      await holder.release(); // must not delete the new holder's item
      expect(lease.signal.aborted).toBe(false);
      await expect(lockWith().acquire(key, { ttlMs: TTL, waitMs: 100 })).rejects.toBeInstanceOf(LockTimeoutError);
    } finally {
      await lease.release();
    }
  }, 30_000);
});
