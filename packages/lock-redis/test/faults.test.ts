import { StoreUnavailableError, TokenManager, storeKey, type LockLease, type TokenManagerOptions } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { RedisTokenStore } from '@ads-token/store-redis';
import { LwaSimulator, recordLeases } from '@ads-token/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { openClient, type ClientKind, type OpenedClient } from '../../redis-common/test/redis-clients.js';
import { startRedis, type RedisServer } from '../../redis-common/test/redis-server.js';
import { RedisLock } from '../src/index.js';
import { startWorker, type Worker } from './fleet.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Everything one "process" holds: a client, a store, a lock that records its leases, a manager. */
interface Member {
  manager: TokenManager;
  leases: LockLease[];
  sources: string[];
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function member(kind: ClientKind, redis: RedisServer, lwa: LwaSimulator, options: Partial<TokenManagerOptions> & { operationTimeoutMs?: number } = {}): Promise<Member> {
  const opened: OpenedClient = await openClient(kind, redis.port);
  const { operationTimeoutMs = 1000, ...managerOptions } = options;
  const store = new RedisTokenStore({ client: opened.client, operationTimeoutMs });
  const inner = new RedisLock({ client: opened.client, operationTimeoutMs });
  const { lock, leases } = recordLeases(inner);
  const sources: string[] = [];
  const manager = new TokenManager({
    clientId: lwa.clientId,
    clientSecret: lwa.clientSecret,
    http: new FetchHttpClient(),
    endpoints: { tokenUrl: lwa.tokenUrl },
    store,
    lock,
    onEvent: (event) => {
      if (event.type === 'refreshed') sources.push(event.source);
    },
    ...managerOptions,
  });
  const close = async (): Promise<void> => {
    await manager.close().catch(() => undefined);
    await store.close();
    await inner.close();
    await opened.close();
  };
  cleanups.push(close);
  return { manager, leases, sources, close };
}

/**
 * Waits until the manager has taken in its own write's change notification (which drops its cached
 * copy) and re-read the store once: the steady state of a process that holds a valid token.
 */
async function settle(m: Member): Promise<string> {
  await sleep(200);
  return m.manager.getAccessToken();
}

async function redisServer(persistent = false): Promise<RedisServer> {
  const server = await startRedis({ persistent });
  cleanups.push(() => server.stop());
  return server;
}

async function simulator(options: Parameters<typeof LwaSimulator.start>[0]): Promise<LwaSimulator> {
  const lwa = await LwaSimulator.start(options);
  cleanups.push(() => lwa.stop());
  return lwa;
}

describe('under faults', () => {
  for (const kind of ['node-redis', 'ioredis'] as ClientKind[]) {
    it(`Redis killed and restarted while a token is valid: served from memory, then coordination resumes (${kind})`, async () => {
      const first = await redisServer(true);
      const lwa = await simulator({ tokenLifetimeSeconds: 3600 });
      const a = await member(kind, first, lwa);
      await a.manager.setRefreshToken(lwa.issueRefreshToken());
      await a.manager.getAccessToken();
      const t1 = await settle(a);
      await first.kill();

      const served = await Promise.all(Array.from({ length: 50 }, () => a.manager.getAccessToken()));
      expect(new Set(served)).toEqual(new Set([t1]));

      const second = await first.restart();
      cleanups.push(() => second.stop());
      const channel = `${storeKey(lwa.clientId, 'default')}:changed`;
      await until(async () => (await second.cli('PUBSUB', 'NUMSUB', channel)).endsWith('1'), 'the subscriber reconnecting');

      const b = await member(kind === 'ioredis' ? 'node-redis' : 'ioredis', second, lwa);
      const t2 = await b.manager.refreshAccessToken();
      expect(t2).not.toBe(t1);
      await until(async () => (await a.manager.getAccessToken()) === t2, 'the other process learning of the new token');
      expect(lwa.counts.refresh_token).toBe(2);
    }, 60_000);
  }

  it('Redis down when a refresh is due: the still-valid token is served, then StoreUnavailableError within bounds', async () => {
    const redis = await redisServer();
    // 10 s tokens: refresh due 5 s before expiry, served until 2.5 s before expiry.
    const lwa = await simulator({ tokenLifetimeSeconds: 10 });
    const a = await member('node-redis', redis, lwa);
    await a.manager.setRefreshToken(lwa.issueRefreshToken());
    await a.manager.getAccessToken();
    const t1 = await settle(a);
    const expiresAt = (await a.manager.getTokenInfo()).expiresAt!.getTime();
    await redis.stop();
    await sleep(expiresAt - 4400 - Date.now()); // inside the refresh buffer, still well valid
    expect(await a.manager.getAccessToken({ signal: AbortSignal.timeout(2000) })).toBe(t1);
    await sleep(expiresAt - 2000 - Date.now()); // too close to expiry to be served
    const error = await a.manager.getAccessToken({ signal: AbortSignal.timeout(8000) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(lwa.counts.refresh_token).toBe(1);
  }, 60_000);

  it('a lock holder SIGSTOPped past its lease: another process refreshes; on SIGCONT its compare-and-set loses, its lease is aborted, and the stored refresh token works', async () => {
    const redis = await redisServer();
    const lwa = await simulator({ tokenLifetimeSeconds: 3600, rotateRefreshTokens: false });
    const b = await member('ioredis', redis, lwa, { lockTtlMs: 1000 });
    await b.manager.setRefreshToken(lwa.issueRefreshToken());
    const worker: Worker = startWorker({
      REDIS_PORT: String(redis.port),
      TOKEN_URL: lwa.tokenUrl,
      CLIENT_ID: lwa.clientId,
      CLIENT_SECRET: lwa.clientSecret,
      CALLERS: '1',
      ACTION: 'refresh',
      LOCK_TTL_MS: '1000',
    });
    cleanups.push(async () => worker.kill());
    await worker.ready;
    lwa.setLatency(2500);
    worker.go();
    await until(() => lwa.counts.refresh_token === 1, 'the holder sending its token request');
    const receivedAt = Date.now();
    worker.process.kill('SIGSTOP');
    lwa.setLatency(0);
    await sleep(1500); // the stopped holder's lease has expired in Redis

    const tB = await b.manager.getAccessToken();
    expect(lwa.counts.refresh_token).toBe(2);
    await sleep(Math.max(0, receivedAt + 3000 - Date.now())); // the holder's answer is waiting in its socket
    worker.process.kill('SIGCONT');
    const result = await worker.done;

    expect(result.errors).toEqual([]);
    expect(result.tokens).toEqual([tB]);
    expect(result.leasesAborted).toEqual([true]);
    expect(result.refreshed).toEqual(['store']);
    const tNext = await b.manager.refreshAccessToken();
    expect(tNext).not.toBe(tB);
    expect(lwa.isValidAccessToken(tNext)).toBe(true);
  }, 60_000);

  it('CLIENT PAUSE longer than the lease during a held lease: the lease is declared lost and exactly one commit wins', async () => {
    const redis = await redisServer();
    const lwa = await simulator({ tokenLifetimeSeconds: 3600, rotateRefreshTokens: true, latencyMs: 1500 });
    const a = await member('node-redis', redis, lwa, { lockTtlMs: 1000, operationTimeoutMs: 6000 });
    const b = await member('ioredis', redis, lwa, { lockTtlMs: 1000, operationTimeoutMs: 6000 });
    await a.manager.setRefreshToken(lwa.issueRefreshToken());
    const refreshing = a.manager.refreshAccessToken();
    await until(() => lwa.counts.refresh_token === 1, 'the holder sending its token request');
    await redis.cli('CLIENT', 'PAUSE', '3000', 'ALL');
    await sleep(200);
    const waiting = b.manager.getAccessToken();
    const [tA, tB] = await Promise.all([refreshing, waiting]);

    expect(a.leases[0]!.signal.aborted).toBe(true);
    expect(tA).toBe(tB);
    expect([...a.sources, ...b.sources].filter((s) => s === 'lwa')).toHaveLength(1);
    const reader = await member('ioredis', redis, lwa);
    expect(await reader.manager.getAccessToken()).toBe(tA);
    expect(lwa.isValidAccessToken(tA)).toBe(true);
  }, 60_000);
});
