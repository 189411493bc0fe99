import { ConfigurationError, type Options, type StoredRecord, type TokenStore } from '@ads-token/core';
import { boundedQuery } from './bounded-query.js';
import { checkedMs } from './checked-ms.js';
import { serializedDdl } from './creation-lock.js';
import { checkChannel, escapeLike } from './identifiers.js';
import { NotificationHub } from './notification-hub.js';
import type { PgListenClient, PgPoolLike, PgQueryResult } from './pg-types.js';
import { DEFAULT_TOKEN_TABLE, tokenStatements, tokenTableSql, type TokenStatements, type TokenTableName } from './token-table.js';

/** Options for {@link PostgresTokenStore}. */
export interface PostgresTokenStoreOptions extends TokenTableName {
  /** Your node-postgres (v8) `Pool`. The store never ends it. */
  pool: PgPoolLike;
  /**
   * NOTIFY channel for change notifications.
   * @default '<schema>.<table>:changed'
   */
  channel?: string;
  /**
   * Each statement fails with StoreUnavailableError after this many milliseconds.
   * @default 2000
   */
  operationTimeoutMs?: number;
  /**
   * Opens the one connection `subscribe` LISTENs on. LISTEN needs a session: when `pool` goes
   * through a transaction-pooling proxy, return a direct connection here (a connected `pg.Client`).
   * @default checks one connection out of `pool` (and destroys it on close)
   */
  listenConnection?: () => Promise<PgListenClient>;
}

/** Keys fetched per `list` round trip. */
const LIST_PAGE = 500;

/**
 * {@link TokenStore} in one PostgreSQL table (`key`, `version`, `data`, `updated_at`): compare-and-set
 * and delete are single statements (`INSERT ... ON CONFLICT DO NOTHING`, `UPDATE`/`DELETE ... WHERE
 * version = $2`) that NOTIFY in the same statement; `subscribe` LISTENs on one dedicated connection
 * per store, whatever the number of keys. Runs on your own node-postgres `Pool`.
 */
export class PostgresTokenStore implements TokenStore {
  readonly #pool: PgPoolLike;
  readonly #name: Required<TokenTableName>;
  readonly #sql: TokenStatements;
  readonly #channel: string;
  readonly #timeoutMs: number;
  readonly #hub: NotificationHub;

  /** Checks the options; opens no connection until the first statement or `subscribe`. */
  constructor(options: PostgresTokenStoreOptions) {
    const pool = options.pool;
    if (pool === null || typeof pool !== 'object' || typeof pool.query !== 'function' || typeof pool.connect !== 'function') {
      throw new ConfigurationError('PostgresTokenStore needs { pool }: a node-postgres Pool');
    }
    this.#pool = pool;
    this.#name = { schema: options.schema ?? 'public', table: options.table ?? DEFAULT_TOKEN_TABLE };
    this.#sql = tokenStatements(this.#name);
    this.#channel = checkChannel(options.channel ?? `${this.#name.schema}.${this.#name.table}:changed`, 'channel');
    this.#timeoutMs = checkedMs(options.operationTimeoutMs, 2000, 'operationTimeoutMs');
    this.#hub = new NotificationHub({
      open: options.listenConnection ?? (() => pool.connect()),
      channel: this.#channel,
      timeoutMs: this.#timeoutMs,
      heartbeatMs: 15_000,
      lingerMs: 5_000,
    });
  }

  /** Creates the table when it does not exist (safe to run from many processes at once). */
  async createTable(options?: Options): Promise<void> {
    await this.#query('CREATE TABLE', options, serializedDdl(tokenTableSql(this.#name)));
  }

  /** The record under `key`, or undefined. */
  async get(key: string, options?: Options): Promise<StoredRecord | undefined> {
    const result = await this.#query('SELECT', options, this.#sql.get, [key]);
    const row = result.rows[0] as { version: string; data: string } | undefined;
    return row === undefined ? undefined : { version: row.version, data: row.data };
  }

  /** Writes when the current version equals `expectedVersion` (undefined: key absent); false on conflict. */
  async compareAndSet(key: string, expectedVersion: string | undefined, record: StoredRecord, options?: Options): Promise<boolean> {
    const result =
      expectedVersion === undefined
        ? await this.#query('compare-and-set', options, this.#sql.create, [key, record.version, record.data, this.#channel])
        : await this.#query('compare-and-set', options, this.#sql.update, [key, expectedVersion, record.version, record.data, this.#channel]);
    return result.rowCount === 1;
  }

  /** Deletes when the current version equals `expectedVersion`, when one is given; true when deleted. */
  async delete(key: string, expectedVersion?: string, options?: Options): Promise<boolean> {
    const result = await this.#query('delete', options, this.#sql.delete, [key, expectedVersion ?? null, this.#channel]);
    return result.rowCount === 1;
  }

  /** Keys starting with `prefix` (matched literally: `%`, `_` and `\` are escaped), in byte order, a page at a time. */
  async *list(prefix: string, options?: Options): AsyncIterable<string> {
    options?.signal?.throwIfAborted();
    const pattern = `${escapeLike(prefix)}%`;
    let after: string | null = null;
    for (;;) {
      const result = await this.#query('list', options, this.#sql.list, [pattern, after, LIST_PAGE]);
      const keys = (result.rows as { key: string }[]).map((row) => row.key);
      for (const key of keys) yield key;
      if (keys.length < LIST_PAGE) return;
      after = keys[keys.length - 1]!;
    }
  }

  /** Calls `onChange` when any process writes or deletes `key` (and after the listening connection came back); resolves to unsubscribe. */
  async subscribe(key: string, onChange: () => void): Promise<() => Promise<void>> {
    return this.#hub.add(key, onChange);
  }

  /** Closes the listening connection (your pool stays open). */
  async close(): Promise<void> {
    await this.#hub.close();
  }

  #query(what: string, options: Options | undefined, text: string, values?: unknown[]): Promise<PgQueryResult> {
    return boundedQuery(what, { timeoutMs: this.#timeoutMs, signal: options?.signal }, () =>
      values === undefined ? this.#pool.query(text) : this.#pool.query(text, values),
    );
  }
}
