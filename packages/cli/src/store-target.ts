import { isAbsolute, resolve } from 'node:path';
import { ConfigurationError } from '@ads-token/core';
import { DEFAULT_TOKEN_FILE } from '@ads-token/store-file';

/** Where tokens are kept: a local file, a Redis server, a PostgreSQL database or a DynamoDB table. */
export type StoreTarget =
  | { kind: 'file'; path: string; display: string }
  | { kind: 'redis'; url: string; password: string | undefined; display: string }
  | { kind: 'postgres'; url: string; password: string | undefined; display: string }
  | { kind: 'dynamodb'; tableName: string; display: string };

const DYNAMODB_TARGET = /^dynamodb:\/\/([^/?#]*)\/?$/i;

/**
 * Reads ADS_TOKEN_STORE / --store: a `redis://`, `rediss://`, `postgres://` or `postgresql://` URL,
 * `dynamodb://TABLE` (region, credentials and endpoint from the usual AWS environment), else a file
 * path resolved against `baseDir`.
 */
export function parseStoreTarget(value: string | undefined, baseDir: string): StoreTarget {
  const text = value ?? DEFAULT_TOKEN_FILE;
  if (/^postgres(ql)?:\/\//i.test(text)) return parsePostgresTarget(text);
  if (/^rediss?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new ConfigurationError('The token store looks like a Redis URL but is not a valid URL (expected redis://[user:password@]host:port[/db])');
    }
    const password = url.password === '' ? undefined : decodeURIComponent(url.password);
    const shown = new URL(url.href);
    if (shown.password !== '') shown.password = '***';
    return { kind: 'redis', url: url.href, password, display: shown.href };
  }
  const dynamodb = DYNAMODB_TARGET.exec(text);
  if (dynamodb !== null) {
    const tableName = dynamodb[1]!;
    if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(tableName)) {
      throw new ConfigurationError('The token store looks like a DynamoDB table but its name is not valid (expected dynamodb://TABLE, 3 to 255 of a-z A-Z 0-9 _ - .)');
    }
    return { kind: 'dynamodb', tableName, display: `dynamodb://${tableName}` };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw new ConfigurationError('The token store must be a file path, a redis://, rediss://, postgres:// or postgresql:// URL, or dynamodb://TABLE');
  }
  const path = isAbsolute(text) ? text : resolve(baseDir, text);
  return { kind: 'file', path, display: path };
}

/** A `postgres://` / `postgresql://` URL (node-postgres connection string); its password is masked for display. */
function parsePostgresTarget(text: string): StoreTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigurationError('The token store looks like a PostgreSQL URL but is not a valid URL (expected postgres://[user:password@]host[:port]/database)');
  }
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  const shown = new URL(url.href);
  if (shown.password !== '') shown.password = '***';
  return { kind: 'postgres', url: text, password, display: shown.href };
}
