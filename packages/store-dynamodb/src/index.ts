export { DynamoDbTokenStore } from './dynamodb-token-store.js';
export type { DynamoDbTokenStoreOptions } from './dynamodb-token-store.js';
export { DynamoDbLock } from './dynamodb-lock.js';
export type { DynamoDbLockOptions } from './dynamodb-lock.js';
export type { DynamoDbLockLease } from './dynamodb-lock.js';
export { DEFAULT_TABLE_NAME } from './table.js';
export type { DynamoDbTableOptions } from './table.js';
export { createTable } from './create-table.js';
export type { CreateTableOptions } from './create-table.js';
