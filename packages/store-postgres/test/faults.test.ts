import { StoreUnavailableError, TokenManager, type LockLease, type TokenManagerOptions } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { LwaSimulator, recordLeases } from '@ads-token/testing';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresLock, PostgresTokenStore } from '../src/index.js';
import { startWorker, type Worker } from './fleet.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Everything one "process" holds: a pool, a store, a lock that records its leases, a manager. */
interface Member {
  manager: TokenManager;
  store: PostgresTokenStore;
  leases: LockLease[];
  sources: string[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function postgres(): Promise<PostgresServer> {
  const server = await startPostgres();
  cleanups.push(() => server.stop());
  const pool = new pg.Pool({ connectionString: server.url, max: 1 });
  await new PostgresTokenStore({ pool }).createTable();
  await new PostgresLock({ pool }).createTable();
  await pool.end();
  return server;
}

async function simulator(options: Parameters<typeof LwaSimulator.start>[0]): Promise<LwaSimulator> {
  const lwa = await LwaSimulator.start(options);
  cleanups.push(() => lwa.stop());
  return lwa;
}

function member(server: PostgresServer, lwa: LwaSimulator, options: Partial<TokenManagerOptions> & { operationTimeoutMs?: number } = {}): Member {
  const pool = new pg.Pool({ connectionString: server.url, max: 4, connectionTimeoutMillis: 1000 });
  pool.on('error', () => undefined); // idle connections die with the server
  const { operationTimeoutMs = 1000, ...managerOptions } = options;
  const store = new PostgresTokenStore({ pool, operationTimeoutMs });
  const inner = new PostgresLock({ pool, operationTimeoutMs });
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
  cleanups.push(async () => {
    await manager.close().catch(() => undefined);
    await store.close();
    await inner.close();
    await pool.end();
  });
  return { manager, store, leases, sources };
}

/** Waits until the manager has taken in its own write's notification and re-read the store once. */
async function settle(m: Member): Promise<string> {
  await sleep(200);
  return m.manager.getAccessToken();
}

/** Backend pids of LISTEN connections (their last statement was the LISTEN). */
async function listenerPids(server: PostgresServer): Promise<number[]> {
  const { rows } = await server.query(`SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`);
  return (rows as { pid: number }[]).map((r) => r.pid);
}

describe('under faults', () => {
  it('PostgreSQL stopped while a token is valid: served from memory; after a restart, notifications and coordination resume', async () => {
    const server = await postgres();
    const lwa = await simulator({ tokenLifetimeSeconds: 3600 });
    const a = member(server, lwa);
    await a.manager.setRefreshToken(lwa.issueRefreshToken());
    await a.manager.getAccessToken();
    const t1 = await settle(a);
    await server.halt();

    const served = await Promise.all(Array.from({ length: 50 }, () => a.manager.getAccessToken()));
    expect(new Set(served)).toEqual(new Set([t1]));

    await server.start();
    await until(async () => (await listenerPids(server)).length >= 1, 'the listening connection coming back');
    const b = member(server, lwa);
    const t2 = await b.manager.refreshAccessToken();
    expect(t2).not.toBe(t1);
    await until(async () => (await a.manager.getAccessToken()) === t2, 'the other process learning of the new token');
    expect(lwa.counts.refresh_token).toBe(2);
  }, 60_000);

  it('PostgreSQL down when a refresh is due: the still-valid token is served, then StoreUnavailableError within bounds', async () => {
    const server = await postgres();
    // 10 s tokens: refresh due 5 s before expiry, served until 2.5 s before expiry.
    const lwa = await simulator({ tokenLifetimeSeconds: 10 });
    const a = member(server, lwa);
    await a.manager.setRefreshToken(lwa.issueRefreshToken());
    await a.manager.getAccessToken();
    const t1 = await settle(a);
    const expiresAt = (await a.manager.getTokenInfo()).expiresAt!.getTime();
    await server.halt();
    await sleep(expiresAt - 4400 - Date.now()); // inside the refresh buffer, still well valid
    expect(await a.manager.getAccessToken({ signal: AbortSignal.timeout(2000) })).toBe(t1);
    await sleep(expiresAt - 2000 - Date.now()); // too close to expiry to be served
    const started = Date.now();
    const error = await a.manager.getAccessToken({ signal: AbortSignal.timeout(8000) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(lwa.counts.refresh_token).toBe(1);
  }, 60_000);

  it('the listening connection terminated (pg_terminate_backend): it reconnects, tells listeners something may have changed, and notifications resume', async () => {
    const server = await postgres();
    const pool = new pg.Pool({ connectionString: server.url, max: 4 });
    pool.on('error', () => undefined);
    const store = new PostgresTokenStore({ pool });
    const writer = new PostgresTokenStore({ pool });
    cleanups.push(async () => {
      await store.close();
      await pool.end();
    });
    let calls = 0;
    const unsubscribe = await store.subscribe('ads-token:v1:{c:g}', () => void calls++);
    const [pid] = await listenerPids(server);
    expect(pid).toBeDefined();
    await server.query('SELECT pg_terminate_backend($1)', [pid]);
    await until(() => calls === 1, 'listeners told after the reconnect');
    const [again] = await listenerPids(server);
    expect(again).toBeDefined();
    expect(again).not.toBe(pid);
    expect(await writer.compareAndSet('ads-token:v1:{c:g}', undefined, { version: 'v1', data: 'ats1.x' })).toBe(true);
    await until(() => calls === 2, 'a notification after the reconnect');
    await writer.delete('ads-token:v1:{c:g}');
    await until(() => calls === 3, 'a second notification after the reconnect');
    await unsubscribe();
  }, 60_000);

  it('a lock holder SIGSTOPped past its lease: another process refreshes; on SIGCONT its compare-and-set loses, its lease is aborted, and the stored refresh token works', async () => {
    const server = await postgres();
    const lwa = await simulator({ tokenLifetimeSeconds: 3600, rotateRefreshTokens: false });
    const b = member(server, lwa, { lockTtlMs: 1000 });
    await b.manager.setRefreshToken(lwa.issueRefreshToken());
    const worker: Worker = startWorker({
      PG_URL: server.url,
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
    await sleep(1500); // the stopped holder's lease has expired on the database's clock

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
});
