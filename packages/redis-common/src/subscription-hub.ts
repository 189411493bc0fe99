import { StoreUnavailableError } from '@ads-token/core';
import { boundedOperation } from './bounded-operation.js';
import type { RedisConnection, RedisSubscriber } from './redis-connection.js';

interface Channel {
  listeners: Set<() => void>;
  ready: Promise<void>;
}

/**
 * One duplicated subscriber connection shared by every channel of one store or lock. Opened on
 * first use, closed by {@link SubscriptionHub.close}.
 */
export class SubscriptionHub {
  readonly #connection: RedisConnection;
  readonly #timeoutMs: number;
  readonly #channels = new Map<string, Channel>();
  #subscriber: Promise<RedisSubscriber> | undefined;
  #closed = false;

  /** Creates a hub over `connection`; opening and subscribing each fail after `timeoutMs`. */
  constructor(connection: RedisConnection, timeoutMs: number) {
    this.#connection = connection;
    this.#timeoutMs = timeoutMs;
  }

  /** Calls `listener` on every message on `channel`; resolves to a function that stops it. */
  async add(channel: string, listener: () => void): Promise<() => Promise<void>> {
    if (this.#closed) throw new StoreUnavailableError('The Redis subscriber was closed');
    let entry = this.#channels.get(channel);
    if (entry === undefined) {
      const created: Channel = { listeners: new Set(), ready: Promise.resolve() };
      created.ready = this.#subscribe(channel, created);
      entry = created;
      this.#channels.set(channel, entry);
    }
    const wrapped = (): void => listener();
    entry.listeners.add(wrapped);
    const current = entry;
    try {
      await current.ready;
    } catch (error) {
      current.listeners.delete(wrapped);
      if (this.#channels.get(channel) === current) this.#channels.delete(channel);
      throw error;
    }
    let removed = false;
    return async () => {
      if (removed) return;
      removed = true;
      current.listeners.delete(wrapped);
      if (current.listeners.size > 0 || this.#channels.get(channel) !== current) return;
      this.#channels.delete(channel);
      const subscriber = this.#subscriber;
      if (subscriber === undefined || this.#closed) return;
      await boundedOperation('UNSUBSCRIBE', { timeoutMs: this.#timeoutMs }, async () =>
        (await subscriber).unsubscribe(channel),
      ).catch(() => undefined);
    };
  }

  /** Closes the subscriber connection and drops every listener. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#channels.clear();
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    if (subscriber === undefined) return;
    try {
      await (await subscriber).close();
    } catch {
      // Opening failed: nothing to close.
    }
  }

  async #subscribe(channel: string, entry: Channel): Promise<void> {
    const subscriber = await this.#open();
    const dispatch = (): void => {
      for (const listener of [...entry.listeners]) {
        try {
          listener();
        } catch {
          // A listener's failure is its own.
        }
      }
    };
    await boundedOperation('SUBSCRIBE', { timeoutMs: this.#timeoutMs }, () => subscriber.subscribe(channel, dispatch));
  }

  #open(): Promise<RedisSubscriber> {
    if (this.#subscriber === undefined) {
      const cancel = new AbortController();
      const raw = this.#connection.createSubscriber(cancel.signal);
      const opening = boundedOperation('subscriber connect', { timeoutMs: this.#timeoutMs }, () => raw);
      this.#subscriber = opening;
      raw.then(
        (subscriber) => {
          if (this.#closed || this.#subscriber !== opening) void subscriber.close().catch(() => undefined);
        },
        () => undefined,
      );
      opening.catch(() => {
        cancel.abort();
        if (this.#subscriber === opening) this.#subscriber = undefined;
      });
    }
    return this.#subscriber;
  }
}
