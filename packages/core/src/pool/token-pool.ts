import { isAbortError, raceSignal } from '../abort.js';
import { AdsTokenError, ConfigurationError, StoreUnavailableError } from '../errors.js';
import { DEFAULT_HEALTH_TIMEOUT_MS, judgeGrant, type GrantHealth, type HealthOptions, type HealthReport, type LastRefreshFailure } from '../health.js';
import { GRANT_CONTEXT, resolveGrantContext, type GrantContext } from '../refresh/grant-context.js';
import { servingTimes, tokenInfo } from '../refresh/snapshot.js';
import { requireText } from '../option-checks.js';
import { randomId } from '../random.js';
import { parseStoreKey, sharedRecordKey, storeKey, storeKeyPrefix } from '../store-key.js';
import type { TokenEvent, TokenEventListener } from '../token-events.js';
import { TokenManager } from '../token-manager.js';
import type { TokenManagerOptions } from '../token-manager-options.js';
import { decodeTokenRecord } from '../token-record.js';
import type { TokenStatus } from '../token-info.js';
import type { Options } from '../token-store.js';
import type { Region } from '../regions.js';
import { consentAge, type GrantStatus } from './grant-status.js';
import type { TokenPoolOptions } from './token-pool-options.js';

/** A record an app shares across its grants, opened. */
export interface SharedRecord {
  /** The stored version, for the next {@link TokenPool.writeShared}. */
  version: string;
  /** The plaintext value. */
  value: string;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const DENO_INSPECT = Symbol.for('Deno.customInspect');

/**
 * Serves many advertiser grants of one LWA app from one object: managers are created on first
 * use and share one sealer, one LWA client, one store (and its subscription connection), one lock
 * and one refresh scheduler (at most `maxConcurrentRefreshes` at once, grants spread inside their
 * buffers). An idle grant holds no timer.
 */
export class TokenPool {
  readonly #ctx: GrantContext;
  readonly #managers = new Map<string, TokenManager>();
  /** The last refresh failure per grant, not followed by a success. */
  readonly #failures = new Map<string, LastRefreshFailure>();
  #closed = false;

  /** Creates a pool; does no I/O. Throws {@link ConfigurationError} for bad options. */
  constructor(options: TokenPoolOptions) {
    if (typeof options !== 'object' || options === null) throw new ConfigurationError('TokenPool options are required');
    if ('grantId' in options) throw new ConfigurationError('a TokenPool holds many grants: pass grantId to pool.manager(grantId), not to the pool');
    this.#ctx = resolveGrantContext(options, { maxConcurrentRefreshes: options.maxConcurrentRefreshes ?? 4, jitter: true });
    this.#ctx.listeners.add({ listener: (event) => this.#track(event) });
  }

  /** The LWA client id. */
  get clientId(): string {
    return this.#ctx.clientId;
  }

  /** The region of every grant of the pool. */
  get region(): Region {
    return this.#ctx.region;
  }

  /** The most refreshes that have run at once in this pool. */
  get peakConcurrentRefreshes(): number {
    return this.#ctx.scheduler.peak;
  }

  /** The manager of `grantId`, created on first use and kept: the full `TokenManager` API for one grant. */
  manager(grantId: string): TokenManager {
    if (this.#closed) throw new ConfigurationError('This TokenPool is closed');
    let manager = this.#managers.get(grantId);
    if (manager === undefined) {
      const options = { grantId, [GRANT_CONTEXT]: this.#ctx } as unknown as TokenManagerOptions;
      manager = new TokenManager(options);
      this.#managers.set(grantId, manager);
    }
    return manager;
  }

  /** A valid access token of `grantId` (see `TokenManager.getAccessToken`). */
  getAccessToken(grantId: string, options?: Options): Promise<string> {
    return this.manager(grantId).getAccessToken(options);
  }

  /** Headers for an Ads API call on behalf of `grantId` (see `TokenManager.getHeaders`). */
  getHeaders(grantId: string, options?: Options & { profileId?: string | number | bigint }): Promise<Record<string, string>> {
    return this.manager(grantId).getHeaders(options);
  }

  /** Adds a listener of every grant's events; returns the function that removes it. */
  addListener(listener: TokenEventListener): () => void {
    if (typeof listener !== 'function') throw new ConfigurationError('an event listener must be a function');
    const entry = { listener };
    this.#ctx.listeners.add(entry);
    return () => {
      this.#ctx.listeners.delete(entry);
    };
  }

  /** The grant ids stored for this client id (through `store.list`). */
  async *grants(options?: Options): AsyncIterable<string> {
    for await (const key of this.#ctx.store.list(storeKeyPrefix(this.#ctx.clientId), options)) {
      const parsed = parseStoreKey(key);
      if (parsed !== undefined && parsed.clientId === this.#ctx.clientId) yield parsed.grantId;
    }
  }

  /**
   * Every stored grant's status: its TokenInfo, the last refresh error this process saw, and its
   * consent age. Reads each record once; calls no LWA and creates no manager.
   */
  async status(options?: Options): Promise<GrantStatus[]> {
    const out: GrantStatus[] = [];
    for await (const grantId of this.grants(options)) out.push(await this.#status(grantId, options));
    return out;
  }

  async #status(grantId: string, options?: Options): Promise<GrantStatus> {
    const key = storeKey(this.#ctx.clientId, grantId);
    const now = this.#ctx.clock.now();
    const lastError = this.#failures.get(grantId)?.code as GrantStatus['lastError'];
    try {
      const stored = await this.#ctx.store.get(key, options);
      const record = stored === undefined ? undefined : decodeTokenRecord(await this.#ctx.sealer.open(key, stored.data), key);
      const info = tokenInfo(record === undefined ? undefined : { record, ...servingTimes(record, this.#ctx.bufferMs) }, now, grantId);
      return { ...info, lastError, ...consentAge(info.consentedAt, now) };
    } catch (error) {
      if (!(error instanceof AdsTokenError) || error.code === 'STORE_UNAVAILABLE') throw error;
      return {
        status: 'unreadable',
        unreadableCode: error.code,
        expiresInSeconds: 0,
        isExpired: true,
        expiresAt: undefined,
        hasRefreshToken: false,
        consentedAt: undefined,
        grantId,
        lastError,
        consentAgeDays: undefined,
        consentExpiringSoon: false,
      };
    }
  }

  /**
   * Reads a record the app shares across its grants (a profile directory, say), sealed with the
   * pool's key like every grant record. Undefined when absent.
   */
  async readShared(name: string, options?: Options): Promise<SharedRecord | undefined> {
    const key = sharedRecordKey(this.#ctx.clientId, requireText('name', name));
    const stored = await this.#storeCall(() => this.#ctx.store.get(key, options), 'read', key);
    if (stored === undefined) return undefined;
    return { version: stored.version, value: await this.#ctx.sealer.open(key, stored.data) };
  }

  /**
   * Writes a shared record if its stored version is still `expectedVersion` (undefined: absent).
   * Resolves to the new version, or undefined when another process wrote first.
   */
  async writeShared(name: string, value: string, expectedVersion: string | undefined, options?: Options): Promise<string | undefined> {
    const key = sharedRecordKey(this.#ctx.clientId, requireText('name', name));
    const version = randomId();
    const data = await this.#ctx.sealer.seal(key, value);
    const written = await this.#storeCall(() => this.#ctx.store.compareAndSet(key, expectedVersion, { version, data }, options), 'write', key);
    return written ? version : undefined;
  }

  async #storeCall<T>(call: () => Promise<T>, what: string, key: string): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof AdsTokenError || isAbortError(error)) throw error;
      throw new StoreUnavailableError(`The token store failed to ${what} ${key}`, { cause: error });
    }
  }

  #track(event: TokenEvent): void {
    if (event.type === 'refresh_failed') this.#failures.set(event.grantId, { code: event.code, message: event.message, at: event.at });
    else if (event.type === 'refreshed' || event.type === 'authenticated' || event.type === 'cleared') this.#failures.delete(event.grantId);
  }

  /**
   * A readiness probe over every stored grant: no LWA call, one store read per grant at most
   * (grants this process holds answer as `TokenManager.health` does), bounded by `timeoutMs` in all.
   * When the grants cannot be listed it is not ok, and an entry with grantId `*` says why. Rejects only when `signal` aborts.
   */
  async health(options?: HealthOptions): Promise<HealthReport> {
    const timeoutMs = options?.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
    const clock = this.#ctx.clock;
    const end = clock.now() + timeoutMs;
    const timer = new AbortController();
    const expired = new AbortController();
    clock.sleep(timeoutMs, timer.signal).then(
      () => expired.abort(new StoreUnavailableError(`the token store did not answer within ${timeoutMs} ms`)),
      () => undefined,
    );
    const signal = options?.signal === undefined ? expired.signal : AbortSignal.any([options.signal, expired.signal]);
    const grants: GrantHealth[] = [];
    let ok = true;
    try {
      for await (const grantId of this.grants({ signal })) {
        const manager = this.#managers.get(grantId);
        if (manager !== undefined) {
          const report = await manager.health({ timeoutMs: Math.max(1, end - clock.now()), signal });
          grants.push(...report.grants);
          ok &&= report.ok;
          continue;
        }
        let info: GrantStatus | undefined;
        let storeError: string | undefined;
        try {
          info = await raceSignal(this.#status(grantId, { signal }), signal);
          if (info.status === 'unreadable') {
            storeError = `the stored record is unreadable (${info.unreadableCode ?? 'UNKNOWN'})`;
            info = undefined;
          }
        } catch (error) {
          options?.signal?.throwIfAborted();
          storeError = error instanceof Error ? error.message : String(error);
        }
        const judged = judgeGrant(grantId, info === undefined ? undefined : { ...info, status: info.status as TokenStatus }, this.#failures.get(grantId), storeError);
        grants.push(judged.grant);
        ok &&= judged.ok;
      }
    } catch (error) {
      options?.signal?.throwIfAborted();
      const reason = `the grants could not be listed: ${error instanceof Error ? error.message : String(error)}`;
      return { ok: false, grants: [...grants, { grantId: '*', status: 'unavailable', reason }] };
    } finally {
      timer.abort();
    }
    return { ok, grants };
  }

  /** Closes every manager (see `TokenManager.close`). Does not close the store or lock. Later calls throw ConfigurationError. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#managers.values()].map((m) => m.close()));
    this.#managers.clear();
  }

  /** A redacted view: no secret. */
  toJSON(): Record<string, string | number> {
    return { clientId: this.#ctx.clientId, region: this.#ctx.region, grants: this.#managers.size };
  }

  /** Redacted in Node's util.inspect. */
  [INSPECT](): string {
    return `TokenPool ${JSON.stringify(this.toJSON())}`;
  }

  /** Redacted in Deno.inspect. */
  [DENO_INSPECT](): string {
    return this[INSPECT]();
  }
}
