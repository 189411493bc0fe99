export { RedisTokenStore } from './redis-token-store.js';
export type { RedisTokenStoreOptions } from './redis-token-store.js';
export type { RedisClientLike } from '@ads-token/redis-common';
