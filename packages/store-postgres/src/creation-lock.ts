/**
 * Prefixes DDL with a transaction-scoped advisory lock, so processes creating the same table at
 * once take turns (a bare CREATE TABLE IF NOT EXISTS can fail when two run concurrently). A
 * multi-statement simple query runs as one transaction, so the lock ends with it.
 */
export function serializedDdl(ddl: string): string {
  return `SELECT pg_advisory_xact_lock(hashtext('ads-token:create-table')); ${ddl}`;
}
