import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { isConditionFailed, sendCommand } from './operation.js';
import { ATTR, type TableSettings } from './table.js';

/** Deletes the lease item only while `owner` holds it; true when deleted. */
export async function deleteOwned(table: TableSettings, itemKey: string, owner: string): Promise<boolean> {
  try {
    await sendCommand(
      table.client,
      'DeleteItem (lock release)',
      new DeleteItemCommand({
        TableName: table.tableName,
        Key: { [ATTR.key]: { S: itemKey } },
        ConditionExpression: '#o = :owner',
        ExpressionAttributeNames: { '#o': ATTR.owner },
        ExpressionAttributeValues: { ':owner': { S: owner } },
      }),
      { timeoutMs: table.operationTimeoutMs },
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}
