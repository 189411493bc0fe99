import type { Lock, TokenStore } from '@ads-token/core';
import { RedisLock } from '@ads-token/lock-redis';
import { FileLock, FileTokenStore } from '@ads-token/store-file';
import { RedisTokenStore } from '@ads-token/store-redis';
import { createClient } from 'redis';
import type { BackendConfig } from './protocol.js';

/** A store and a lock over one backend, and how to let go of them. */
export interface Backend {
  store: TokenStore;
  lock: Lock;
  close(): Promise<void>;
}

/** Options of {@link openBackend}. */
export interface OpenBackendOptions {
  /** Told of Redis client errors (a lost connection, ...); node-redis reconnects by itself. */
  onRedisError?: (error: unknown) => void;
}

/** Opens the store and lock `config` names; for Redis, connects one node-redis client both use. */
export async function openBackend(config: BackendConfig, options: OpenBackendOptions = {}): Promise<Backend> {
  if (config.kind === 'file') {
    const store = new FileTokenStore({ path: config.path, watchIntervalMs: 200 });
    const lock = new FileLock({ directory: config.lockDirectory });
    return { store, lock, close: async () => { await store.close(); await lock.close?.(); } };
  }
  const client = createClient({
    url: config.url,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 500) },
  });
  client.on('error', (error: unknown) => options.onRedisError?.(error));
  await client.connect();
  const store = new RedisTokenStore({ client, keyPrefix: config.keyPrefix });
  const lock = new RedisLock({ client, keyPrefix: config.keyPrefix });
  return {
    store,
    lock,
    close: async () => {
      await store.close?.();
      await lock.close?.();
      await client.close().catch(() => undefined);
    },
  };
}

/** `redis://host:port` of a Redis URL, without user name or password. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(unparsable REDIS_URL)';
  }
}
