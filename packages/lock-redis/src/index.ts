export { RedisLock } from './redis-lock.js';
export type { RedisLockOptions } from './redis-lock.js';
export type { RedisLockLease } from './redis-lock.js';
export type { RedisClientLike } from '@ads-token/redis-common';
