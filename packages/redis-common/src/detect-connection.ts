import { ConfigurationError } from '@ads-token/core';
import { ioRedisConnection, type IoRedisClient } from './ioredis-connection.js';
import {
  nodeRedisClientConnection,
  nodeRedisClusterConnection,
  type NodeRedisClient,
  type NodeRedisCluster,
} from './node-redis-connection.js';
import type { RedisClientLike, RedisConnection } from './redis-connection.js';
import { replyString } from './reply.js';

type Probe = Record<string, unknown>;

function isFunction(value: unknown): boolean {
  return typeof value === 'function';
}

function clientKeyPrefix(c: Probe): unknown {
  const options = c['options'] as Probe | undefined;
  return c['_keyPrefix'] ?? options?.['keyPrefix'];
}

/**
 * Wraps a user's client, detecting node-redis (client or cluster) or ioredis (`Redis` or `Cluster`).
 * Throws ConfigurationError for anything else, and for a client with its own `keyPrefix`.
 */
export function detectRedisConnection(client: RedisClientLike): RedisConnection {
  if (client === null || typeof client !== 'object') {
    throw new ConfigurationError('client must be a node-redis or ioredis client');
  }
  const c = client as Probe;
  const prefix = clientKeyPrefix(c);
  if (prefix !== undefined && prefix !== null && replyString(prefix) !== '') {
    throw new ConfigurationError(
      'The Redis client has its own keyPrefix; remove it and pass keyPrefix to the store or lock instead',
    );
  }
  if (isFunction(c['call']) && isFunction(c['evalsha']) && typeof c['status'] === 'string') {
    return ioRedisConnection(client as IoRedisClient);
  }
  if (isFunction(c['sendCommand']) && isFunction(c['duplicate'])) {
    if (isFunction(c['nodeClient']) && 'masters' in c) return nodeRedisClusterConnection(client as NodeRedisCluster);
    return nodeRedisClientConnection(client as NodeRedisClient);
  }
  throw new ConfigurationError('client must be a node-redis (v5+) or ioredis (v5+) client or cluster');
}
