import { isAbortError, raceSignal } from './abort.js';
import {
  DEFAULT_REDIRECT_URI,
  DEFAULT_SCOPE,
  buildAuthorizationUrl,
  parseRedirectUrl,
  type AuthorizationRequest,
} from './authorization.js';
import type { Clock } from './clock.js';
import { DEFAULT_HEALTH_TIMEOUT_MS, judgeGrant, type HealthOptions, type HealthReport, type LastRefreshFailure } from './health.js';
import {
  AdsTokenError,
  ConfigurationError,
  type AdsTokenErrorCode,
  HttpTransportError,
  InvalidGrantError,
  NotAuthenticatedError,
  StoreUnavailableError,
  TokenRefreshError,
} from './errors.js';
import type { HttpClient, HttpResponse } from './http-client.js';
import { InProcessLock } from './in-process-lock.js';
import { whileHeldOpen } from './keep-alive.js';
import type { Lock, LockLease } from './lock.js';
import { MemoryTokenStore } from './memory-token-store.js';
import { randomId } from './random.js';
import type { RecordSealer } from './record-sealer.js';
import { REGIONS, isRegion, type Region } from './regions.js';
import { backoffDelay, parseRetryAfter, resolveRetryOptions, type ResolvedRetryOptions } from './retry.js';
import { createRecordSealer } from './sealing/index.js';
import { storeKey } from './store-key.js';
import { SystemClock } from './system-clock.js';
import type { TokenEvent, TokenEventListener } from './token-events.js';
import type { TokenInfo } from './token-info.js';
import type { TokenManagerOptions } from './token-manager-options.js';
import { decodeTokenRecord, encodeTokenRecord, refreshTokenId, type TokenRecord } from './token-record.js';
import { readTokenResponse, type GrantType, type TokenResponse } from './token-response.js';
import type { Options, StoredRecord, TokenStore } from './token-store.js';

/** No token with less than this left is served (scaled down for tokens that live under 4 minutes). */
const FLOOR_MS = 60_000;

/** The store's record as this process last saw it, with the times derived from it. */
interface Snapshot {
  version: string;
  record: TokenRecord;
  /** Until then the access token is served with no I/O. */
  refreshAt: number;
  /** Until then the access token may be served while a refresh runs. */
  serveUntil: number;
  /** The count of change notifications when it was read: behind the manager's count, it is stale. */
  generation: number;
}

type RefreshMode = { kind: 'due'; staleVersion: string | undefined } | { kind: 'force' } | { kind: 'rejected'; token: string };

interface Inflight {
  promise: Promise<Snapshot>;
  force: boolean;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const DENO_INSPECT = Symbol.for('Deno.customInspect');

function requireText(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0) throw new ConfigurationError(`${name} must be a non-empty string`);
  if (/\s/.test(value)) throw new ConfigurationError(`${name} must not contain whitespace`);
  return value;
}

function requireUrl(name: string, value: string): string {
  try {
    new URL(value);
  } catch (cause) {
    throw new ConfigurationError(`${name} is not a valid URL`, { cause });
  }
  return value;
}

function errorCode(error: unknown): AdsTokenErrorCode | 'UNKNOWN' {
  return error instanceof AdsTokenError ? error.code : 'UNKNOWN';
}

/**
 * Keeps one advertiser grant's LWA tokens fresh: serves the access token from memory, refreshes
 * early, and coordinates through its store and lock so a fleet makes one refresh per expiry.
 */
export class TokenManager {
  /** The LWA client id. */
  readonly clientId: string;
  /** The grant this manager holds. */
  readonly grantId: string;
  /** The LWA region: `'NA'`, `'EU'` or `'FE'`. */
  readonly region: Region;
  /** The store key of this grant. */
  readonly key: string;

  readonly #clientSecret: string;
  readonly #http: HttpClient;
  readonly #store: TokenStore;
  readonly #lock: Lock;
  readonly #clock: Clock;
  readonly #sealer: RecordSealer;
  readonly #redirectUri: string;
  readonly #scope: string;
  readonly #authorizationUrl: string;
  readonly #tokenUrl: string;
  readonly #bufferMs: number;
  readonly #retry: ResolvedRetryOptions;
  readonly #background: boolean;
  readonly #cooldownMs: number;
  readonly #lockTtlMs: number;
  readonly #lockWaitMs: number;
  readonly #unlockedFallback: boolean;
  readonly #closeTimeoutMs: number;
  readonly #listeners = new Set<{ listener: TokenEventListener }>();
  #lastFailure: LastRefreshFailure | undefined;

  #snapshot: Snapshot | undefined;
  /** Counts the store's change notifications for this key. */
  #generation = 0;
  readonly #changeWaiters = new Set<() => void>();
  #inflight: Inflight | undefined;
  #cooldownUntil = 0;
  #closed = false;
  #subscription: Promise<(() => Promise<void>) | undefined> | undefined;

  /** Creates a manager; does no I/O. Throws {@link ConfigurationError} for bad options. */
  constructor(options: TokenManagerOptions) {
    if (typeof options !== 'object' || options === null) throw new ConfigurationError('TokenManager options are required');
    this.clientId = requireText('clientId', options.clientId);
    this.#clientSecret = requireText('clientSecret', options.clientSecret);
    if (typeof options.http?.send !== 'function') {
      throw new ConfigurationError('http is required: pass an HttpClient such as new FetchHttpClient() from @ads-token/fetch-adapter');
    }
    this.#http = options.http;
    this.grantId = options.grantId === undefined ? 'default' : requireText('grantId', options.grantId);
    const region = options.region ?? 'NA';
    if (!isRegion(region)) throw new ConfigurationError(`region must be 'NA', 'EU' or 'FE'`);
    this.region = region;
    this.#redirectUri = requireUrl('redirectUri', options.redirectUri ?? DEFAULT_REDIRECT_URI);
    this.#scope = options.scope === undefined ? DEFAULT_SCOPE : requireText('scope', options.scope);
    this.#authorizationUrl = requireUrl('endpoints.authorizationUrl', options.endpoints?.authorizationUrl ?? REGIONS[region].authorizationUrl);
    this.#tokenUrl = requireUrl('endpoints.tokenUrl', options.endpoints?.tokenUrl ?? REGIONS[region].tokenUrl);
    const buffer = options.refreshBuffer ?? 300;
    if (typeof buffer !== 'number' || !Number.isFinite(buffer) || buffer < 0) throw new ConfigurationError('refreshBuffer must be a number of seconds >= 0');
    this.#bufferMs = buffer * 1000;
    this.#retry = resolveRetryOptions(options.retry);
    if (!(this.#retry.maxAttempts >= 1)) throw new ConfigurationError('retry.maxAttempts must be at least 1');
    this.#background = options.backgroundRefresh ?? true;
    this.#cooldownMs = options.backgroundRetryCooldownMs ?? 30_000;
    this.#lockTtlMs = options.lockTtlMs ?? 15_000;
    this.#lockWaitMs = options.lockWaitMs ?? 35_000;
    this.#unlockedFallback = options.refreshWithoutLockWhenUnavailable ?? false;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    for (const listener of [options.onEvent ?? []].flat()) this.addListener(listener);
    this.#store = options.store ?? new MemoryTokenStore();
    this.#lock = options.lock ?? new InProcessLock();
    this.#clock = options.clock ?? new SystemClock();
    this.#sealer = createRecordSealer({ encryptionKey: options.encryptionKey, clientSecret: this.#clientSecret });
    this.key = storeKey(this.clientId, this.grantId);
  }

  // ---------------------------------------------------------------- access tokens

  /** A valid access token: from memory when fresh, else after a refresh. Throws NotAuthenticatedError, TokenRefreshError, ... */
  async getAccessToken(options?: Options): Promise<string> {
    return this.#hotToken() ?? (await whileHeldOpen(() => this.#obtain(options?.signal)));
  }

  /**
   * Headers for an Ads API call: `Authorization`, `Amazon-Advertising-API-ClientId`, and
   * `Amazon-Advertising-API-Scope` when a profile is given. No Content-Type: each endpoint wants its own.
   */
  async getHeaders(options?: Options & { profileId?: string | number }): Promise<Record<string, string>> {
    const token = this.#hotToken() ?? (await whileHeldOpen(() => this.#obtain(options?.signal)));
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      'Amazon-Advertising-API-ClientId': this.clientId,
    };
    if (options?.profileId !== undefined) headers['Amazon-Advertising-API-Scope'] = String(options.profileId);
    return headers;
  }

  /**
   * Refreshes now and returns the new access token. With `rejected` (a token the Ads API answered
   * 401 to) it refreshes only if the stored token is still that one, so many callers that saw the
   * same 401 cause one refresh.
   */
  async refreshAccessToken(options?: Options & { rejected?: string }): Promise<string> {
    return whileHeldOpen(() => this.#refreshNow(options));
  }

  async #refreshNow(options?: Options & { rejected?: string }): Promise<string> {
    this.#checkOpen();
    const signal = options?.signal;
    const rejected = options?.rejected;
    if (rejected !== undefined) {
      const hot = this.#usableToken();
      if (hot !== undefined && hot !== rejected) return hot;
      if (this.#inflight !== undefined) {
        const joined = await raceSignal(this.#inflight.promise, signal);
        const token = joined.record.accessToken;
        if (token !== undefined && token !== rejected && this.#clock.now() < joined.serveUntil) return token;
      }
      return this.#tokenOf(await raceSignal(this.#share({ kind: 'rejected', token: rejected }, false), signal));
    }
    for (;;) {
      const current = this.#inflight;
      if (current === undefined) return this.#tokenOf(await raceSignal(this.#share({ kind: 'force' }, false), signal));
      if (current.force) return this.#tokenOf(await raceSignal(current.promise, signal));
      await raceSignal(current.promise.catch(() => undefined), signal);
    }
  }

  #hotToken(): string | undefined {
    const s = this.#snapshot;
    if (s === undefined || s.generation !== this.#generation || this.#closed) return undefined;
    const now = this.#clock.now();
    if (now < s.refreshAt) return s.record.accessToken;
    if (now < s.serveUntil && this.#background) {
      this.#refreshInBackground(s, now);
      return s.record.accessToken;
    }
    return undefined;
  }

  #usableToken(): string | undefined {
    const s = this.#snapshot;
    return s !== undefined && this.#clock.now() < s.serveUntil ? s.record.accessToken : undefined;
  }

  #tokenOf(snapshot: Snapshot): string {
    const token = snapshot.record.accessToken;
    if (token === undefined) throw new TokenRefreshError('no access token was obtained');
    return token;
  }

  async #obtain(signal: AbortSignal | undefined): Promise<string> {
    this.#checkOpen();
    signal?.throwIfAborted();
    try {
      const inflight = this.#inflight;
      const snapshot = await raceSignal(inflight?.promise ?? this.#share({ kind: 'due', staleVersion: undefined }, false, true), signal);
      if (this.#clock.now() < snapshot.serveUntil && snapshot.record.accessToken !== undefined) return snapshot.record.accessToken;
      // A joined refresh may have been a background one that decided the old token was still good.
      return this.#tokenOf(await raceSignal(this.#share({ kind: 'due', staleVersion: snapshot.version }, false), signal));
    } catch (error) {
      // A failed early refresh, or a store that is down, still leaves a token worth serving.
      const usable = this.#usableToken();
      if (usable === undefined || signal?.aborted || error instanceof InvalidGrantError || error instanceof NotAuthenticatedError) throw error;
      // Serve it from memory until it comes due, rather than asking a failing store on every call.
      this.#snapshot = { ...this.#snapshot!, generation: this.#generation };
      return usable;
    }
  }

  #refreshInBackground(snapshot: Snapshot, now: number): void {
    if (this.#inflight !== undefined || now < this.#cooldownUntil) return;
    this.#share({ kind: 'due', staleVersion: snapshot.version }, true).catch(() => undefined);
  }

  /**
   * Runs one refresh per process at a time; concurrent callers share its promise. The promise has
   * its own deadline (lock wait plus the refresh's retries) and never rejects unhandled.
   */
  #share(mode: RefreshMode, background: boolean, loadFirst = false): Promise<Snapshot> {
    if (this.#inflight !== undefined && mode.kind !== 'force') return this.#inflight.promise;
    const started = this.#clock.now();
    // The shared promise has its own deadline; a token request already sent is not aborted by it.
    const limitMs = this.#lockWaitMs + this.#retry.timeoutMs + 5000;
    const deadline = new AbortController();
    const timer = new AbortController();
    this.#clock.sleep(limitMs, timer.signal).then(
      () => deadline.abort(new TokenRefreshError(`the refresh did not finish within ${limitMs} ms`)),
      () => undefined,
    );
    const run = async (): Promise<Snapshot> => {
      if (loadFirst) {
        const loaded = await this.#load(deadline.signal);
        const now = this.#clock.now();
        if (now < loaded.refreshAt) return loaded;
        // Inside the buffer: serve it; the next hot call starts the background refresh.
        if (now < loaded.serveUntil && this.#background) return loaded;
        return this.#refreshLocked({ kind: 'due', staleVersion: loaded.version }, started, deadline.signal);
      }
      return this.#refreshLocked(mode, started, deadline.signal);
    };
    const promise = raceSignal(run(), deadline.signal).finally(() => timer.abort()).then(
      (snapshot) => snapshot,
      (error: unknown) => {
        if (background) this.#cooldownUntil = this.#clock.now() + this.#cooldownMs;
        this.#emit({
          type: 'refresh_failed',
          code: errorCode(error),
          message: error instanceof Error ? error.message : String(error),
          durationMs: this.#clock.now() - started,
          requestId: error instanceof TokenRefreshError ? error.requestId : undefined,
          background,
        });
        throw error;
      },
    );
    const inflight: Inflight = { promise, force: mode.kind === 'force' };
    this.#inflight = inflight;
    const clear = (): void => {
      if (this.#inflight === inflight) this.#inflight = undefined;
    };
    promise.then(clear, clear);
    return promise;
  }

  // ---------------------------------------------------------------- store access

  #snap(version: string, record: TokenRecord, generation: number): Snapshot {
    let refreshAt = -Infinity;
    let serveUntil = -Infinity;
    if (record.accessToken !== undefined && record.expiresAt !== undefined && record.revoked === undefined) {
      const lifetime = Math.max(0, record.expiresAt - (record.obtainedAt ?? record.expiresAt - 3_600_000));
      const floor = Math.min(FLOOR_MS, lifetime / 4);
      const buffer = Math.max(floor, Math.min(this.#bufferMs, lifetime / 2));
      refreshAt = record.expiresAt - buffer;
      serveUntil = record.expiresAt - floor;
    }
    return { version, record, refreshAt, serveUntil, generation };
  }

  /** Reads the store and remembers what it found (stale at once if a change was notified meanwhile). */
  async #read(signal?: AbortSignal): Promise<Snapshot | undefined> {
    this.#subscribeOnce();
    const generation = this.#generation;
    let stored: StoredRecord | undefined;
    try {
      stored = await this.#store.get(this.key, { signal });
    } catch (error) {
      throw this.#storeError(error, 'read');
    }
    if (stored === undefined) return (this.#snapshot = undefined);
    const record = decodeTokenRecord(await this.#sealer.open(this.key, stored.data), this.key);
    return (this.#snapshot = this.#snap(stored.version, record, generation));
  }

  /** Reads the store into memory; absent or revoked grants throw. */
  async #load(signal?: AbortSignal): Promise<Snapshot> {
    const snapshot = await this.#read(signal);
    if (snapshot === undefined) throw new NotAuthenticatedError('no tokens are stored for this grant; authenticate first');
    await this.#assertNotRevoked(snapshot.record);
    return snapshot;
  }

  async #write(expectedVersion: string | undefined, record: TokenRecord): Promise<Snapshot | undefined> {
    const version = randomId();
    const data = await this.#sealer.seal(this.key, encodeTokenRecord(record));
    let written: boolean;
    try {
      written = await this.#store.compareAndSet(this.key, expectedVersion, { version, data });
    } catch (error) {
      throw this.#storeError(error, 'write');
    }
    if (!written) return undefined;
    const snapshot = this.#snap(version, record, this.#generation);
    this.#snapshot = snapshot;
    return snapshot;
  }

  #storeError(error: unknown, what: string): unknown {
    if (error instanceof AdsTokenError || isAbortError(error)) return error;
    return new StoreUnavailableError(`The token store failed to ${what} ${this.key}`, { cause: error });
  }

  async #assertNotRevoked(record: TokenRecord): Promise<void> {
    if (record.revoked === undefined) return;
    if (record.refreshToken !== undefined && (await refreshTokenId(record.refreshToken)) !== record.revoked.refreshTokenId) return;
    throw new InvalidGrantError('the refresh token was refused (invalid_grant); the advertiser must consent again', {
      lwaErrorDescription: record.revoked.description,
      requestId: record.revoked.requestId,
      grantType: 'refresh_token',
    });
  }

  #subscribeOnce(): void {
    if (this.#subscription !== undefined || this.#store.subscribe === undefined || this.#closed) return;
    this.#subscription = this.#store
      .subscribe(this.key, () => {
        this.#generation++;
        for (const wake of [...this.#changeWaiters]) wake();
      })
      .catch(() => undefined);
  }

  // ---------------------------------------------------------------- the refresh

  async #refreshLocked(mode: RefreshMode, started: number, signal: AbortSignal): Promise<Snapshot> {
    const acquired = await this.#acquireOrObserve(mode, signal);
    if ('snapshot' in acquired) return this.#usedStored(acquired.snapshot, started);
    const lease = acquired.lease;
    try {
      const current = await this.#read(signal);
      if (current === undefined) throw new NotAuthenticatedError('no tokens are stored for this grant; authenticate first');
      await this.#assertNotRevoked(current.record);
      const refreshToken = current.record.refreshToken;
      if (refreshToken === undefined) throw new NotAuthenticatedError('no refresh token is stored for this grant');
      const now = this.#clock.now();
      const usable = current.record.accessToken !== undefined && now < current.serveUntil;
      if (mode.kind === 'due' && current.version !== mode.staleVersion && usable) return this.#usedStored(current, started);
      if (mode.kind === 'rejected' && current.record.accessToken !== mode.token && usable) return this.#usedStored(current, started);
      return await this.#refreshWithLwa(current, refreshToken, lease, started);
    } finally {
      await lease?.release().catch(() => undefined);
    }
  }

  #usedStored(snapshot: Snapshot, started: number): Snapshot {
    this.#emit({
      type: 'refreshed',
      source: 'store',
      rotated: false,
      durationMs: this.#clock.now() - started,
      expiresInSeconds: Math.max(0, Math.floor(((snapshot.record.expiresAt ?? 0) - this.#clock.now()) / 1000)),
    });
    return snapshot;
  }

  /**
   * Waits for the lock; meanwhile, when the store notifies changes, a fresh record another holder
   * committed ends the wait without the lock.
   */
  async #acquireOrObserve(mode: RefreshMode, signal: AbortSignal): Promise<{ lease: LockLease | undefined } | { snapshot: Snapshot }> {
    if (mode.kind === 'force' || this.#store.subscribe === undefined) return { lease: await this.#acquire(signal) };
    const stop = new AbortController();
    const acquiring = this.#acquire(AbortSignal.any([signal, stop.signal]));
    const observing = this.#observeFresh(mode, stop.signal);
    observing.catch(() => undefined);
    try {
      const winner = await Promise.race([acquiring.then((lease) => ({ lease })), observing.then((snapshot) => ({ snapshot }))]);
      if ('snapshot' in winner) acquiring.then((lease) => lease?.release(), () => undefined).catch(() => undefined);
      return winner;
    } finally {
      stop.abort();
    }
  }

  /** Resolves with the first record, read after a change notification, that makes the refresh unnecessary. */
  async #observeFresh(mode: RefreshMode, stop: AbortSignal): Promise<Snapshot> {
    for (;;) {
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          this.#changeWaiters.delete(wake);
          stop.removeEventListener('abort', onStop);
          resolve();
        };
        const onStop = (): void => {
          this.#changeWaiters.delete(wake);
          reject(stop.reason);
        };
        if (stop.aborted) return reject(stop.reason);
        this.#changeWaiters.add(wake);
        stop.addEventListener('abort', onStop, { once: true });
      });
      let snapshot: Snapshot | undefined;
      try {
        snapshot = await this.#read(stop);
      } catch {
        continue;
      }
      if (snapshot === undefined || snapshot.record.accessToken === undefined || this.#clock.now() >= snapshot.serveUntil) continue;
      if (mode.kind === 'due' && snapshot.version !== mode.staleVersion) return snapshot;
      if (mode.kind === 'rejected' && snapshot.record.accessToken !== mode.token) return snapshot;
    }
  }

  async #acquire(signal: AbortSignal): Promise<LockLease | undefined> {
    const started = this.#clock.now();
    try {
      const lease = await this.#lock.acquire(`refresh:${this.key}`, { ttlMs: this.#lockTtlMs, waitMs: this.#lockWaitMs, signal });
      const waitedMs = this.#clock.now() - started;
      if (waitedMs > 0) this.#emit({ type: 'lock_waited', waitedMs });
      return lease;
    } catch (error) {
      if (error instanceof StoreUnavailableError && this.#unlockedFallback) {
        this.#emit({ type: 'lock_unavailable', message: error.message });
        return undefined;
      }
      throw error;
    }
  }

  async #refreshWithLwa(current: Snapshot, refreshToken: string, lease: LockLease | undefined, started: number): Promise<Snapshot> {
    const sentAt = { value: 0 };
    let response: TokenResponse;
    try {
      response = await this.#requestToken({ grant_type: 'refresh_token', refresh_token: refreshToken }, 'refresh_token', lease?.signal, sentAt);
    } catch (error) {
      if (error instanceof InvalidGrantError) return this.#markRevoked(current, refreshToken, error);
      throw error;
    }
    const record: TokenRecord = {
      ...current.record,
      accessToken: response.accessToken,
      expiresAt: sentAt.value + response.expiresIn * 1000,
      obtainedAt: sentAt.value,
      refreshToken: response.refreshToken ?? refreshToken,
    };
    delete record.revoked;
    const rotated = response.refreshToken !== undefined && response.refreshToken !== refreshToken;
    let committed = await this.#write(current.version, record);
    if (committed === undefined) {
      // Another holder wrote meanwhile (our lease was lost). Use its record, unless it marked the
      // very refresh token we exchanged successfully as revoked: then our result replaces the mark.
      const theirs = await this.#read();
      if (theirs === undefined) throw new NotAuthenticatedError('the tokens were cleared while the refresh ran');
      const mark = theirs.record.revoked;
      if (mark !== undefined && mark.refreshTokenId === (await refreshTokenId(refreshToken))) {
        committed = await this.#write(theirs.version, record);
      }
      if (committed === undefined) {
        await this.#assertNotRevoked(theirs.record);
        if (theirs.record.accessToken === undefined || this.#clock.now() >= theirs.serveUntil) {
          throw new TokenRefreshError('another holder changed the tokens during the refresh and left no usable access token');
        }
        return this.#usedStored(theirs, started);
      }
    }
    this.#emit({
      type: 'refreshed',
      source: 'lwa',
      rotated,
      durationMs: this.#clock.now() - started,
      requestId: response.requestId,
      expiresInSeconds: response.expiresIn,
    });
    return committed;
  }

  /** Records that LWA refused `refreshToken`, unless a newer holder stored another one meanwhile. */
  async #markRevoked(seen: Snapshot, refreshToken: string, error: InvalidGrantError): Promise<Snapshot> {
    let current: Snapshot | undefined = seen;
    for (let attempt = 0; attempt < 3 && current !== undefined; attempt++) {
      if (current.record.refreshToken !== refreshToken) {
        // Rotated by another holder: its token is the one that counts now.
        if (current.record.accessToken !== undefined && this.#clock.now() < current.serveUntil) return current;
        break;
      }
      const marked: TokenRecord = {
        ...current.record,
        revoked: {
          refreshTokenId: await refreshTokenId(refreshToken),
          at: this.#clock.now(),
          ...(error.lwaErrorDescription === undefined ? {} : { description: error.lwaErrorDescription }),
          ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
        },
      };
      delete marked.accessToken;
      delete marked.expiresAt;
      delete marked.obtainedAt;
      if ((await this.#write(current.version, marked)) !== undefined) {
        this.#emit({ type: 'revoked', description: error.lwaErrorDescription, requestId: error.requestId });
        break;
      }
      current = await this.#read();
    }
    throw error;
  }

  /** POSTs to the token endpoint, retrying transient failures with capped, jittered backoff honouring Retry-After. */
  async #requestToken(
    params: Record<string, string>,
    grantType: GrantType,
    leaseSignal: AbortSignal | undefined,
    sentAt: { value: number },
    signal?: AbortSignal,
  ): Promise<TokenResponse> {
    const body = new URLSearchParams({ ...params, client_id: this.clientId, client_secret: this.#clientSecret }).toString();
    const first = this.#clock.now();
    const deadline = first + this.#retry.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      if (leaseSignal?.aborted) throw new TokenRefreshError('the refresh lock was lost before the token request was sent', { grantType });
      signal?.throwIfAborted();
      sentAt.value = this.#clock.now();
      let failure: { error: AdsTokenError; retryAfter?: string | undefined; status?: number; requestId?: string };
      try {
        // The request is never aborted once sent: its answer may hold a rotated refresh token.
        const response: HttpResponse = await this.#http.send({
          method: 'POST',
          url: this.#tokenUrl,
          headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json' },
          body,
        });
        const result = readTokenResponse(response, grantType);
        if (result.ok) return result.value;
        if (!result.retryable) throw result.error;
        failure = { error: result.error, retryAfter: result.retryAfter, status: response.status, requestId: result.error.requestId };
      } catch (error) {
        if (!(error instanceof HttpTransportError)) throw error;
        failure = { error };
      }
      const now = this.#clock.now();
      const retryAfter = parseRetryAfter(failure.retryAfter, now);
      const delayMs = Math.max(retryAfter ?? 0, backoffDelay(attempt, this.#retry));
      if (attempt >= this.#retry.maxAttempts || now + delayMs >= deadline) {
        if (failure.error instanceof TokenRefreshError) throw failure.error;
        throw new TokenRefreshError(`LWA could not be reached after ${attempt} attempt${attempt === 1 ? '' : 's'}`, { grantType, cause: failure.error });
      }
      this.#emit({ type: 'retry', attempt, delayMs, status: failure.status, requestId: failure.requestId });
      await this.#clock.sleep(delayMs, signal);
    }
  }

  // ---------------------------------------------------------------- authentication

  /** The LWA consent URL (random `state`, optional PKCE S256): keep `state` and `codeVerifier` for the redirect. */
  async createAuthorizationUrl(options?: { state?: string; pkce?: boolean }): Promise<AuthorizationRequest> {
    return buildAuthorizationUrl({
      authorizationUrl: this.#authorizationUrl,
      clientId: this.clientId,
      redirectUri: this.#redirectUri,
      scope: this.#scope,
      ...(options?.state === undefined ? {} : { state: options.state }),
      ...(options?.pkce === undefined ? {} : { pkce: options.pkce }),
    });
  }

  /** Checks the redirect's `state`, then exchanges its code. Throws StateMismatchError, AuthorizationDeniedError, ... */
  async authenticateWithRedirect(redirectUrl: string, options: Options & { state: string; codeVerifier?: string }): Promise<TokenInfo> {
    const { code } = parseRedirectUrl(redirectUrl, options?.state);
    return this.authenticateWithCode(code, options);
  }

  /**
   * Exchanges an authorization code for tokens and stores them (replacing this grant's record).
   * A refused code (`invalid_grant`) never touches an existing grant.
   */
  async authenticateWithCode(code: string, options?: Options & { codeVerifier?: string }): Promise<TokenInfo> {
    return whileHeldOpen(() => this.#exchangeCode(code, options));
  }

  async #exchangeCode(code: string, options?: Options & { codeVerifier?: string }): Promise<TokenInfo> {
    this.#checkOpen();
    requireText('authorization code', code);
    const params: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: this.#redirectUri };
    if (options?.codeVerifier !== undefined) params.code_verifier = requireText('codeVerifier', options.codeVerifier);
    const sentAt = { value: 0 };
    const response = await this.#requestToken(params, 'authorization_code', undefined, sentAt, options?.signal);
    if (response.refreshToken === undefined) {
      throw new TokenRefreshError('LWA returned no refresh_token for the authorization code', { grantType: 'authorization_code', requestId: response.requestId });
    }
    const record: TokenRecord = {
      v: 1,
      accessToken: response.accessToken,
      expiresAt: sentAt.value + response.expiresIn * 1000,
      obtainedAt: sentAt.value,
      refreshToken: response.refreshToken,
      consentedAt: sentAt.value,
    };
    await this.#replace(record);
    this.#emit({ type: 'authenticated', method: 'code', requestId: response.requestId });
    return this.#info(this.#snapshot);
  }

  /**
   * Stores an existing refresh token (no LWA call; the next getAccessToken refreshes). With
   * `ifAbsent`, writes only when the grant has no record, so a booting worker never overwrites a
   * newer or rotated token. Resolves to whether it wrote.
   */
  async setRefreshToken(refreshToken: string, options?: Options & { ifAbsent?: boolean }): Promise<boolean> {
    this.#checkOpen();
    requireText('refresh token', refreshToken);
    const record: TokenRecord = { v: 1, refreshToken };
    if (options?.ifAbsent) {
      const written = await this.#write(undefined, record);
      if (written !== undefined) this.#emit({ type: 'authenticated', method: 'refresh_token' });
      return written !== undefined;
    }
    await this.#replace(record, options?.signal);
    this.#emit({ type: 'authenticated', method: 'refresh_token' });
    return true;
  }

  async #replace(record: TokenRecord, signal?: AbortSignal): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      signal?.throwIfAborted();
      let current: StoredRecord | undefined;
      try {
        current = await this.#store.get(this.key, { signal });
      } catch (error) {
        throw this.#storeError(error, 'read');
      }
      if ((await this.#write(current?.version, record)) !== undefined) return;
    }
    throw new StoreUnavailableError(`The token store kept changing ${this.key}; the new tokens were not stored`);
  }

  // ---------------------------------------------------------------- info and lifecycle

  /** Status of the stored tokens (read from the store; never a token). */
  async getTokenInfo(options?: Options): Promise<TokenInfo> {
    this.#checkOpen();
    return this.#info(await this.#read(options?.signal));
  }

  #info(snapshot: Snapshot | undefined): TokenInfo {
    const r = snapshot?.record;
    const now = this.#clock.now();
    const expiresAt = r?.accessToken !== undefined && r.revoked === undefined ? r.expiresAt : undefined;
    const expiresInSeconds = expiresAt === undefined ? 0 : Math.max(0, Math.floor((expiresAt - now) / 1000));
    let status: TokenInfo['status'];
    if (r === undefined) status = 'not_authenticated';
    else if (r.revoked !== undefined) status = 'revoked';
    else if (expiresAt === undefined) status = 'no_access_token';
    else if (now >= snapshot!.serveUntil) status = 'expired';
    else if (now >= snapshot!.refreshAt) status = 'expiring';
    else status = 'valid';
    return {
      status,
      expiresInSeconds,
      isExpired: status !== 'valid' && status !== 'expiring',
      expiresAt: expiresAt === undefined ? undefined : new Date(expiresAt),
      hasRefreshToken: r?.refreshToken !== undefined && r.revoked === undefined,
      consentedAt: r?.consentedAt === undefined ? undefined : new Date(r.consentedAt),
      grantId: this.grantId,
    };
  }

  /** Deletes this grant's tokens from the store (and memory); other processes see it through the store. */
  async clearTokens(options?: Options): Promise<void> {
    this.#checkOpen();
    this.#snapshot = undefined;
    try {
      await this.#store.delete(this.key, undefined, options);
    } catch (error) {
      throw this.#storeError(error, 'delete');
    }
    this.#snapshot = undefined;
    this.#emit({ type: 'cleared' });
  }

  /**
   * Ends subscriptions and background work, waiting up to `closeTimeoutMs` for a refresh in flight.
   * Does not close the store or lock (they may be shared). Later calls throw ConfigurationError.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const inflight = this.#inflight?.promise;
    if (inflight !== undefined) {
      const timeout = new AbortController();
      const settled = inflight.then(
        () => timeout.abort(),
        () => timeout.abort(),
      );
      await Promise.race([settled, this.#clock.sleep(this.#closeTimeoutMs, timeout.signal).catch(() => undefined)]);
      timeout.abort();
    }
    const unsubscribe = await this.#subscription;
    this.#subscription = undefined;
    await unsubscribe?.().catch(() => undefined);
    this.#snapshot = undefined;
  }

  #checkOpen(): void {
    if (this.#closed) throw new ConfigurationError('This TokenManager is closed');
  }

  /**
   * Adds an event listener, called after `onEvent`'s and those added before; returns a function
   * that removes it. Listeners run synchronously; one that throws never breaks a refresh.
   */
  addListener(listener: TokenEventListener): () => void {
    if (typeof listener !== 'function') throw new ConfigurationError('an event listener must be a function');
    const entry = { listener };
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  #emit(event: DistributiveOmit<TokenEvent, 'grantId' | 'at'>): void {
    const full = Object.freeze({ ...event, grantId: this.grantId, at: this.#clock.now() }) as TokenEvent;
    if (full.type === 'refresh_failed') this.#lastFailure = { code: full.code, message: full.message, at: full.at };
    else if (full.type === 'refreshed' || full.type === 'authenticated' || full.type === 'cleared') this.#lastFailure = undefined;
    for (const { listener } of [...this.#listeners]) {
      try {
        const result: unknown = listener(full);
        if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') Promise.resolve(result).catch(() => undefined);
      } catch {
        // A listener's failure must not break a refresh.
      }
    }
  }

  /**
   * A readiness probe for this grant: one store read at most, no LWA call, bounded by
   * `timeoutMs`. A store that fails or hangs makes the grant `unavailable`, unless this process
   * holds a usable access token in memory (then it stays healthy, with a reason). Rejects only
   * when `signal` aborts.
   */
  async health(options?: HealthOptions): Promise<HealthReport> {
    if (this.#closed) return { ok: false, grants: [{ grantId: this.grantId, status: 'unavailable', reason: 'this TokenManager is closed' }] };
    const timeoutMs = options?.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
    const failure = this.#lastFailure;
    const timer = new AbortController();
    const expired = new AbortController();
    this.#clock.sleep(timeoutMs, timer.signal).then(
      () => expired.abort(new StoreUnavailableError(`the token store did not answer within ${timeoutMs} ms`)),
      () => undefined,
    );
    const signal = options?.signal === undefined ? expired.signal : AbortSignal.any([options.signal, expired.signal]);
    let info: TokenInfo | undefined;
    let storeError: string | undefined;
    try {
      info = this.#info(await raceSignal(this.#read(signal), signal));
    } catch (error) {
      options?.signal?.throwIfAborted();
      storeError = error instanceof Error ? error.message : String(error);
      if (this.#usableToken() !== undefined) info = this.#info(this.#snapshot);
    } finally {
      timer.abort();
    }
    const { grant, ok } = judgeGrant(this.grantId, info, failure, storeError);
    return { ok, grants: [grant] };
  }

  /** A redacted view: no secret. */
  toJSON(): Record<string, string> {
    return { clientId: this.clientId, grantId: this.grantId, region: this.region, key: this.key };
  }

  /** Redacted in Node's util.inspect. */
  [INSPECT](): string {
    return `TokenManager ${JSON.stringify(this.toJSON())}`;
  }

  /** Redacted in Deno.inspect. */
  [DENO_INSPECT](): string {
    return this[INSPECT]();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
