/** What a query resolves to: the part of node-postgres's `QueryResult` this package reads. */
export interface PgQueryResult {
  /** Rows the statement affected or returned. */
  rowCount: number | null;
  /** Returned rows. */
  rows: unknown[];
}

/** A NOTIFY message as node-postgres emits it (`'notification'` event). */
export interface PgNotification {
  /** Channel name. */
  channel: string;
  /** Payload text, when one was sent. */
  payload?: string | undefined;
}

/** Anything that runs one parameterised statement: a node-postgres `Pool`, `Client` or `PoolClient`. */
export interface PgQueryable {
  /** Runs `text` with `$1..$n` bound to `values`. */
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
}

/**
 * One connection that can LISTEN: a node-postgres `Client` or a `PoolClient` (from `pool.connect()`).
 * It emits `'notification'`, `'error'` and `'end'`.
 */
export interface PgListenClient extends PgQueryable {
  /** Called with each NOTIFY this connection LISTENs for. */
  on(event: 'notification', listener: (message: PgNotification) => void): unknown;
  /** Called when the connection fails. */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Called when the connection has ended. */
  on(event: 'end', listener: () => void): unknown;
  /** A `PoolClient` goes back to its pool with this (`true` destroys it). */
  release?(destroy?: boolean | Error): void;
  /** A plain `Client` is closed with this. */
  end?(): Promise<void>;
}

/** Your node-postgres (v8) `Pool`: statements run through `query`, the listening connection comes from `connect`. */
export interface PgPoolLike extends PgQueryable {
  /** Checks a connection out of the pool. */
  connect(): Promise<PgListenClient>;
}
