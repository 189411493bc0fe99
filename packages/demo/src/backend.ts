import type { Lock, TokenStore } from '@ads-token/core';
import { RedisLock } from '@ads-token/lock-redis';
import { FileLock, FileTokenStore } from '@ads-token/store-file';
import { PostgresLock, PostgresTokenStore } from '@ads-token/store-postgres';
import { RedisTokenStore } from '@ads-token/store-redis';
import pg from 'pg';
import { createClient } from 'redis';
import type { BackendConfig } from './protocol.js';

/** A store and a lock over one backend, and how to let go of them. */
export interface Backend {
  store: TokenStore;
  lock: Lock;
  close(): Promise<void>;
}

/** Options of {@link openBackend}. */
export interface OpenBackendOptions {
  /** Told of Redis client errors (a lost connection, ...); node-redis reconnects by itself. Also told of PostgreSQL pool errors. */
  onRedisError?: (error: unknown) => void;
}

/** Opens the PostgreSQL store and lock on one small pool, creating their tables when missing. */
async function openPostgresBackend(config: Extract<BackendConfig, { kind: 'postgres' }>, options: OpenBackendOptions): Promise<Backend> {
  const pool = new pg.Pool({ connectionString: config.url, max: 4, connectionTimeoutMillis: 2000 });
  pool.on('error', (error: unknown) => options.onRedisError?.(error));
  const store = new PostgresTokenStore({ pool, table: config.table });
  const lock = new PostgresLock({ pool, table: config.lockTable });
  try {
    await store.createTable();
    await lock.createTable();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return {
    store,
    lock,
    close: async () => {
      await store.close();
      await lock.close();
      await pool.end().catch(() => undefined);
    },
  };
}

/** Drops the tables a demo run created (they hold nothing anyone else uses). */
export async function dropPostgresTables(config: Extract<BackendConfig, { kind: 'postgres' }>): Promise<void> {
  const client = new pg.Client({ connectionString: config.url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS "${config.table}", "${config.lockTable}"`);
  } finally {
    await client.end();
  }
}

/** Opens the store and lock `config` names; for Redis, connects one node-redis client both use; for PostgreSQL, one `pg` pool. */
export async function openBackend(config: BackendConfig, options: OpenBackendOptions = {}): Promise<Backend> {
  if (config.kind === 'file') {
    const store = new FileTokenStore({ path: config.path, watchIntervalMs: 200 });
    const lock = new FileLock({ directory: config.lockDirectory });
    return { store, lock, close: async () => { await store.close(); await lock.close?.(); } };
  }
  if (config.kind === 'postgres') return openPostgresBackend(config, options);
  const client = createClient({
    url: config.url,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 500) },
  });
  client.on('error', (error: unknown) => options.onRedisError?.(error));
  await client.connect();
  const store = new RedisTokenStore({ client, keyPrefix: config.keyPrefix });
  const lock = new RedisLock({ client, keyPrefix: config.keyPrefix });
  return {
    store,
    lock,
    close: async () => {
      await store.close?.();
      await lock.close?.();
      await client.close().catch(() => undefined);
    },
  };
}

/** `redis://host:port` of a Redis URL, without user name or password. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(unparsable REDIS_URL)';
  }
}

/** `postgres://host:port/database` of a database URL, without user name, password or query. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}
