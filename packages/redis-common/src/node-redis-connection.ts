import type { RedisConnection, RedisSubscriber } from './redis-connection.js';
import { replyString } from './reply.js';

type Listener = (message: unknown, channel: unknown) => void;

/** The parts of a node-redis client (v5+) this library uses. */
export interface NodeRedisClient {
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): NodeRedisClient;
  connect(): Promise<unknown>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  subscribe(channel: string, listener: Listener): Promise<void>;
  unsubscribe(channel: string, listener?: Listener): Promise<void>;
  destroy(): void;
}

/** The parts of a node-redis cluster (v5+) this library uses. */
export interface NodeRedisCluster {
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  readonly masters: readonly unknown[];
  nodeClient(node: unknown): Promise<NodeRedisClient> | NodeRedisClient;
  duplicate(): NodeRedisCluster;
  connect(): Promise<unknown>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  subscribe(channel: string, listener: Listener): Promise<void>;
  unsubscribe(channel: string, listener?: Listener): Promise<void>;
  destroy(): void;
}

type PubSubClient = NodeRedisClient | NodeRedisCluster;

function ignore(): void {
  // Errors of the subscriber connection surface as failed or timed-out operations.
}

async function* scanNode(send: (args: string[]) => Promise<unknown>, args: string[]): AsyncIterable<string> {
  let cursor = '0';
  do {
    const reply = (await send(['SCAN', cursor, ...args])) as [unknown, unknown[]];
    cursor = replyString(reply[0]) ?? '0';
    for (const key of reply[1]) {
      const name = replyString(key);
      if (name !== undefined) yield name;
    }
  } while (cursor !== '0');
}

async function openSubscriber(parent: PubSubClient, signal: AbortSignal): Promise<RedisSubscriber> {
  const sub = parent.duplicate();
  sub.on('error', ignore);
  const onAbort = (): void => sub.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  const listeners = new Map<string, Listener>();
  try {
    await sub.connect();
  } catch (error) {
    sub.destroy();
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return {
    subscribe: async (channel, onMessage) => {
      const listener: Listener = () => onMessage();
      listeners.set(channel, listener);
      await sub.subscribe(channel, listener);
    },
    unsubscribe: async (channel) => {
      const listener = listeners.get(channel);
      listeners.delete(channel);
      await sub.unsubscribe(channel, listener);
    },
    close: async () => {
      listeners.clear();
      sub.destroy();
    },
  };
}

/** {@link RedisConnection} over a node-redis client. */
export function nodeRedisClientConnection(client: NodeRedisClient): RedisConnection {
  return {
    library: 'node-redis',
    isCluster: false,
    command: (_key, args) => client.sendCommand(args),
    scan: (args) => scanNode((a) => client.sendCommand(a), args),
    createSubscriber: (signal) => openSubscriber(client, signal),
  };
}

/** {@link RedisConnection} over a node-redis cluster. */
export function nodeRedisClusterConnection(cluster: NodeRedisCluster): RedisConnection {
  return {
    library: 'node-redis',
    isCluster: true,
    command: (key, args) => cluster.sendCommand(key, false, args),
    scan: async function* (args) {
      for (const master of [...cluster.masters]) {
        const node = await cluster.nodeClient(master);
        yield* scanNode((a) => node.sendCommand(a), args);
      }
    },
    createSubscriber: (signal) => openSubscriber(cluster, signal),
  };
}
