import type { Options, StoredRecord, TokenStore } from '@ads-token/core';
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
  type GetItemCommandOutput,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { isConditionFailed, sendCommand } from './operation.js';
import { ATTR, tableSettings, type DynamoDbTableOptions, type TableSettings } from './table.js';

/** Options for {@link DynamoDbTokenStore}. */
export type DynamoDbTokenStoreOptions = DynamoDbTableOptions;

/**
 * {@link TokenStore} in one DynamoDB table: each record is an item (`key`, `version`, sealed
 * `data`); compare-and-set and delete are conditional writes on `version`, reads are strongly
 * consistent, `list` is a filtered Scan. No `subscribe`: waiting processes poll the lock instead.
 */
export class DynamoDbTokenStore implements TokenStore {
  readonly #table: TableSettings;

  /** Wraps your client; sends nothing until the first call. */
  constructor(options: DynamoDbTokenStoreOptions) {
    this.#table = tableSettings(options);
  }

  /** The record under `key`, or undefined (one strongly consistent GetItem). */
  async get(key: string, options?: Options): Promise<StoredRecord | undefined> {
    const { client, tableName, keyPrefix, operationTimeoutMs } = this.#table;
    const output = await sendCommand<GetItemCommandOutput>(
      client,
      'GetItem',
      new GetItemCommand({
        TableName: tableName,
        Key: { [ATTR.key]: { S: keyPrefix + key } },
        ConsistentRead: true,
        ProjectionExpression: '#v, #d',
        ExpressionAttributeNames: { '#v': ATTR.version, '#d': ATTR.data },
      }),
      { timeoutMs: operationTimeoutMs, signal: options?.signal },
    );
    const version = output.Item?.[ATTR.version]?.S;
    const data = output.Item?.[ATTR.data]?.S;
    if (typeof version !== 'string' || typeof data !== 'string') return undefined;
    return { version, data };
  }

  /** Writes when the current version equals `expectedVersion` (undefined: key absent); false on conflict. One PutItem. */
  async compareAndSet(key: string, expectedVersion: string | undefined, record: StoredRecord, options?: Options): Promise<boolean> {
    const { tableName, keyPrefix } = this.#table;
    const item: Record<string, AttributeValue> = {
      [ATTR.key]: { S: keyPrefix + key },
      [ATTR.version]: { S: record.version },
      [ATTR.data]: { S: record.data },
    };
    const command =
      expectedVersion === undefined
        ? new PutItemCommand({
            TableName: tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(#k)',
            ExpressionAttributeNames: { '#k': ATTR.key },
          })
        : new PutItemCommand({
            TableName: tableName,
            Item: item,
            ConditionExpression: '#v = :expected',
            ExpressionAttributeNames: { '#v': ATTR.version },
            ExpressionAttributeValues: { ':expected': { S: expectedVersion } },
          });
    return this.#conditional('PutItem', command, options);
  }

  /** Deletes when the current version equals `expectedVersion`, when one is given; true when deleted. One DeleteItem. */
  async delete(key: string, expectedVersion?: string, options?: Options): Promise<boolean> {
    const { tableName, keyPrefix } = this.#table;
    const Key = { [ATTR.key]: { S: keyPrefix + key } };
    const command =
      expectedVersion === undefined
        ? new DeleteItemCommand({
            TableName: tableName,
            Key,
            ConditionExpression: 'attribute_exists(#v)',
            ExpressionAttributeNames: { '#v': ATTR.version },
          })
        : new DeleteItemCommand({
            TableName: tableName,
            Key,
            ConditionExpression: '#v = :expected',
            ExpressionAttributeNames: { '#v': ATTR.version },
            ExpressionAttributeValues: { ':expected': { S: expectedVersion } },
          });
    return this.#conditional('DeleteItem', command, options);
  }

  /**
   * Keys starting with `prefix`: a strongly consistent Scan of the whole table filtered by
   * `begins_with(key, prefix)`, page by page. It reads (and is billed for) every item in the
   * table, so keep it off hot paths: core calls it only for listings (`pool.grants()`, status).
   */
  async *list(prefix: string, options?: Options): AsyncIterable<string> {
    const { client, tableName, keyPrefix, operationTimeoutMs } = this.#table;
    options?.signal?.throwIfAborted();
    const full = keyPrefix + prefix;
    const names: Record<string, string> = { '#k': ATTR.key, '#d': ATTR.data };
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const output: ScanCommandOutput = await sendCommand<ScanCommandOutput>(
        client,
        'Scan',
        new ScanCommand({
          TableName: tableName,
          ConsistentRead: true,
          ProjectionExpression: '#k',
          FilterExpression: full === '' ? 'attribute_exists(#d)' : 'begins_with(#k, :prefix) AND attribute_exists(#d)',
          ExpressionAttributeNames: names,
          ...(full === '' ? {} : { ExpressionAttributeValues: { ':prefix': { S: full } } }),
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
        { timeoutMs: operationTimeoutMs, signal: options?.signal },
      );
      for (const item of output.Items ?? []) {
        const key = item[ATTR.key]?.S;
        if (typeof key === 'string' && key.startsWith(full)) yield key.slice(keyPrefix.length);
      }
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  /** Nothing to close: the client is yours. */
  async close(): Promise<void> {}

  async #conditional(what: string, command: PutItemCommand | DeleteItemCommand, options: Options | undefined): Promise<boolean> {
    const { client, operationTimeoutMs } = this.#table;
    try {
      await sendCommand(client, what, command, { timeoutMs: operationTimeoutMs, signal: options?.signal });
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }
}
