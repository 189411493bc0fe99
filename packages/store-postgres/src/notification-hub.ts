import { StoreUnavailableError } from '@ads-token/core';
import { boundedQuery } from './bounded-query.js';
import { quoteChannel } from './identifiers.js';
import type { PgListenClient, PgNotification } from './pg-types.js';

/** How {@link NotificationHub} gets and gives back its one listening connection. */
export interface NotificationHubOptions {
  /** Opens the connection to LISTEN on. */
  open: () => Promise<PgListenClient>;
  /** The one channel every key's notifications arrive on (payload: the key). */
  channel: string;
  /** Bound for opening the connection, LISTEN and each heartbeat. */
  timeoutMs: number;
  /** Pause between heartbeats (`SELECT 1`) that find a connection that died silently. */
  heartbeatMs: number;
  /** How long the connection stays open after the last listener left. */
  lingerMs: number;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  resolved: boolean;
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  const result: Deferred = {
    promise,
    resolve: () => {
      result.resolved = true;
      resolve();
    },
    resolved: false,
  };
  return result;
}

const MIN_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 2000;

/**
 * One dedicated LISTEN connection shared by every key of one store or lock, opened when the first
 * listener arrives. NOTIFY payloads name a key (an empty payload means "any key"). When the
 * connection drops it reconnects with backoff and then calls every listener, since changes made
 * while it was down were not seen.
 */
export class NotificationHub {
  readonly #options: NotificationHubOptions;
  readonly #listeners = new Map<string, Set<() => void>>();
  #client: PgListenClient | undefined;
  #connected: Deferred = deferred();
  #running = false;
  #everConnected = false;
  #closed = false;
  #heartbeat: ReturnType<typeof setTimeout> | undefined;
  #linger: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | undefined;

  /** Creates a hub; it opens nothing until {@link NotificationHub.add}. */
  constructor(options: NotificationHubOptions) {
    this.#options = options;
  }

  /** Calls `listener` on every notification for `key`; resolves (once listening) to a function that stops it. */
  async add(key: string, listener: () => void): Promise<() => Promise<void>> {
    if (this.#closed) throw new StoreUnavailableError('The PostgreSQL listener was closed');
    clearTimeout(this.#linger);
    let set = this.#listeners.get(key);
    if (set === undefined) this.#listeners.set(key, (set = new Set()));
    const wrapped = (): void => listener();
    set.add(wrapped);
    const remove = (): void => {
      set.delete(wrapped);
      if (set.size === 0 && this.#listeners.get(key) === set) this.#listeners.delete(key);
      if (this.#listeners.size === 0) this.#scheduleLinger();
    };
    this.#ensureRunning();
    try {
      await boundedQuery('LISTEN connection', { timeoutMs: this.#options.timeoutMs }, () => this.#connected.promise);
    } catch (error) {
      remove();
      throw error;
    }
    let removed = false;
    return async () => {
      if (removed) return;
      removed = true;
      remove();
    };
  }

  /** True while the LISTEN connection is up. */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  /** Closes the listening connection and drops every listener. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    clearTimeout(this.#linger);
    this.#wake?.();
    await this.#drop();
  }

  #scheduleLinger(): void {
    clearTimeout(this.#linger);
    this.#linger = setTimeout(() => {
      if (this.#listeners.size === 0) void this.#drop();
    }, this.#options.lingerMs);
    this.#linger.unref?.();
  }

  #ensureRunning(): void {
    if (this.#running || this.#client !== undefined || this.#closed) return;
    this.#running = true;
    void this.#connectLoop().finally(() => {
      this.#running = false;
    });
  }

  async #connectLoop(): Promise<void> {
    let backoff = MIN_BACKOFF_MS;
    while (!this.#closed && this.#listeners.size > 0) {
      try {
        if (!(await this.#connectOnce())) return;
        const reconnected = this.#everConnected;
        this.#everConnected = true;
        this.#connected.resolve();
        if (reconnected) this.#dispatchAll();
        return;
      } catch {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, backoff);
          timer.unref?.();
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** Opens and LISTENs; false when nobody needs the connection any more. */
  async #connectOnce(): Promise<boolean> {
    const { open, timeoutMs, channel } = this.#options;
    let abandoned = false;
    const opening = open();
    // A connection that arrives after the bound is not used: give it back.
    opening.then((late) => (abandoned ? dispose(late) : undefined), () => undefined);
    let client: PgListenClient;
    try {
      client = await boundedQuery('LISTEN connect', { timeoutMs }, () => opening);
    } catch (error) {
      abandoned = true;
      throw error;
    }
    const onNotification = (message: PgNotification): void => {
      if (message.channel === channel) this.#dispatch(message.payload ?? '');
    };
    const onLost = (): void => this.#lost(client);
    client.on('notification', onNotification);
    client.on('error', onLost);
    client.on('end', onLost);
    try {
      await boundedQuery('LISTEN', { timeoutMs }, () => client.query(`LISTEN ${quoteChannel(channel)}`));
    } catch (error) {
      await dispose(client);
      throw error;
    }
    if (this.#closed || this.#listeners.size === 0) {
      await dispose(client);
      return false;
    }
    this.#client = client;
    this.#scheduleHeartbeat(client);
    return true;
  }

  #scheduleHeartbeat(client: PgListenClient): void {
    clearTimeout(this.#heartbeat);
    this.#heartbeat = setTimeout(() => {
      if (this.#client !== client) return;
      boundedQuery('listener heartbeat', { timeoutMs: this.#options.timeoutMs }, () => client.query('SELECT 1')).then(
        () => this.#scheduleHeartbeat(client),
        () => this.#lost(client),
      );
    }, this.#options.heartbeatMs);
    this.#heartbeat.unref?.();
  }

  #lost(client: PgListenClient): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    if (this.#connected.resolved) this.#connected = deferred();
    clearTimeout(this.#heartbeat);
    void dispose(client);
    if (!this.#closed && this.#listeners.size > 0) this.#ensureRunning();
  }

  async #drop(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#everConnected = false;
    if (this.#connected.resolved) this.#connected = deferred();
    clearTimeout(this.#heartbeat);
    if (client !== undefined) await dispose(client);
  }

  #dispatch(key: string): void {
    if (key === '') {
      this.#dispatchAll();
      return;
    }
    for (const listener of [...(this.#listeners.get(key) ?? [])]) call(listener);
  }

  #dispatchAll(): void {
    for (const set of [...this.#listeners.values()]) for (const listener of [...set]) call(listener);
  }
}

function call(listener: () => void): void {
  try {
    listener();
  } catch {
    // A listener's failure is its own.
  }
}

/** Gives a listening connection back: a pool client is destroyed (never reused), a plain client ended. */
async function dispose(client: PgListenClient): Promise<void> {
  // Late errors of a connection being closed must not crash the process.
  client.on('error', () => undefined);
  try {
    if (typeof client.release === 'function') client.release(true);
    else await client.end?.();
  } catch {
    // Already closed.
  }
}
