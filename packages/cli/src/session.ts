import { StoreUnavailableError, TokenManager, type Lock, type TokenStore } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { RedisLock } from '@ads-token/lock-redis';
import { FileLock, FileTokenStore } from '@ads-token/store-file';
import { RedisTokenStore } from '@ads-token/store-redis';
import { createClient } from 'redis';
import type { CliConfig } from './config.js';
import type { SecretRedactor } from './secret-redactor.js';

/** How long connecting to Redis may take before the store counts as unavailable. */
const REDIS_CONNECT_TIMEOUT_MS = 5000;

async function connectRedis(url: string, display: string) {
  const client = createClient({ url, socket: { connectTimeout: REDIS_CONNECT_TIMEOUT_MS, reconnectStrategy: false } });
  // Errors surface through the failing command; without a listener they would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const reason = typeof code === 'string' ? code : error instanceof Error ? error.constructor.name : 'connection failed';
    client.destroy();
    throw new StoreUnavailableError(`Cannot connect to Redis at ${display}: ${reason}`);
  }
  return client;
}

type RedisClient = Awaited<ReturnType<typeof connectRedis>>;

/** The store, lock, HTTP client and token managers of one command run; `close` ends them all. */
export class Session {
  /** The token store. */
  readonly store: TokenStore;
  /** The refresh lock. */
  readonly lock: Lock;
  /** HTTP client for LWA (and the Ads API). */
  readonly http: FetchHttpClient;
  /** The configuration. */
  readonly config: CliConfig;
  readonly #redis: RedisClient | undefined;
  readonly #managers = new Map<string, TokenManager>();

  private constructor(config: CliConfig, store: TokenStore, lock: Lock, redis: RedisClient | undefined) {
    this.config = config;
    this.store = store;
    this.lock = lock;
    this.#redis = redis;
    this.http = new FetchHttpClient();
  }

  /** Opens the store named by the configuration (connects to Redis when it is one). */
  static async open(config: CliConfig, redactor: SecretRedactor): Promise<Session> {
    redactor.add(config.clientSecret);
    redactor.add(config.encryptionKey);
    const target = config.store;
    if (target.kind === 'file') {
      // Lock files live next to the token file unless told otherwise: CLI runs on other token files never wait on these.
      const lock = new FileLock(config.lockDir === undefined ? { tokenFile: target.path } : { directory: config.lockDir });
      return new Session(config, new FileTokenStore({ path: target.path }), lock, undefined);
    }
    redactor.add(target.password);
    const client = await connectRedis(target.url, target.display);
    return new Session(config, new RedisTokenStore({ client }), new RedisLock({ client }), client);
  }

  /** Where the tokens are kept, for messages (no password). */
  get storeDescription(): string {
    return this.config.store.display;
  }

  /** The manager of `grantId` (one per grant, made once). */
  manager(grantId: string = this.config.grant, redirectUri?: string): TokenManager {
    const id = `${grantId}\u0000${redirectUri ?? ''}`;
    let manager = this.#managers.get(id);
    if (manager === undefined) {
      const c = this.config;
      manager = new TokenManager({
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        http: this.http,
        store: this.store,
        lock: this.lock,
        region: c.region,
        grantId,
        backgroundRefresh: false,
        ...(redirectUri ?? c.redirectUri ? { redirectUri: redirectUri ?? c.redirectUri } : {}),
        ...(c.scope === undefined ? {} : { scope: c.scope }),
        ...(c.encryptionKey === undefined ? {} : { encryptionKey: { raw: c.encryptionKey } }),
        endpoints: {
          ...(c.tokenUrl === undefined ? {} : { tokenUrl: c.tokenUrl }),
          ...(c.authorizationUrl === undefined ? {} : { authorizationUrl: c.authorizationUrl }),
        },
      });
      this.#managers.set(id, manager);
    }
    return manager;
  }

  /** Closes the managers, the store, the lock and the Redis client; never throws. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#managers.values()].map((m) => m.close()));
    await Promise.allSettled([this.store.close?.(), this.lock.close?.()]);
    if (this.#redis !== undefined) {
      await this.#redis.close().catch(() => this.#redis?.destroy());
    }
  }
}
