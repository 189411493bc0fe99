import { qualifiedName } from './identifiers.js';

/** Where a {@link PostgresLock}'s lease rows live. */
export interface LockTableName {
  /**
   * Schema of the table.
   * @default 'public'
   */
  schema?: string;
  /**
   * Table name.
   * @default 'ads_token_lock'
   */
  table?: string;
}

/** Default table of `PostgresLock`. */
export const DEFAULT_LOCK_TABLE = 'ads_token_lock';

/** The SQL that creates the lease table (idempotent): one row per held (or expired, not yet taken) lock. */
export function lockTableSql(name: LockTableName = {}): string {
  const table = qualifiedName(name.schema ?? 'public', name.table ?? DEFAULT_LOCK_TABLE);
  return `CREATE TABLE IF NOT EXISTS ${table} (
  key text COLLATE "C" PRIMARY KEY,
  owner text NOT NULL,
  expires_at timestamptz NOT NULL
);`;
}

/** The statements of one lease table. Expiry is always the database's `now()` plus the ttl. */
export interface LockStatements {
  acquire: string;
  renew: string;
  release: string;
}

/** Builds the statements for `"schema"."table"`. */
export function lockStatements(name: LockTableName): LockStatements {
  const t = qualifiedName(name.schema ?? 'public', name.table ?? DEFAULT_LOCK_TABLE);
  const expiry = `now() + $3::double precision * interval '1 millisecond'`;
  return {
    // $1 key, $2 owner, $3 ttl ms. Inserts, or takes over a lease that has expired; one row when acquired.
    acquire: `INSERT INTO ${t} AS l (key, owner, expires_at) VALUES ($1, $2, ${expiry}) ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at WHERE l.expires_at <= now() RETURNING l.owner`,
    // $1 key, $2 owner, $3 ttl ms. One row when the owner still holds an unexpired lease.
    renew: `UPDATE ${t} SET expires_at = ${expiry} WHERE key = $1 AND owner = $2 AND expires_at > now()`,
    // $1 key, $2 owner, $3 channel. Deletes only the owner's row and wakes waiters in the same statement.
    release: `WITH d AS (DELETE FROM ${t} WHERE key = $1 AND owner = $2 RETURNING key) SELECT pg_notify($3, CASE WHEN octet_length(key) <= 7900 THEN key ELSE '' END) FROM d`,
  };
}
