import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { StoreUnavailableError, TokenManager } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { LwaSimulator } from '@ads-token/testing';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLock, DynamoDbTokenStore, createTable } from '../src/index.js';
import { ensureTable, loopbackClient, startDynalite, type DynaliteServer } from './dynalite-server.js';

const TABLE = 'store-tests';
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

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of iterable) out.push(key);
  return out;
}

/** A TCP listener that accepts connections and never answers: a DynamoDB endpoint that hangs. */
async function silentEndpoint(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const listener: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        listener.close(() => resolve());
      }),
  };
}

describe('DynamoDbTokenStore', () => {
  it('shares a table with DynamoDbLock: list yields records only, never lease items', async () => {
    const store = new DynamoDbTokenStore({ client, tableName: TABLE });
    const lock = new DynamoDbLock({ client, tableName: TABLE });
    const key = 'ads-token:v1:{shared:g}';
    await store.compareAndSet(key, undefined, { version: 'v1', data: 'sealed' });
    const lease = await lock.acquire(`refresh:${key}`, { ttlMs: 5000, waitMs: 0 });
    try {
      expect(await collect(store.list(''))).toEqual([key]);
      expect(await store.get(`refresh:${key}`)).toBeUndefined();
      expect(await store.delete(`refresh:${key}`)).toBe(false);
      const items = await client.send(new ScanCommand({ TableName: TABLE, ConsistentRead: true }));
      expect(items.Count).toBe(2); // the record and the lease, side by side
    } finally {
      await lease.release();
      await lock.close();
    }
  });

  it('keyPrefix keeps apps apart in one table', async () => {
    const a = new DynamoDbTokenStore({ client, tableName: TABLE, keyPrefix: 'app-a:' });
    const b = new DynamoDbTokenStore({ client, tableName: TABLE, keyPrefix: 'app-b:' });
    const key = 'ads-token:v1:{prefixed:g}';
    expect(await a.compareAndSet(key, undefined, { version: 'a', data: 'A' })).toBe(true);
    expect(await b.compareAndSet(key, undefined, { version: 'b', data: 'B' })).toBe(true);
    expect(await a.get(key)).toEqual({ version: 'a', data: 'A' });
    expect(await collect(b.list('ads-token:v1:{prefixed'))).toEqual([key]);
  });

  it('a missing table is StoreUnavailableError that says how to create it', async () => {
    const store = new DynamoDbTokenStore({ client, tableName: 'no-such-table' });
    const error = await store.get('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/ResourceNotFoundException.*createTable/);
  });

  it('a refused connection is StoreUnavailableError naming the network error', async () => {
    const silent = await silentEndpoint();
    const endpoint = silent.endpoint;
    await silent.close(); // nothing listens there any more
    const refused = loopbackClient(endpoint);
    try {
      const error = await new DynamoDbTokenStore({ client: refused, tableName: TABLE }).get('k').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toBe('DynamoDB GetItem failed: Error: ECONNREFUSED');
    } finally {
      refused.destroy();
    }
  });

  it('an endpoint that never answers fails within operationTimeoutMs with StoreUnavailableError, for reads and writes', async () => {
    const silent = await silentEndpoint();
    const hung = loopbackClient(silent.endpoint);
    try {
      const store = new DynamoDbTokenStore({ client: hung, tableName: TABLE, operationTimeoutMs: 300 });
      for (const call of [() => store.get('k'), () => store.compareAndSet('k', undefined, { version: 'v', data: 'd' }), () => collect(store.list('k'))]) {
        const started = performance.now();
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect((error as Error).message).toMatch(/timed out after 300 ms/);
        expect(performance.now() - started).toBeLessThan(5000);
      }
    } finally {
      hung.destroy();
      await silent.close();
    }
  });

  it('a lease whose renewals cannot reach DynamoDB aborts its signal once the lease time has passed, not before', async () => {
    const silent = await silentEndpoint();
    // Acquire through the real server, then point renewals at the silent endpoint by swapping send().
    const flaky = loopbackClient(server.endpoint);
    const hung = loopbackClient(silent.endpoint);
    try {
      const lock = new DynamoDbLock({ client: flaky, tableName: TABLE, operationTimeoutMs: 200 });
      const ttlMs = 900;
      const lease = await lock.acquire('refresh:renewal-fails', { ttlMs, waitMs: 0 });
      const cutAt = performance.now();
      flaky.send = hung.send.bind(hung);
      const abortedAt = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the lease never noticed')), ttlMs + 5000);
        lease.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve(performance.now());
        }, { once: true });
      });
      expect(abortedAt - cutAt).toBeGreaterThanOrEqual(ttlMs / 2);
      expect(lease.signal.reason).toMatchObject({ code: 'LOCK_TIMEOUT' });
      await lease.release();
      await lock.close();
    } finally {
      flaky.destroy();
      hung.destroy();
      await silent.close();
    }
  });

  it('createTable is idempotent and resolves once the table is ACTIVE', async () => {
    expect(await createTable({ client, tableName: 'created-once' })).toBe(true);
    expect(await createTable({ client, tableName: 'created-once' })).toBe(false);
  });

  it('a client configured like the tests never connects anywhere but loopback (instance metadata included)', async () => {
    const guard = await import('./fixtures/loopback-only.mjs');
    const lwa = await LwaSimulator.start();
    try {
      const store = new DynamoDbTokenStore({ client, tableName: TABLE });
      const manager = new TokenManager({ clientId: lwa.clientId, clientSecret: lwa.clientSecret, http: new FetchHttpClient(), endpoints: { tokenUrl: lwa.tokenUrl }, store, grantId: 'loopback' });
      await manager.setRefreshToken(lwa.issueRefreshToken());
      await manager.refreshAccessToken();
      await manager.close();
    } finally {
      await lwa.stop();
    }
    expect(guard.refusedHosts).toEqual([]);
  });

  it('the loopback guard refuses a remote host (so the test above can fail)', async () => {
    const guard = await import('./fixtures/loopback-only.mjs');
    const remote = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOOPBACKTEST', secretAccessKey: 'x' }, maxAttempts: 1 });
    try {
      const store = new DynamoDbTokenStore({ client: remote, tableName: TABLE });
      await expect(store.get('k')).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(guard.refusedHosts).toEqual(['dynamodb.us-east-1.amazonaws.com']);
    } finally {
      guard.refusedHosts.length = 0;
      remote.destroy();
    }
  });
});
