import { randomUUID } from 'node:crypto';
import { ConfigurationError, LockTimeoutError } from '@ads-token/core';
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLock } from '../src/index.js';
import { ensureTable, loopbackClient, startDynalite, type DynaliteServer } from './dynalite-server.js';

const TABLE = 'lock-tests';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let server: DynaliteServer;
let client: DynamoDBClient;
beforeAll(async () => {
  server = await startDynalite();
  await ensureTable(server.endpoint, TABLE);
  client = loopbackClient(server.endpoint);
});
afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

async function leaseItem(key: string): Promise<Record<string, unknown> | undefined> {
  const out = await client.send(new GetItemCommand({ TableName: TABLE, Key: { key: { S: key } }, ConsistentRead: true }));
  return out.Item;
}

describe('DynamoDbLock', () => {
  it('a wait abandoned while its PutItem is on the way leaves no lease behind once that PutItem lands', async () => {
    // DynamoDB applies the write at once; its answer comes back 300 ms later, after the caller gave up.
    const slow = loopbackClient(server.endpoint);
    const send = slow.send.bind(slow) as (command: unknown, options?: { abortSignal?: AbortSignal }) => Promise<unknown>;
    const answered: Array<Promise<unknown>> = [];
    (slow as unknown as { send: typeof send }).send = (command, options) => {
      const answer = send(command).then(async (result) => {
        await sleep(300);
        options?.abortSignal?.throwIfAborted();
        return result;
      });
      answered.push(answer.catch(() => undefined));
      return answer;
    };
    try {
      const key = `refresh:${randomUUID()}`;
      const lock = new DynamoDbLock({ client: slow, tableName: TABLE });
      const controller = new AbortController();
      const reason = new Error('caller gave up');
      const acquiring = lock.acquire(key, { ttlMs: 5000, waitMs: 5000, signal: controller.signal });
      await sleep(50);
      controller.abort(reason);
      await expect(acquiring).rejects.toBe(reason);
      expect(await leaseItem(key)).toBeDefined(); // the write landed
      await Promise.all(answered);
      for (let i = 0; i < 100 && (await leaseItem(key)) !== undefined; i++) await sleep(20);
      expect(await leaseItem(key)).toBeUndefined();
      await lock.close();
    } finally {
      slow.destroy();
    }
  });

  it('writes lease items with owner, heartbeat, expiry on the writer\'s clock, lease time and a TTL a day later', async () => {
    const key = `refresh:${randomUUID()}`;
    const lock = new DynamoDbLock({ client, tableName: TABLE, clock: { now: () => 1_000_000 } });
    const lease = await lock.acquire(key, { ttlMs: 1500, waitMs: 0 });
    try {
      const item = (await leaseItem(key)) as Record<string, { S?: string; N?: string }>;
      expect(item.owner?.S).toMatch(/^[0-9a-f-]{36}$/);
      expect(item.beat?.S).toMatch(/^[0-9a-f-]{36}$/);
      expect(item.expiresAt?.N).toBe('1001500');
      expect(item.leaseMs?.N).toBe('1500');
      expect(item.ttl?.N).toBe(String(1002 + 86_400));
      expect(item.data).toBeUndefined();
      const firstBeat = item.beat?.S;
      await sleep(800); // past one renewal (every 500 ms)
      expect(((await leaseItem(key)) as Record<string, { S?: string }>).beat?.S).not.toBe(firstBeat);
    } finally {
      await lease.release();
      await lock.close();
    }
  });

  it('a release wakes a waiter of the same instance at once, without waiting for its next poll', async () => {
    const key = `refresh:${randomUUID()}`;
    const lock = new DynamoDbLock({ client, tableName: TABLE, pollIntervalMs: 60_000 });
    const holder = await lock.acquire(key, { ttlMs: 5000, waitMs: 0 });
    const waiting = lock.acquire(key, { ttlMs: 5000, waitMs: 20_000 });
    await sleep(300); // the waiter has backed off far beyond this
    await holder.release();
    const lease = await Promise.race([waiting, sleep(5000).then(() => undefined)]);
    expect(lease).toBeDefined();
    await lease?.release();
    await lock.close();
  });

  it('close releases held leases, and acquire afterwards is refused', async () => {
    const key = `refresh:${randomUUID()}`;
    const lock = new DynamoDbLock({ client, tableName: TABLE });
    await lock.acquire(key, { ttlMs: 5000, waitMs: 0 });
    await lock.close();
    expect(await leaseItem(key)).toBeUndefined();
    await expect(lock.acquire(key, { ttlMs: 5000, waitMs: 0 })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('bad options are ConfigurationError', async () => {
    expect(() => new DynamoDbLock({ client, pollIntervalMs: 0 })).toThrow(ConfigurationError);
    expect(() => new DynamoDbLock({ client, clockSkewMarginMs: -1 })).toThrow(ConfigurationError);
    expect(() => new DynamoDbLock({ client, tableName: 'x' })).toThrow(ConfigurationError);
    expect(() => new DynamoDbLock({ client: {} as DynamoDBClient })).toThrow(ConfigurationError);
    const lock = new DynamoDbLock({ client, tableName: TABLE });
    await expect(lock.acquire('k', { ttlMs: 0, waitMs: 0 })).rejects.toBeInstanceOf(ConfigurationError);
    await expect(lock.acquire('k', { ttlMs: 1000, waitMs: 0 })).resolves.toBeDefined();
    await expect(lock.acquire('k', { ttlMs: 1000, waitMs: 0 })).rejects.toBeInstanceOf(LockTimeoutError);
    await lock.close();
  });
});
