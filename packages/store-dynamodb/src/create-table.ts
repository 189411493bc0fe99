import { ConfigurationError, StoreUnavailableError } from '@ads-token/core';
import { CreateTableCommand, DescribeTableCommand, type DescribeTableCommandOutput } from '@aws-sdk/client-dynamodb';
import { sendCommand } from './operation.js';
import { ATTR, DEFAULT_TABLE_NAME } from './table.js';
import type { DynamoDbTableOptions } from './table.js';

/** Options for {@link createTable}. */
export interface CreateTableOptions extends Pick<DynamoDbTableOptions, 'client' | 'tableName'> {
  /**
   * How long to wait for the table to become ACTIVE, in ms.
   * @default 60000
   */
  waitMs?: number;
  /** Aborts the wait. */
  signal?: AbortSignal;
}

/**
 * Creates the table both classes use (partition key `key`, a string; on-demand billing) unless it
 * exists, and waits until it is ACTIVE. Resolves to true when it created the table. For
 * infrastructure as code, see the CloudFormation and CDK snippets in docs/fleet.md.
 */
export async function createTable(options: CreateTableOptions): Promise<boolean> {
  const { client } = options;
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  if (client === undefined || typeof (client as { send?: unknown }).send !== 'function') {
    throw new ConfigurationError('client must be a DynamoDBClient from @aws-sdk/client-dynamodb v3');
  }
  const waitMs = options.waitMs ?? 60_000;
  const deadline = Date.now() + waitMs;
  const limits = { timeoutMs: 10_000, signal: options.signal };
  let created = true;
  try {
    await sendCommand(
      client,
      'CreateTable',
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: ATTR.key, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: ATTR.key, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
      limits,
    );
  } catch (error: unknown) {
    if (!(error instanceof StoreUnavailableError) || (error.cause as { name?: unknown } | null | undefined)?.name !== 'ResourceInUseException') throw error;
    created = false;
  }
  for (let pause = 50; ; pause = Math.min(1000, pause * 2)) {
    const output = await sendCommand<DescribeTableCommandOutput>(client, 'DescribeTable', new DescribeTableCommand({ TableName: tableName }), limits);
    if (output.Table?.TableStatus === 'ACTIVE') return created;
    if (Date.now() + pause > deadline) throw new StoreUnavailableError(`DynamoDB table ${tableName} did not become ACTIVE within ${waitMs} ms`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, pause);
      options.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(options.signal?.reason);
      }, { once: true });
    });
  }
}
