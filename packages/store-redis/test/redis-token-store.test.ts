import { ConfigurationError, StoreUnavailableError, storeKey } from '@ads-token/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClient, openClusterClient, type ClientKind, type OpenedClient } from '../../redis-common/test/redis-clients.js';
import { startRedis, startRedisCluster, type RedisCluster, type RedisServer } from '../../redis-common/test/redis-server.js';
import { RedisTokenStore } from '../src/index.js';

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of iterable) out.push(key);
  return out.sort();
}

function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (predicate()) resolve();
      else if (Date.now() > deadline) reject(new Error('condition not met in time'));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

const KINDS: ClientKind[] = ['node-redis', 'ioredis'];
const key = storeKey('amzn1.client', 'grant-1');

for (const topology of ['standalone', 'cluster'] as const) {
  for (const kind of KINDS) {
    describe(`RedisTokenStore with ${kind} (${topology})`, () => {
      let server: RedisServer | undefined;
      let cluster: RedisCluster | undefined;
      const opened: OpenedClient[] = [];
      const open = async (): Promise<object> => {
        const c = topology === 'cluster' ? await openClusterClient(kind, cluster!.rootNodes) : await openClient(kind, server!.port);
        opened.push(c);
        return c.client;
      };

      beforeAll(async () => {
        if (topology === 'cluster') cluster = await startRedisCluster();
        else server = await startRedis();
      }, 60_000);
      afterAll(async () => {
        await Promise.all(opened.map((c) => c.close()));
        await server?.stop();
        await cluster?.stop();
      });

      it('stores, compares-and-sets and deletes by version', async () => {
        const store = new RedisTokenStore({ client: await open(), keyPrefix: `cas-${kind}:` });
        expect(await store.get(key)).toBeUndefined();
        expect(await store.compareAndSet(key, 'nope', { version: 'v1', data: 'd1' })).toBe(false);
        expect(await store.compareAndSet(key, undefined, { version: 'v1', data: 'd1' })).toBe(true);
        expect(await store.compareAndSet(key, undefined, { version: 'v2', data: 'd2' })).toBe(false);
        expect(await store.get(key)).toEqual({ version: 'v1', data: 'd1' });
        expect(await store.compareAndSet(key, 'v1', { version: 'v2', data: 'd2' })).toBe(true);
        expect(await store.compareAndSet(key, 'v1', { version: 'v3', data: 'd3' })).toBe(false);
        expect(await store.delete(key, 'v1')).toBe(false);
        expect(await store.get(key)).toEqual({ version: 'v2', data: 'd2' });
        expect(await store.delete(key, 'v2')).toBe(true);
        expect(await store.delete(key)).toBe(false);
        expect(await store.compareAndSet(key, undefined, { version: 'v4', data: '' })).toBe(true);
        expect(await store.get(key)).toEqual({ version: 'v4', data: '' });
        expect(await store.delete(key)).toBe(true);
        expect(await store.get(key)).toBeUndefined();
      });

      it('falls back to EVAL when the script cache was flushed', async () => {
        const store = new RedisTokenStore({ client: await open(), keyPrefix: `flush-${kind}:` });
        expect(await store.compareAndSet(key, undefined, { version: 'a', data: 'x' })).toBe(true);
        for (const node of cluster?.nodes ?? [server!]) await node.cli('SCRIPT', 'FLUSH');
        expect(await store.compareAndSet(key, 'a', { version: 'b', data: 'y' })).toBe(true);
        expect(await store.delete(key, 'b')).toBe(true);
      });

      it('lists keys under a prefix across every node, within its keyPrefix only', async () => {
        const client = await open();
        const store = new RedisTokenStore({ client, keyPrefix: `list-${kind}:` });
        const other = new RedisTokenStore({ client, keyPrefix: `other-${kind}:` });
        const keys = Array.from({ length: 30 }, (_, i) => storeKey('client*[a]?', `g${i}`));
        for (const k of keys) await store.compareAndSet(k, undefined, { version: '1', data: 'x' });
        await store.compareAndSet(storeKey('client-b', 'g'), undefined, { version: '1', data: 'x' });
        await other.compareAndSet(storeKey('client*[a]?', 'elsewhere'), undefined, { version: '1', data: 'x' });
        expect(await collect(store.list('ads-token:v1:{client*[a]?:'))).toEqual([...keys].sort());
        expect(await collect(store.list(''))).toHaveLength(31);
        expect(await collect(store.list('nothing-here'))).toEqual([]);
      });

      it('tells a subscriber in another instance of every write and delete, on one connection', async () => {
        const writer = new RedisTokenStore({ client: await open(), keyPrefix: `sub-${kind}:` });
        const reader = new RedisTokenStore({ client: await open(), keyPrefix: `sub-${kind}:` });
        const seen: string[] = [];
        const stop = await reader.subscribe(key, () => seen.push('a'));
        const stopB = await reader.subscribe(key, () => seen.push('b'));
        const otherKey = storeKey('amzn1.client', 'grant-2');
        const stopOther = await reader.subscribe(otherKey, () => seen.push('other'));
        await writer.compareAndSet(key, undefined, { version: '1', data: 'x' });
        await waitFor(() => seen.length >= 2);
        await stopB();
        await writer.delete(key);
        await waitFor(() => seen.length >= 3);
        await stop();
        await writer.compareAndSet(key, undefined, { version: '2', data: 'x' });
        await writer.compareAndSet(otherKey, undefined, { version: '1', data: 'x' });
        await waitFor(() => seen.includes('other'));
        expect(seen.sort()).toEqual(['a', 'a', 'b', 'other']);
        await stopOther();
        await reader.close();
        await expect(reader.subscribe(key, () => undefined)).rejects.toBeInstanceOf(StoreUnavailableError);
        await writer.close();
      });

      it('passes the caller abort reason through', async () => {
        const store = new RedisTokenStore({ client: await open() });
        const controller = new AbortController();
        const reason = new Error('caller left');
        controller.abort(reason);
        await expect(store.get(key, { signal: controller.signal })).rejects.toBe(reason);
      });
    });
  }
}

describe('RedisTokenStore configuration and outages', () => {
  let server: RedisServer;
  const opened: OpenedClient[] = [];
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
    await server.stop();
  });

  it('refuses a key prefix with braces, a client with its own keyPrefix, and anything that is not a client', async () => {
    const c = await openClient('ioredis', server.port);
    opened.push(c);
    expect(() => new RedisTokenStore({ client: c.client, keyPrefix: 'a{b}' })).toThrow(ConfigurationError);
    expect(() => new RedisTokenStore({ client: {} })).toThrow(ConfigurationError);
    const { Redis } = await import('ioredis');
    const prefixed = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true, keyPrefix: 'app:' });
    expect(() => new RedisTokenStore({ client: prefixed })).toThrow(ConfigurationError);
    prefixed.disconnect();
  });

  for (const kind of KINDS) {
    it(`fails with StoreUnavailableError (cause kept) within bounds when Redis is down (${kind})`, async () => {
      const down = await startRedis();
      const c = await openClient(kind, down.port);
      opened.push(c);
      const store = new RedisTokenStore({ client: c.client, operationTimeoutMs: 1000 });
      await store.compareAndSet(key, undefined, { version: '1', data: 'x' });
      await down.stop();
      const started = performance.now();
      const error = await store.get(key).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(performance.now() - started).toBeLessThan(5000);
      await expect(store.compareAndSet(key, '1', { version: '2', data: 'y' })).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.subscribe(key, () => undefined)).rejects.toBeInstanceOf(StoreUnavailableError);
      await store.close();
    });
  }

  it('keeps the client error as the cause', async () => {
    const c = await openClient('node-redis', server.port);
    const store = new RedisTokenStore({ client: c.client });
    await c.close();
    const error = (await store.get(key).catch((e: unknown) => e)) as StoreUnavailableError;
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.message).not.toContain('amzn1.client');
  });

  it('bounds operations even when the client queues commands while offline (defaults)', async () => {
    const down = await startRedis();
    const { createClient } = await import('redis');
    const client = createClient({ socket: { host: '127.0.0.1', port: down.port, reconnectStrategy: () => 100 } });
    client.on('error', () => undefined);
    await client.connect();
    opened.push({ client, close: async () => client.destroy() });
    const store = new RedisTokenStore({ client, operationTimeoutMs: 500 });
    await down.stop();
    const error = (await store.get(key).catch((e: unknown) => e)) as StoreUnavailableError;
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.code).toBe('STORE_UNAVAILABLE');
  });
});
