import { LockTimeoutError } from '@ads-token/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresLock, lockTableSql, type PgListenClient, type PgPoolLike, type PgQueryResult } from '../src/index.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';

/**
 * A pool as a transaction-pooling proxy behaves: every statement runs on a connection of its own,
 * so nothing a statement leaves in its session is seen by the next one. It cannot LISTEN.
 */
function statementPerConnection(url: string): PgPoolLike & { statements: number } {
  const pool = {
    statements: 0,
    async query(text: string, values?: unknown[]): Promise<PgQueryResult> {
      pool.statements++;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return await client.query(text, values);
      } finally {
        await client.end();
      }
    },
    connect: (): Promise<PgListenClient> => Promise.reject(new Error('no sessions through this proxy')),
  };
  return pool;
}

describe('PostgresLock', () => {
  let server: PostgresServer;
  let pool: pg.Pool;
  beforeAll(async () => {
    server = await startPostgres();
    pool = new pg.Pool({ connectionString: server.url, max: 10 });
    await new PostgresLock({ pool }).createTable();
  });
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  });

  it('a lease row holds a random owner token and an expiry on the database clock (now() + ttl)', async () => {
    const lock = new PostgresLock({ pool });
    const lease = await lock.acquire('row', { ttlMs: 60_000, waitMs: 0 });
    const { rows } = await pool.query<{ owner: string; left_ms: string }>(`SELECT owner, extract(epoch FROM expires_at - now()) * 1000 AS left_ms FROM ads_token_lock WHERE key = 'row'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.owner).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(rows[0]!.left_ms)).toBeGreaterThan(55_000);
    expect(Number(rows[0]!.left_ms)).toBeLessThanOrEqual(60_000);
    await lease.release();
    expect((await pool.query(`SELECT 1 FROM ads_token_lock WHERE key = 'row'`)).rowCount).toBe(0);
    await lock.close();
    expect(lockTableSql()).toContain('CREATE TABLE IF NOT EXISTS "public"."ads_token_lock"');
  });

  it('an expired lease row is taken over at once; an unexpired one of another owner is not', async () => {
    const lock = new PostgresLock({ pool });
    await pool.query(`INSERT INTO ads_token_lock (key, owner, expires_at) VALUES ('dead', 'someone', now() - interval '1 second')`);
    const lease = await lock.acquire('dead', { ttlMs: 5000, waitMs: 0 });
    await pool.query(`INSERT INTO ads_token_lock (key, owner, expires_at) VALUES ('alive', 'someone', now() + interval '1 hour')`);
    await expect(lock.acquire('alive', { ttlMs: 5000, waitMs: 300 })).rejects.toBeInstanceOf(LockTimeoutError);
    expect((await pool.query(`SELECT owner FROM ads_token_lock WHERE key = 'alive'`)).rows).toEqual([{ owner: 'someone' }]);
    await lease.release();
    await pool.query(`DELETE FROM ads_token_lock WHERE key = 'alive'`);
    await lock.close();
  });

  it('holds no session state: acquire, renewal past 2.5 x ttl, waiting and release work with a connection per statement', async () => {
    const proxied = statementPerConnection(server.url);
    const lock = new PostgresLock({ pool: proxied, pollIntervalMs: 100 });
    const peer = new PostgresLock({ pool: statementPerConnection(server.url), pollIntervalMs: 100 });
    const lease = await lock.acquire('pooled', { ttlMs: 600, waitMs: 0 });
    const waiting = peer.acquire('pooled', { ttlMs: 600, waitMs: 10_000 });
    await new Promise((r) => setTimeout(r, 1500));
    expect(lease.signal.aborted).toBe(false);
    const renewals = proxied.statements;
    expect(renewals).toBeGreaterThanOrEqual(3);
    await lease.release();
    const next = await waiting; // woken by the poll: no LISTEN through this proxy
    expect(next.signal.aborted).toBe(false);
    await next.release();
    await Promise.all([lock.close(), peer.close()]);
  });

  it('a release NOTIFY wakes a waiter long before its poll would', async () => {
    const lock = new PostgresLock({ pool, pollIntervalMs: 60_000 });
    const peer = new PostgresLock({ pool, pollIntervalMs: 60_000 });
    const lease = await lock.acquire('wake', { ttlMs: 5000, waitMs: 0 });
    const waiting = peer.acquire('wake', { ttlMs: 5000, waitMs: 20_000 });
    await new Promise((r) => setTimeout(r, 300)); // the waiter is listening and asleep
    const released = performance.now();
    await lease.release();
    const next = await waiting;
    expect(performance.now() - released).toBeLessThan(10_000);
    await next.release();
    await Promise.all([lock.close(), peer.close()]);
  });
});

describe('PostgresLock when the database goes away', () => {
  it('the lease signal aborts with LockTimeoutError once renewal has failed past the lease', async () => {
    const server = await startPostgres();
    const pool = new pg.Pool({ connectionString: server.url, max: 2, connectionTimeoutMillis: 500 });
    pool.on('error', () => undefined);
    try {
      const lock = new PostgresLock({ pool, operationTimeoutMs: 300 });
      await lock.createTable();
      const lease = await lock.acquire('gone', { ttlMs: 900, waitMs: 0 });
      const started = performance.now();
      await server.halt();
      const reason = await new Promise<unknown>((resolve) => lease.signal.addEventListener('abort', () => resolve(lease.signal.reason), { once: true }));
      expect(reason).toBeInstanceOf(LockTimeoutError);
      expect(performance.now() - started).toBeLessThan(900 + 500);
      await lease.release(); // harmless, never throws
      await lock.close();
    } finally {
      await pool.end().catch(() => undefined);
      await server.stop();
    }
  });
});
