import { ConfigurationError, LockTimeoutError, StoreUnavailableError } from '@ads-token/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClient, openClusterClient, type ClientKind, type OpenedClient } from '../../redis-common/test/redis-clients.js';
import { startRedis, startRedisCluster, type RedisCluster, type RedisServer } from '../../redis-common/test/redis-server.js';
import { RedisLock } from '../src/index.js';

const KEY = 'refresh:ads-token:v1:{client:grant}';

function aborted(signal: AbortSignal, timeoutMs: number): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (const topology of ['standalone', 'cluster'] as const) {
  for (const kind of ['node-redis', 'ioredis'] as ClientKind[]) {
    describe(`RedisLock with ${kind} (${topology})`, () => {
      let server: RedisServer | undefined;
      let cluster: RedisCluster | undefined;
      const opened: OpenedClient[] = [];
      const locks: RedisLock[] = [];
      const open = async (): Promise<object> => {
        const c = topology === 'cluster' ? await openClusterClient(kind, cluster!.rootNodes) : await openClient(kind, server!.port);
        opened.push(c);
        return c.client;
      };
      const lock = async (options: { pollIntervalMs?: number; keyPrefix?: string } = {}): Promise<RedisLock> => {
        const l = new RedisLock({ client: await open(), keyPrefix: `${kind}:`, ...options });
        locks.push(l);
        return l;
      };
      const raw = async (...args: string[]): Promise<string> => {
        const node = cluster ? cluster.nodes : [server!];
        const outs = await Promise.all(node.map((n) => n.cli(...args).catch(() => '')));
        return outs.filter((o) => o !== '' && !o.startsWith('MOVED') && !o.startsWith('ERR')).join('\n');
      };

      beforeAll(async () => {
        if (topology === 'cluster') cluster = await startRedisCluster();
        else server = await startRedis();
      }, 60_000);
      afterAll(async () => {
        await Promise.all(locks.map((l) => l.close()));
        await Promise.all(opened.map((c) => c.close()));
        await server?.stop();
        await cluster?.stop();
      });

      it('an acquire abandoned while its SET is in flight leaves no lock behind', async () => {
        const a = await lock();
        const b = await lock();
        const key = `${KEY}:abandoned`;
        for (let i = 0; i < 20; i++) {
          const controller = new AbortController();
          const pending = a.acquire(key, { ttlMs: 15_000, waitMs: 1000, signal: controller.signal });
          controller.abort(new Error('not needed any more'));
          await pending.then((lease) => lease.release(), () => undefined);
        }
        const deadline = Date.now() + 2000;
        let lease;
        while (lease === undefined) {
          lease = await b.acquire(key, { ttlMs: 5000, waitMs: 0 }).catch(() => undefined);
          if (lease === undefined && Date.now() > deadline) throw new Error('an abandoned acquire left the lock taken');
          await sleep(10);
        }
        await lease.release();
      });

      it('excludes a second process until release, and wakes it by notification, not by poll', async () => {
        const a = await lock();
        const b = await lock({ pollIntervalMs: 60_000 });
        const lease = await a.acquire(KEY, { ttlMs: 5000, waitMs: 1000 });
        await expect(b.acquire(KEY, { ttlMs: 5000, waitMs: 300 })).rejects.toBeInstanceOf(LockTimeoutError);
        const waiting = b.acquire(KEY, { ttlMs: 5000, waitMs: 15_000 });
        await sleep(200);
        await lease.release();
        const started = performance.now();
        const next = await waiting;
        expect(performance.now() - started).toBeLessThan(10_000);
        expect(next.signal.aborted).toBe(false);
        await next.release();
        expect(lease.signal.aborted).toBe(false);
      });

      it('renews the lease while held, past several ttls (a fractional ttl too)', async () => {
        const a = await lock();
        const b = await lock();
        const lease = await a.acquire(KEY, { ttlMs: 600.5, waitMs: 1000 });
        await expect(b.acquire(KEY, { ttlMs: 600, waitMs: 2500 })).rejects.toBeInstanceOf(LockTimeoutError);
        expect(lease.signal.aborted).toBe(false);
        await lease.release();
        const again = await b.acquire(KEY, { ttlMs: 600, waitMs: 2000 });
        await again.release();
      });

      it('aborts the lease signal when another owner takes the key, and an old release never deletes the new owner', async () => {
        const a = await lock();
        const b = await lock();
        const lease = await a.acquire(KEY, { ttlMs: 900, waitMs: 1000 });
        await raw('DEL', `${kind}:${KEY}`);
        const other = await b.acquire(KEY, { ttlMs: 5000, waitMs: 1000 });
        expect(await aborted(lease.signal, 5000)).toBe(true);
        expect(lease.signal.reason).toBeInstanceOf(LockTimeoutError);
        await lease.release();
        await expect(a.acquire(KEY, { ttlMs: 5000, waitMs: 200 })).rejects.toBeInstanceOf(LockTimeoutError);
        expect(other.signal.aborted).toBe(false);
        await other.release();
      });

      it('takes over a lock whose holder vanished once its ttl runs out (poll backstop)', async () => {
        const b = await lock({ pollIntervalMs: 100 });
        await raw('SET', `${kind}:${KEY}`, 'someone-else', 'PX', '500');
        const lease = await b.acquire(KEY, { ttlMs: 5000, waitMs: 8000 });
        expect(lease.signal.aborted).toBe(false);
        await lease.release();
      });

      it("ends only the caller's wait on abort", async () => {
        const a = await lock();
        const b = await lock();
        const lease = await a.acquire(KEY, { ttlMs: 5000, waitMs: 1000 });
        const controller = new AbortController();
        const reason = new Error('caller left');
        const waiting = b.acquire(KEY, { ttlMs: 5000, waitMs: 10_000, signal: controller.signal });
        setTimeout(() => controller.abort(reason), 100);
        await expect(waiting).rejects.toBe(reason);
        await lease.release();
      });
    });
  }
}

describe('RedisLock outages and configuration', () => {
  const opened: OpenedClient[] = [];
  const servers: RedisServer[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('refuses bad options', async () => {
    const server = await startRedis();
    servers.push(server);
    const c = await openClient('node-redis', server.port);
    opened.push(c);
    expect(() => new RedisLock({ client: c.client, keyPrefix: '{x}' })).toThrow(ConfigurationError);
    const l = new RedisLock({ client: c.client });
    await expect(l.acquire(KEY, { ttlMs: 0, waitMs: 10 })).rejects.toBeInstanceOf(ConfigurationError);
    await l.close();
    await expect(l.acquire(KEY, { ttlMs: 10, waitMs: 10 })).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  for (const kind of ['node-redis', 'ioredis'] as ClientKind[]) {
    it(`raises StoreUnavailableError when Redis is down while acquiring, and loses a held lease past its deadline (${kind})`, async () => {
      const server = await startRedis();
      servers.push(server);
      const c = await openClient(kind, server.port);
      opened.push(c);
      const l = new RedisLock({ client: c.client, operationTimeoutMs: 500 });
      const lease = await l.acquire(KEY, { ttlMs: 900, waitMs: 1000 });
      await server.stop();
      expect(await aborted(lease.signal, 5000)).toBe(true);
      await expect(l.acquire('refresh:other', { ttlMs: 1000, waitMs: 3000 })).rejects.toBeInstanceOf(StoreUnavailableError);
      await lease.release();
      await l.close();
    });
  }

  it('loses the lease when a CLIENT PAUSE outlasts it', async () => {
    const server = await startRedis();
    servers.push(server);
    const c = await openClient('ioredis', server.port);
    opened.push(c);
    const l = new RedisLock({ client: c.client, operationTimeoutMs: 5000 });
    const lease = await l.acquire(KEY, { ttlMs: 600, waitMs: 1000 });
    await server.cli('CLIENT', 'PAUSE', '2000', 'ALL');
    expect(await aborted(lease.signal, 1500)).toBe(true);
    await lease.release();
    await l.close();
  });
});
