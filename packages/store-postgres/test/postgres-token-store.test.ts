import { ConfigurationError } from '@ads-token/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresTokenStore, tokenTableSql } from '../src/index.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const record = (version: string): { version: string; data: string } => ({ version, data: `ats1.h.${version}` });

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of iterable) out.push(key);
  return out;
}

describe('PostgresTokenStore', () => {
  let server: PostgresServer;
  let pool: pg.Pool;
  beforeAll(async () => {
    server = await startPostgres();
    pool = new pg.Pool({ connectionString: server.url, max: 10 });
  });
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  });

  it('createTable is idempotent and safe from many processes at once; the table is what tokenTableSql says', async () => {
    const pools = Array.from({ length: 8 }, () => new pg.Pool({ connectionString: server.url, max: 1 }));
    await Promise.all(pools.map((p) => new PostgresTokenStore({ pool: p }).createTable()));
    await Promise.all(pools.map((p) => p.end()));
    await new PostgresTokenStore({ pool }).createTable();
    const { rows } = await pool.query(
      `SELECT column_name, data_type, is_nullable, collation_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'ads_token' ORDER BY ordinal_position`,
    );
    expect(rows).toEqual([
      { column_name: 'key', data_type: 'text', is_nullable: 'NO', collation_name: 'C' },
      { column_name: 'version', data_type: 'text', is_nullable: 'NO', collation_name: null },
      { column_name: 'data', data_type: 'text', is_nullable: 'NO', collation_name: null },
      { column_name: 'updated_at', data_type: 'timestamp with time zone', is_nullable: 'NO', collation_name: null },
    ]);
    expect(tokenTableSql()).toContain('CREATE TABLE IF NOT EXISTS "public"."ads_token"');
  });

  it('schema, table and channel are configurable; names that are not plain identifiers are refused', async () => {
    await pool.query('CREATE SCHEMA IF NOT EXISTS tenant_a');
    const store = new PostgresTokenStore({ pool, schema: 'tenant_a', table: 'tokens', channel: 'tenant_a_tokens' });
    await store.createTable();
    let calls = 0;
    const unsubscribe = await store.subscribe('k', () => void calls++);
    expect(await store.compareAndSet('k', undefined, record('v1'))).toBe(true);
    expect((await pool.query('SELECT key, version FROM tenant_a.tokens')).rows).toEqual([{ key: 'k', version: 'v1' }]);
    await expect.poll(() => calls, { timeout: 5000 }).toBe(1);
    await unsubscribe();
    await store.close();
    for (const bad of [{ table: 'x; DROP TABLE y' }, { schema: 'a"b' }, { table: '' }, { table: 'x'.repeat(64) }, { channel: 'c'.repeat(64) }]) {
      expect(() => new PostgresTokenStore({ pool, ...bad })).toThrow(ConfigurationError);
    }
    expect(() => new PostgresTokenStore({ pool, operationTimeoutMs: Number.NaN })).toThrow(ConfigurationError);
    expect(() => new PostgresTokenStore({ pool: {} as unknown as pg.Pool })).toThrow(ConfigurationError);
  });

  it('list matches % _ and \\ in a prefix literally, never as LIKE wildcards', async () => {
    const store = new PostgresTokenStore({ pool });
    await store.createTable();
    const keys = ['lk:a_b:1', 'lk:axb:1', 'lk:100%:1', 'lk:100x:1', 'lk:100%25:1', 'lk:back\\slash:1', 'lk:back\\\\slash:1', 'lk:backslash:1'];
    for (const key of keys) expect(await store.compareAndSet(key, undefined, record('v'))).toBe(true);
    expect(await collect(store.list('lk:a_'))).toEqual(['lk:a_b:1']);
    expect(await collect(store.list('lk:100%'))).toEqual(['lk:100%25:1', 'lk:100%:1']);
    expect(await collect(store.list('lk:back\\s'))).toEqual(['lk:back\\slash:1']);
    expect(await collect(store.list('lk:back\\'))).toEqual(['lk:back\\\\slash:1', 'lk:back\\slash:1']);
    for (const key of keys) await store.delete(key);
  });

  it('list pages through more keys than one round trip fetches, each once, in byte order', async () => {
    const store = new PostgresTokenStore({ pool });
    await store.createTable();
    const keys = Array.from({ length: 1234 }, (_, i) => `page:{c:g${String(i).padStart(5, '0')}}`);
    await pool.query(`INSERT INTO ads_token (key, version, data) SELECT k, 'v', 'd' FROM unnest($1::text[]) AS k`, [keys]);
    const listed = await collect(store.list('page:'));
    expect(listed).toEqual(keys);
    await pool.query(`DELETE FROM ads_token WHERE key LIKE 'page:%'`);
  });

  it('notifies only for committed changes: a lost compare-and-set or delete notifies no one', async () => {
    const store = new PostgresTokenStore({ pool });
    await store.createTable();
    let calls = 0;
    const unsubscribe = await store.subscribe('quiet', () => void calls++);
    expect(await store.compareAndSet('quiet', 'nope', record('v1'))).toBe(false);
    expect(await store.delete('quiet')).toBe(false);
    expect(await store.compareAndSet('quiet', undefined, record('v1'))).toBe(true);
    expect(await store.compareAndSet('quiet', undefined, record('v2'))).toBe(false);
    expect(await store.delete('quiet', 'nope')).toBe(false);
    await expect.poll(() => calls, { timeout: 5000 }).toBe(1);
    await sleep(200);
    expect(calls).toBe(1);
    await store.delete('quiet');
    await unsubscribe();
    await store.close();
  });

  it('one listening connection per store whatever the number of keys; close gives it back and leaves your pool open', async () => {
    const own = new pg.Pool({ connectionString: server.url, max: 3 });
    const store = new PostgresTokenStore({ pool: own });
    const unsubscribes = await Promise.all(Array.from({ length: 100 }, (_, i) => store.subscribe(`many:${i}`, () => undefined)));
    expect(own.totalCount).toBe(1);
    const listening = async (): Promise<number> =>
      (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'LISTEN %'`)).rows[0]!.n;
    expect(await listening()).toBe(1);
    await Promise.all(unsubscribes.map((u) => u()));
    await store.close();
    await expect.poll(listening, { timeout: 5000 }).toBe(0);
    expect((await own.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await own.end();
  });

  it('a statement that outlives operationTimeoutMs fails with StoreUnavailableError', async () => {
    const slow = { query: () => new Promise<never>(() => undefined), connect: () => new Promise<never>(() => undefined) };
    const store = new PostgresTokenStore({ pool: slow, operationTimeoutMs: 50 });
    await expect(store.get('k')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(store.subscribe('k', () => undefined)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await store.close();
  });
});
