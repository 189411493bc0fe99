import { StoreUnavailableError } from '@ads-token/core';
import { PostgresLock, PostgresTokenStore } from '@ads-token/store-postgres';
import pg from 'pg';

/** How long connecting to PostgreSQL may take before the store counts as unavailable. */
const POSTGRES_CONNECT_TIMEOUT_MS = 5000;

/** A PostgreSQL store and lock over one pool, and how to let go of them. */
export interface PostgresBackend {
  store: PostgresTokenStore;
  lock: PostgresLock;
  close(): Promise<void>;
}

/**
 * Connects a small pool to `url`, checks it answers, and makes sure the token and lock tables
 * exist (a role without CREATE on the schema needs them made beforehand; see the package README).
 */
export async function openPostgres(url: string, display: string): Promise<PostgresBackend> {
  const pool = new pg.Pool({ connectionString: url, max: 3, connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS });
  // Errors surface through the failing statement; without a listener an idle connection's would crash the process.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const reason = typeof code === 'string' ? code : error instanceof Error && /timeout/i.test(error.message) ? 'timeout' : 'connection failed';
    await pool.end().catch(() => undefined);
    throw new StoreUnavailableError(`Cannot connect to PostgreSQL at ${display}: ${reason}`);
  }
  const store = new PostgresTokenStore({ pool });
  const lock = new PostgresLock({ pool });
  // Statements on a missing table report it themselves (SQLSTATE 42P01); a role that may not create tables is fine.
  await Promise.all([store.createTable(), lock.createTable()]).catch(() => undefined);
  return {
    store,
    lock,
    close: async () => {
      await pool.end();
    },
  };
}
