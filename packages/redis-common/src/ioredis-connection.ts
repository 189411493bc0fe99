import type { RedisConnection, RedisSubscriber } from './redis-connection.js';
import { replyString } from './reply.js';

/** The parts of an ioredis `Redis` or `Cluster` (v5+) this library uses. */
export interface IoRedisClient {
  readonly isCluster: boolean;
  readonly status: string;
  call(command: string, ...args: string[]): Promise<unknown>;
  duplicate(): IoRedisClient;
  connect(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  disconnect(): void;
  nodes?(role: 'master'): IoRedisClient[];
}

function ignore(): void {
  // Errors of the subscriber connection surface as failed or timed-out operations.
}

async function* scanNode(node: IoRedisClient, args: string[]): AsyncIterable<string> {
  let cursor = '0';
  do {
    const reply = (await node.call('SCAN', cursor, ...args)) as [unknown, unknown[]];
    cursor = replyString(reply[0]) ?? '0';
    for (const key of reply[1]) {
      const name = replyString(key);
      if (name !== undefined) yield name;
    }
  } while (cursor !== '0');
}

async function openSubscriber(parent: IoRedisClient, signal: AbortSignal): Promise<RedisSubscriber> {
  const sub = parent.duplicate();
  sub.on('error', ignore);
  const onAbort = (): void => sub.disconnect();
  signal.addEventListener('abort', onAbort, { once: true });
  const listeners = new Map<string, () => void>();
  sub.on('message', (channel) => {
    const listener = listeners.get(String(channel));
    if (listener !== undefined) listener();
  });
  try {
    if (sub.status === 'wait') await sub.connect();
    if (sub.status !== 'ready') {
      await new Promise<void>((resolve, reject) => {
        sub.on('ready', () => resolve());
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
  } catch (error) {
    sub.disconnect();
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return {
    subscribe: async (channel, onMessage) => {
      listeners.set(channel, onMessage);
      await sub.subscribe(channel);
    },
    unsubscribe: async (channel) => {
      listeners.delete(channel);
      await sub.unsubscribe(channel);
    },
    close: async () => {
      listeners.clear();
      sub.disconnect();
    },
  };
}

/** {@link RedisConnection} over an ioredis `Redis` or `Cluster`. */
export function ioRedisConnection(client: IoRedisClient): RedisConnection {
  return {
    library: 'ioredis',
    isCluster: client.isCluster,
    command: (_key, args) => {
      const [name, ...rest] = args;
      return client.call(name!, ...rest);
    },
    scan: async function* (args) {
      const nodes = client.isCluster && client.nodes ? client.nodes('master') : [client];
      for (const node of nodes) yield* scanNode(node, args);
    },
    createSubscriber: (signal) => openSubscriber(client, signal),
  };
}
