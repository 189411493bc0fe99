import { ConfigurationError } from '@ads-token/core';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * The table name both classes use unless told otherwise.
 * @default 'ads-token'
 */
export const DEFAULT_TABLE_NAME = 'ads-token';

/** Attribute names in the table: `key` is the partition key (a string). */
export const ATTR = {
  key: 'key',
  version: 'version',
  data: 'data',
  owner: 'owner',
  beat: 'beat',
  expiresAt: 'expiresAt',
  leaseMs: 'leaseMs',
  ttl: 'ttl',
} as const;

/** Options shared by {@link DynamoDbTokenStore} and {@link DynamoDbLock}. */
export interface DynamoDbTableOptions {
  /** Your `DynamoDBClient` (`@aws-sdk/client-dynamodb` v3). Never destroyed by this package. */
  client: DynamoDBClient;
  /**
   * The table, with a string partition key named `key` (see {@link createTable}).
   * @default 'ads-token'
   */
  tableName?: string;
  /**
   * Prepended to every item key, to share one table between apps.
   * @default ''
   */
  keyPrefix?: string;
  /**
   * Each DynamoDB request (with the SDK's own retries) fails with StoreUnavailableError after this
   * many milliseconds.
   * @default 2000
   */
  operationTimeoutMs?: number;
}

/** The resolved table options. */
export interface TableSettings {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly keyPrefix: string;
  readonly operationTimeoutMs: number;
}

/** Checks and fills in {@link DynamoDbTableOptions}. */
export function tableSettings(options: DynamoDbTableOptions): TableSettings {
  const client = options.client as Partial<DynamoDBClient> | undefined;
  if (client === undefined || client === null || typeof client.send !== 'function') {
    throw new ConfigurationError('client must be a DynamoDBClient from @aws-sdk/client-dynamodb v3');
  }
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(tableName)) {
    throw new ConfigurationError('tableName must be 3 to 255 characters of a-z, A-Z, 0-9, _, - and .');
  }
  const operationTimeoutMs = options.operationTimeoutMs ?? 2000;
  if (!(operationTimeoutMs > 0) || !Number.isFinite(operationTimeoutMs)) {
    throw new ConfigurationError('operationTimeoutMs must be a positive number of milliseconds');
  }
  return { client: options.client, tableName, keyPrefix: options.keyPrefix ?? '', operationTimeoutMs };
}
