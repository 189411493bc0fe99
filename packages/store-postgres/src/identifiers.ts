import { ConfigurationError } from '@ads-token/core';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** PostgreSQL's identifier limit (NAMEDATALEN - 1), which channel names share. */
const MAX_IDENTIFIER_BYTES = 63;

/** Checks a table or schema name (letters, digits, `_`; at most 63 bytes) and returns it double-quoted. */
export function quoteIdentifier(name: string, option: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name) || name.length > MAX_IDENTIFIER_BYTES) {
    throw new ConfigurationError(`${option} must be 1 to 63 letters, digits or underscores, not starting with a digit`);
  }
  return `"${name}"`;
}

/** `"schema"."table"`, checked. */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdentifier(schema, 'schema')}.${quoteIdentifier(table, 'table')}`;
}

/** Checks a NOTIFY channel name (any text of 1 to 63 bytes without NUL) and returns it. */
export function checkChannel(channel: string, option: string): string {
  const bytes = new TextEncoder().encode(channel).length;
  if (typeof channel !== 'string' || bytes === 0 || bytes > MAX_IDENTIFIER_BYTES || channel.includes('\u0000')) {
    throw new ConfigurationError(`${option} must be 1 to 63 bytes (pass a shorter one)`);
  }
  return channel;
}

/** The channel an identifier-quoted LISTEN names: `"..."` with inner quotes doubled. */
export function quoteChannel(channel: string): string {
  return `"${channel.replace(/"/g, '""')}"`;
}

/** Escapes `\`, `%` and `_` so `text` matches itself under `LIKE ... ESCAPE '\'`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
