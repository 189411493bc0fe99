// sql-token-store.ts
import type { Options, StoredRecord, TokenStore } from '@ads-token/core';
import type { Pool } from 'pg';

/**
 * A TokenStore in one PostgreSQL table, made once with
 * CREATE TABLE ads_token (key text PRIMARY KEY, version text NOT NULL, data text NOT NULL);
 * `table` is your fixed table name, never user input.
 */
export class SqlTokenStore implements TokenStore {
  readonly #pool: Pool;
  readonly #table: string;

  constructor(pool: Pool, table = 'ads_token') {
    this.#pool = pool;
    this.#table = table;
  }

  async get(key: string, options?: Options): Promise<StoredRecord | undefined> {
    options?.signal?.throwIfAborted();
    const { rows } = await this.#pool.query<StoredRecord>(`SELECT version, data FROM ${this.#table} WHERE key = $1`, [key]);
    return rows[0] === undefined ? undefined : { version: rows[0].version, data: rows[0].data };
  }

  async compareAndSet(key: string, expectedVersion: string | undefined, record: StoredRecord, options?: Options): Promise<boolean> {
    options?.signal?.throwIfAborted();
    // One statement each: the database decides which of many racing writers wins.
    const result =
      expectedVersion === undefined
        ? await this.#pool.query(`INSERT INTO ${this.#table} (key, version, data) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`, [key, record.version, record.data])
        : await this.#pool.query(`UPDATE ${this.#table} SET version = $3, data = $4 WHERE key = $1 AND version = $2`, [key, expectedVersion, record.version, record.data]);
    return result.rowCount === 1;
  }

  async delete(key: string, expectedVersion?: string, options?: Options): Promise<boolean> {
    options?.signal?.throwIfAborted();
    const result =
      expectedVersion === undefined
        ? await this.#pool.query(`DELETE FROM ${this.#table} WHERE key = $1`, [key])
        : await this.#pool.query(`DELETE FROM ${this.#table} WHERE key = $1 AND version = $2`, [key, expectedVersion]);
    return result.rowCount === 1;
  }

  async *list(prefix: string, options?: Options): AsyncIterable<string> {
    options?.signal?.throwIfAborted();
    // No LIKE: keys contain `%` and `_`, which LIKE would read as wildcards.
    const { rows } = await this.#pool.query<{ key: string }>(`SELECT key FROM ${this.#table} WHERE left(key, char_length($1)) = $1`, [prefix]);
    for (const row of rows) yield row.key;
  }
}
