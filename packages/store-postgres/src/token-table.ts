import { qualifiedName } from './identifiers.js';

/** Where a {@link PostgresTokenStore}'s rows live. */
export interface TokenTableName {
  /**
   * Schema of the table.
   * @default 'public'
   */
  schema?: string;
  /**
   * Table name.
   * @default 'ads_token'
   */
  table?: string;
}

/** Default table of `PostgresTokenStore`. */
export const DEFAULT_TOKEN_TABLE = 'ads_token';

/**
 * The SQL that creates the token table (idempotent): one row per key, with the opaque version and
 * the sealed data as `text` (sealed data is ASCII) and when it was last written. Keys use the "C"
 * collation, so prefix listing is a byte-wise range.
 */
export function tokenTableSql(name: TokenTableName = {}): string {
  const table = qualifiedName(name.schema ?? 'public', name.table ?? DEFAULT_TOKEN_TABLE);
  return `CREATE TABLE IF NOT EXISTS ${table} (
  key text COLLATE "C" PRIMARY KEY,
  version text NOT NULL,
  data text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);`;
}

/** The statements of one token table (text only; values are always bound parameters). */
export interface TokenStatements {
  get: string;
  create: string;
  update: string;
  delete: string;
  list: string;
}

/** NOTIFY payload: the key, or '' (meaning "any key") when it would not fit PostgreSQL's 8000-byte payload. */
const PAYLOAD = `CASE WHEN octet_length(key) <= 7900 THEN key ELSE '' END`;

/** Builds the statements for `"schema"."table"`; every write notifies on the channel in the same statement. */
export function tokenStatements(name: TokenTableName): TokenStatements {
  const t = qualifiedName(name.schema ?? 'public', name.table ?? DEFAULT_TOKEN_TABLE);
  return {
    get: `SELECT version, data FROM ${t} WHERE key = $1`,
    // $1 key, $2 version, $3 data, $4 channel
    create: `WITH w AS (INSERT INTO ${t} (key, version, data, updated_at) VALUES ($1, $2, $3, now()) ON CONFLICT (key) DO NOTHING RETURNING key) SELECT pg_notify($4, ${PAYLOAD}) FROM w`,
    // $1 key, $2 expected version, $3 version, $4 data, $5 channel
    update: `WITH w AS (UPDATE ${t} SET version = $3, data = $4, updated_at = now() WHERE key = $1 AND version = $2 RETURNING key) SELECT pg_notify($5, ${PAYLOAD}) FROM w`,
    // $1 key, $2 expected version or null, $3 channel
    delete: `WITH w AS (DELETE FROM ${t} WHERE key = $1 AND ($2::text IS NULL OR version = $2::text) RETURNING key) SELECT pg_notify($3, ${PAYLOAD}) FROM w`,
    // $1 LIKE pattern, $2 last key seen or null, $3 page size
    list: `SELECT key FROM ${t} WHERE key LIKE $1 ESCAPE '\\' AND ($2::text IS NULL OR key > $2::text) ORDER BY key LIMIT $3`,
  };
}
