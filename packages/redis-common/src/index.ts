export type { RedisClientLike, RedisConnection, RedisSubscriber } from './redis-connection.js';
export { detectRedisConnection } from './detect-connection.js';
export { RedisScript, isNoScriptError } from './redis-script.js';
export { runScript } from './run-script.js';
export { boundedOperation } from './bounded-operation.js';
export type { OperationBounds } from './bounded-operation.js';
export { SubscriptionHub } from './subscription-hub.js';
export { checkKeyPrefix, escapeGlob } from './key-prefix.js';
export { replyString } from './reply.js';
