import { MemoryTokenStore, StoreUnavailableError, TokenManager, TokenPool, type Lock, type TokenManagerOptions, type TokenStore } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { RedisLock } from '@ads-token/lock-redis';
import { FileLock, FileTokenStore } from '@ads-token/store-file';
import { RedisTokenStore } from '@ads-token/store-redis';
import { createClient } from 'redis';
import { CliError } from './cli-error.js';
import { openPostgres } from './postgres-target.js';
import type { CliConfig } from './config.js';
import { EXIT_CODES } from './exit-codes.js';
import type { SecretRedactor } from './secret-redactor.js';

/** How long connecting to Redis may take before the store counts as unavailable. */
const REDIS_CONNECT_TIMEOUT_MS = 5000;

/** The Redis error reply's first word (`WRONGPASS`, `NOAUTH`, ...), when the error is one. */
function replyPrefix(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : undefined;
  const word = message?.match(/^[A-Z][A-Z_-]+(?=\s|$)/)?.[0];
  return word;
}

/** True for Redis's answers to a wrong, missing or refused password. */
function isAuthFailure(error: unknown): boolean {
  const prefix = replyPrefix(error);
  if (prefix === 'WRONGPASS' || prefix === 'NOAUTH') return true;
  const message = error instanceof Error ? error.message : '';
  return prefix === 'ERR' && /\b(invalid password|AUTH\b.*without any password|invalid username-password)/i.test(message);
}

async function connectRedis(url: string, display: string) {
  const client = createClient({ url, socket: { connectTimeout: REDIS_CONNECT_TIMEOUT_MS, reconnectStrategy: false } });
  // Errors surface through the failing command; without a listener they would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    // A server that wants a password only says so on the first command: ask now, not mid-refresh.
    await client.ping();
  } catch (error) {
    client.destroy();
    if (isAuthFailure(error)) {
      throw new CliError(
        `Cannot connect to Redis at ${display}: authentication failed (${replyPrefix(error) ?? 'refused'})`,
        EXIT_CODES.storeUnavailable,
        'Check the user name and password in --store / ADS_TOKEN_STORE (redis://user:password@host:port).',
      );
    }
    const code = (error as { code?: unknown } | null)?.code;
    const reason = typeof code === 'string' ? code : (replyPrefix(error) ?? 'connection failed');
    throw new StoreUnavailableError(`Cannot connect to Redis at ${display}: ${reason}`);
  }
  return client;
}

type RedisClient = Awaited<ReturnType<typeof connectRedis>>;

/** A DynamoDB store and lock on one table; region, credentials and endpoint come from the AWS environment. */
async function openDynamoDb(tableName: string): Promise<{ store: TokenStore; lock: Lock; close: () => void }> {
  // The CLI supports Node 20; the SDK's notice about its own future Node versions is not for its users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Loaded only for this kind of store, so file and Redis users never load the AWS SDK.
  const [{ DynamoDBClient }, { DynamoDbLock, DynamoDbTokenStore }] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('@ads-token/store-dynamodb'),
  ]);
  const client = new DynamoDBClient({});
  return {
    store: new DynamoDbTokenStore({ client, tableName }),
    lock: new DynamoDbLock({ client, tableName }),
    close: () => client.destroy(),
  };
}

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
  readonly #closeBackend: (() => Promise<void>) | undefined;
  readonly #managers = new Map<string, TokenManager>();
  #pool: TokenPool | undefined;

  private constructor(config: CliConfig, store: TokenStore, lock: Lock, redis: RedisClient | undefined, closeBackend?: () => Promise<void>) {
    this.config = config;
    this.store = store;
    this.lock = lock;
    this.#redis = redis;
    this.#closeBackend = closeBackend;
    this.http = new FetchHttpClient();
  }

  /** Opens the store named by the configuration (connects to Redis or PostgreSQL when it is one). */
  static async open(config: CliConfig, redactor: SecretRedactor): Promise<Session> {
    redactor.add(config.clientSecret);
    redactor.add(config.encryptionKey);
    const target = config.store;
    if (target.kind === 'file') {
      // Lock files live next to the token file unless told otherwise: CLI runs on other token files never wait on these.
      const lock = new FileLock(config.lockDir === undefined ? { tokenFile: target.path } : { directory: config.lockDir });
      return new Session(config, new FileTokenStore({ path: target.path }), lock, undefined);
    }
    if (target.kind === 'dynamodb') {
      const { store, lock, close } = await openDynamoDb(target.tableName);
      return new Session(config, store, lock, undefined, async () => close());
    }
    redactor.add(target.password);
    if (target.kind === 'postgres') {
      const backend = await openPostgres(target.url, target.display);
      return new Session(config, backend.store, backend.lock, undefined, () => backend.close());
    }
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
      manager = new TokenManager({ ...this.#options(grantId, redirectUri), store: this.store, lock: this.lock });
      this.#managers.set(id, manager);
    }
    return manager;
  }

  /**
   * The {@link TokenPool} over the same store, lock and options as {@link manager}: for commands
   * that look at every grant of the client id (made once, closed with the session).
   */
  pool(): TokenPool {
    if (this.#pool === undefined) {
      const { grantId: _grantId, ...options } = this.#options(this.config.grant, undefined);
      this.#pool = new TokenPool({ ...options, store: this.store, lock: this.lock });
    }
    return this.#pool;
  }

  /**
   * A manager of `grantId` like {@link manager}'s, over its own in-memory store: for trying a token
   * before it replaces what the real store holds. Its records are sealed exactly as the real
   * manager's, so one can be copied into the real store as it is.
   */
  scratchManager(grantId: string = this.config.grant): { manager: TokenManager; store: MemoryTokenStore } {
    const store = new MemoryTokenStore();
    const manager = new TokenManager({ ...this.#options(grantId, undefined), store });
    this.#managers.set(`${grantId}\u0000\u0000scratch${this.#managers.size}`, manager);
    return { manager, store };
  }

  #options(grantId: string, redirectUri: string | undefined): TokenManagerOptions {
    const c = this.config;
    return {
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      http: this.http,
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
    };
  }

  /** Closes the managers, the store, the lock and the Redis client or PostgreSQL pool; never throws. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#managers.values()].map((m) => m.close()));
    await this.#pool?.close().catch(() => undefined);
    await Promise.allSettled([this.store.close?.(), this.lock.close?.()]);
    if (this.#redis !== undefined) {
      await this.#redis.close().catch(() => this.#redis?.destroy());
    }
    await this.#closeBackend?.().catch(() => undefined);
  }
}
