/**
 * A user's Redis client as this library sees it: a node-redis (v5+) client or cluster, or an
 * ioredis (v5+) `Redis` or `Cluster`. Typed loosely so neither library is needed to compile.
 */
export type RedisClientLike = object;

/** The connection only the library opens: a duplicate of the user's client in subscriber mode. */
export interface RedisSubscriber {
  /** Subscribes to `channel`; `onMessage` runs on every message on it. */
  subscribe(channel: string, onMessage: () => void): Promise<void>;
  /** Unsubscribes from `channel`. */
  unsubscribe(channel: string): Promise<void>;
  /** Closes the connection at once. */
  close(): Promise<void>;
}

/** Uniform access to a user's client, whichever library and topology it is. */
export interface RedisConnection {
  /** Which client library the user's client comes from. */
  readonly library: 'node-redis' | 'ioredis';
  /** True for a Redis Cluster client. */
  readonly isCluster: boolean;
  /** Sends one command; `key` routes it to the right shard on Cluster. */
  command(key: string | undefined, args: string[]): Promise<unknown>;
  /** Runs SCAN with `args` (MATCH, COUNT, TYPE ...) on every master; yields keys, possibly repeated. */
  scan(args: string[]): AsyncIterable<string>;
  /** Opens a duplicate of the user's client for pub/sub; `signal` gives up on a connection attempt. */
  createSubscriber(signal: AbortSignal): Promise<RedisSubscriber>;
}
