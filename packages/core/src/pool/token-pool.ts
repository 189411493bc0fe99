import { AdsTokenError, ConfigurationError } from '../errors.js';
import { GRANT_CONTEXT, resolveGrantContext, type GrantContext } from '../refresh/grant-context.js';
import { servingTimes, tokenInfo } from '../refresh/snapshot.js';
import { parseStoreKey, storeKey, storeKeyPrefix } from '../store-key.js';
import type { TokenEvent } from '../token-events.js';
import { TokenManager } from '../token-manager.js';
import type { TokenManagerOptions } from '../token-manager-options.js';
import { decodeTokenRecord } from '../token-record.js';
import type { Options } from '../token-store.js';
import { consentAge, type GrantStatus } from './grant-status.js';
import type { TokenPoolOptions } from './token-pool-options.js';

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
  readonly #lastErrors = new Map<string, GrantStatus['lastError']>();
  #closed = false;

  /** Creates a pool; does no I/O. Throws {@link ConfigurationError} for bad options. */
  constructor(options: TokenPoolOptions) {
    if (typeof options !== 'object' || options === null) throw new ConfigurationError('TokenPool options are required');
    if ('grantId' in options) throw new ConfigurationError('a TokenPool holds many grants: pass grantId to pool.manager(grantId), not to the pool');
    this.#ctx = resolveGrantContext(options, { maxConcurrentRefreshes: options.maxConcurrentRefreshes ?? 4, jitter: true });
    this.#ctx.listeners.add((event) => this.#track(event));
  }

  /** The LWA client id. */
  get clientId(): string {
    return this.#ctx.clientId;
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
  addListener(listener: (event: TokenEvent) => void): () => void {
    this.#ctx.listeners.add(listener);
    return () => {
      this.#ctx.listeners.delete(listener);
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
    const lastError = this.#lastErrors.get(grantId);
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

  #track(event: TokenEvent): void {
    if (event.type === 'refresh_failed') this.#lastErrors.set(event.grantId, event.code);
    else if (event.type === 'refreshed' || event.type === 'authenticated' || event.type === 'cleared') this.#lastErrors.delete(event.grantId);
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
