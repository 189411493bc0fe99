import { CorruptRecordError, type Options, type StoredRecord, type TokenStore } from '@ads-token/core';
import {
  SubscriptionHub,
  boundedOperation,
  checkKeyPrefix,
  detectRedisConnection,
  escapeGlob,
  replyString,
  runScript,
  type RedisClientLike,
  type RedisConnection,
} from '@ads-token/redis-common';
import { COMPARE_AND_SET, DELETE, READ } from './store-scripts.js';

/** Options for {@link RedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /** Your connected node-redis (v5+) or ioredis (v5+) client or cluster. The store never closes it. */
  client: RedisClientLike;
  /**
   * Prepended to every key and channel, to share one Redis between apps. No braces.
   * @default ''
   */
  keyPrefix?: string;
  /**
   * Each Redis operation fails with StoreUnavailableError after this many milliseconds.
   * @default 2000
   */
  operationTimeoutMs?: number;
}

const CHANNEL_SUFFIX = ':changed';

/**
 * {@link TokenStore} in Redis: each record is a hash (`v` version, `d` sealed data); compare-and-set
 * and delete are Lua scripts that also PUBLISH a change notification, which `subscribe` receives on
 * one duplicated connection. Works with node-redis and ioredis, standalone and Cluster.
 */
export class RedisTokenStore implements TokenStore {
  readonly #connection: RedisConnection;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #hub: SubscriptionHub;

  /** Wraps your client; opens no connection until the first `subscribe`. */
  constructor(options: RedisTokenStoreOptions) {
    this.#connection = detectRedisConnection(options.client);
    this.#prefix = checkKeyPrefix(options.keyPrefix);
    this.#timeoutMs = options.operationTimeoutMs ?? 2000;
    this.#hub = new SubscriptionHub(this.#connection, this.#timeoutMs);
  }

  /**
   * The record under `key`, or undefined when there is none. A hash that lacks `v` or `d` (written by
   * something else, or edited by hand) throws CorruptRecordError naming the key: it is not "absent",
   * so nothing overwrites it as if the grant had never been stored.
   */
  async get(key: string, options?: Options): Promise<StoredRecord | undefined> {
    const redisKey = this.#prefix + key;
    const reply = await this.#bounded('read', options, () => runScript(this.#connection, READ, [redisKey], []));
    const [rawFields, rawVersion, rawData] = Array.isArray(reply) ? (reply as unknown[]) : [];
    const version = replyString(rawVersion);
    const data = replyString(rawData);
    if (version !== undefined && data !== undefined) return { version, data };
    if (Number(replyString(rawFields) ?? 0) === 0) return undefined;
    const missing = [version === undefined ? '`v` (version)' : '', data === undefined ? '`d` (data)' : ''].filter(Boolean).join(' and ');
    throw new CorruptRecordError(
      `The Redis hash ${redisKey} is not a token record: it has no ${missing} field. It was left untouched; ` +
        'delete it (or restore it) and authenticate again with authenticateWithCode() or setRefreshToken().',
    );
  }

  /** Writes when the current version equals `expectedVersion` (undefined: key absent); false on conflict. */
  async compareAndSet(key: string, expectedVersion: string | undefined, record: StoredRecord, options?: Options): Promise<boolean> {
    const redisKey = this.#prefix + key;
    const args = [expectedVersion === undefined ? '0' : '1', expectedVersion ?? '', record.version, record.data, redisKey + CHANNEL_SUFFIX];
    const reply = await this.#bounded('compare-and-set', options, () => runScript(this.#connection, COMPARE_AND_SET, [redisKey], args));
    return Number(reply) === 1;
  }

  /** Deletes when the current version equals `expectedVersion`, when one is given; true when deleted. */
  async delete(key: string, expectedVersion?: string, options?: Options): Promise<boolean> {
    const redisKey = this.#prefix + key;
    const args = [expectedVersion === undefined ? '0' : '1', expectedVersion ?? '', redisKey + CHANNEL_SUFFIX];
    const reply = await this.#bounded('delete', options, () => runScript(this.#connection, DELETE, [redisKey], args));
    return Number(reply) === 1;
  }

  /** Keys starting with `prefix`, by SCAN over every master (each yielded once). */
  async *list(prefix: string, options?: Options): AsyncIterable<string> {
    options?.signal?.throwIfAborted();
    const match = escapeGlob(this.#prefix + prefix) + '*';
    const iterator = this.#connection.scan(['MATCH', match, 'COUNT', '200', 'TYPE', 'hash'])[Symbol.asyncIterator]();
    const seen = new Set<string>();
    for (;;) {
      const step = await this.#bounded('SCAN', options, () => iterator.next());
      if (step.done === true) return;
      const key = step.value.slice(this.#prefix.length);
      if (seen.has(key)) continue;
      seen.add(key);
      yield key;
    }
  }

  /** Calls `onChange` when any process writes or deletes `key`; resolves to unsubscribe. */
  async subscribe(key: string, onChange: () => void): Promise<() => Promise<void>> {
    return this.#hub.add(this.#prefix + key + CHANNEL_SUFFIX, onChange);
  }

  /** Closes the subscriber connection (your client stays open). */
  async close(): Promise<void> {
    await this.#hub.close();
  }

  #bounded<T>(what: string, options: Options | undefined, op: () => Promise<T>): Promise<T> {
    return boundedOperation(what, { timeoutMs: this.#timeoutMs, signal: options?.signal }, op);
  }
}
