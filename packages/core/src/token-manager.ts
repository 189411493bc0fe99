import { isAbortError, raceSignal } from './abort.js';
import { buildAuthorizationUrl, parseRedirectUrl, type AuthorizationRequest } from './authorization.js';
import { DEFAULT_HEALTH_TIMEOUT_MS, judgeGrant, type HealthOptions, type HealthReport, type LastRefreshFailure } from './health.js';
import {
  AdsTokenError,
  ConfigurationError,
  type AdsTokenErrorCode,
  InvalidGrantError,
  NotAuthenticatedError,
  StoreUnavailableError,
  TokenRefreshError,
} from './errors.js';
import { whileHeldOpen } from './keep-alive.js';
import type { LockLease } from './lock.js';
import type { RequestTiming } from './lwa/lwa-token-client.js';
import type { GrantType, TokenResponse } from './lwa/token-response.js';
import { requireText } from './option-checks.js';
import { profileIdHeader } from './profile-id.js';
import { randomId } from './random.js';
import { GRANT_CONTEXT, resolveGrantContext, type GrantContext } from './refresh/grant-context.js';
import type { SchedulerTicket } from './refresh/refresh-scheduler.js';
import { sameTokens, type PendingCommit, type SettleResult } from './refresh/pending-commit.js';
import { servingTimes, tokenInfo, type Snapshot } from './refresh/snapshot.js';
import type { Region } from './regions.js';
import { backoffDelay } from './retry.js';
import { storeKey } from './store-key.js';
import type { TokenEvent, TokenEventListener } from './token-events.js';
import type { TokenInfo } from './token-info.js';
import type { TokenManagerOptions } from './token-manager-options.js';
import { decodeTokenRecord, encodeTokenRecord, refreshTokenId, type TokenRecord } from './token-record.js';
import type { Options, StoredRecord } from './token-store.js';

/** What a manager keeps only once it needs it. */
interface ManagerExtra {
  /** Listeners of this grant's events only (a pool's listeners live in the shared context). */
  listeners?: Set<{ listener: TokenEventListener }>;
  /** The last refresh failure not followed by a success, for health(). */
  lastFailure?: LastRefreshFailure | undefined;
  /** Wakes waiters at the store's change notifications. */
  changeWaiters?: Set<() => void>;
  /** Aborts background commits and code exchanges when the manager closes. */
  closing?: AbortController;
  /** No background refresh starts before then, after a failed one. */
  cooldownUntil: number;
}

type RefreshMode = { kind: 'due'; staleVersion: string | undefined } | { kind: 'force' } | { kind: 'rejected'; token: string };

interface Inflight {
  promise: Promise<Snapshot>;
  force: boolean;
  /** Moves a background refresh still waiting for a scheduler slot ahead: a caller now waits for it. */
  ticket: SchedulerTicket;
  /** Settles when the refresh's own work (lease release included) is over. */
  done: Promise<unknown>;
  /** Aborts everything the refresh waits on (close()). */
  cancel: (reason: unknown) => void;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const DENO_INSPECT = Symbol.for('Deno.customInspect');

/** A fraction in [0, 0.5) fixed per key: where inside its buffer a pooled grant's refresh starts. */
function spread(key: string): number {
  let hash = 2166136261;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  return ((hash >>> 0) / 2 ** 32) * 0.5;
}

function errorCode(error: unknown): AdsTokenErrorCode | 'UNKNOWN' {
  return error instanceof AdsTokenError ? error.code : 'UNKNOWN';
}

/**
 * Keeps one advertiser grant's LWA tokens fresh: serves the access token from memory, refreshes
 * early, and coordinates through its store and lock so a fleet makes one refresh per expiry.
 */
export class TokenManager {
  /** The grant this manager holds. */
  readonly grantId: string;
  /** The store key of this grant. */
  readonly key: string;

  /** What this manager shares with the other grants of its pool (its own when standalone). */
  readonly #ctx: GrantContext;
  /** State few grants ever need (own listeners, a failure, waiters, a cooldown, close()): created on first use, so an idle grant stays small. */
  #extra: ManagerExtra | undefined;
  #snapshot: Snapshot | undefined;
  /** Counts the store's change notifications for this key. */
  #generation = 0;
  #inflight: Inflight | undefined;
  #closed = false;
  /** The store subscription: its unsubscribe function once made, the attempt while it runs. */
  #subscription: (() => Promise<void>) | Promise<void> | undefined;
  #pending: PendingCommit | undefined;
  #flushing: Promise<void> | undefined;
  /** The refresh lease a pending commit holds until its refresh deadline. */
  #pendingLease: { lease: LockLease; deadline: number } | undefined;

  /** Creates a manager; does no I/O. Throws {@link ConfigurationError} for bad options. */
  constructor(options: TokenManagerOptions) {
    if (typeof options !== 'object' || options === null) throw new ConfigurationError('TokenManager options are required');
    this.#ctx = (options as { [GRANT_CONTEXT]?: GrantContext })[GRANT_CONTEXT] ?? resolveGrantContext(options);
    this.grantId = options.grantId === undefined ? 'default' : requireText('grantId', options.grantId);
    this.key = storeKey(this.#ctx.clientId, this.grantId);
  }

  /** The LWA client id. */
  get clientId(): string {
    return this.#ctx.clientId;
  }

  /** The LWA region: `'NA'`, `'EU'` or `'FE'`. */
  get region(): Region {
    return this.#ctx.region;
  }

  get #more(): ManagerExtra {
    return (this.#extra ??= { cooldownUntil: 0 });
  }

  get #closing(): AbortController {
    return (this.#more.closing ??= new AbortController());
  }

  get #waiters(): Set<() => void> {
    return (this.#more.changeWaiters ??= new Set());
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
  async getHeaders(options?: Options & { profileId?: string | number | bigint }): Promise<Record<string, string>> {
    const token = this.#hotToken() ?? (await whileHeldOpen(() => this.#obtain(options?.signal)));
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      'Amazon-Advertising-API-ClientId': this.clientId,
    };
    if (options?.profileId !== undefined) headers['Amazon-Advertising-API-Scope'] = profileIdHeader(options.profileId);
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
        this.#inflight.ticket.promote?.();
        const joined = await raceSignal(this.#inflight.promise, signal);
        const token = joined.record.accessToken;
        if (token !== undefined && token !== rejected && this.#ctx.clock.now() < joined.serveUntil) return token;
      }
      return this.#tokenOf(await raceSignal(this.#share({ kind: 'rejected', token: rejected }, false), signal));
    }
    for (;;) {
      const current = this.#inflight;
      if (current === undefined) return this.#tokenOf(await raceSignal(this.#share({ kind: 'force' }, false), signal));
      current.ticket.promote?.();
      if (current.force) return this.#tokenOf(await raceSignal(current.promise, signal));
      await raceSignal(current.promise.catch(() => undefined), signal);
    }
  }

  #hotToken(): string | undefined {
    const s = this.#snapshot;
    if (s === undefined || s.generation !== this.#generation || this.#closed) return undefined;
    const now = this.#ctx.clock.now();
    if (now < s.refreshAt) return s.record.accessToken;
    if (now < s.serveUntil && this.#ctx.background) {
      this.#refreshInBackground(s, now);
      return s.record.accessToken;
    }
    return undefined;
  }

  #usableToken(): string | undefined {
    const s = this.#snapshot;
    return s !== undefined && this.#ctx.clock.now() < s.serveUntil ? s.record.accessToken : undefined;
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
      inflight?.ticket.promote?.();
      const snapshot = await raceSignal(inflight?.promise ?? this.#share({ kind: 'due', staleVersion: undefined }, false, true), signal);
      if ((snapshot.fresh === true || this.#ctx.clock.now() < snapshot.serveUntil) && snapshot.record.accessToken !== undefined) {
        return snapshot.record.accessToken;
      }
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
    if (this.#inflight !== undefined || now < (this.#extra?.cooldownUntil ?? 0)) return;
    this.#share({ kind: 'due', staleVersion: snapshot.version }, true).catch(() => undefined);
  }

  /**
   * Runs one refresh per process at a time; concurrent callers share its promise. The promise has
   * its own deadline (lock wait plus the refresh's retries) and never rejects unhandled.
   */
  #share(mode: RefreshMode, background: boolean, loadFirst = false): Promise<Snapshot> {
    if (this.#inflight !== undefined && mode.kind !== 'force') return this.#inflight.promise;
    const started = this.#ctx.clock.now();
    // The shared promise has its own deadline (lock wait plus the refresh); at it, or at close(),
    // everything the refresh waits on is aborted and its lease released.
    const limitMs = this.#ctx.lockWaitMs + this.#ctx.retry.timeoutMs + 5000;
    const deadline = new AbortController();
    const timer = new AbortController();
    this.#ctx.clock.sleep(limitMs, timer.signal).then(
      () => deadline.abort(new TokenRefreshError(`the refresh did not finish within ${limitMs} ms`)),
      () => undefined,
    );
    const signal = deadline.signal;
    // The scheduler bounds how many grants of a pool refresh at once; waiting callers go first.
    const ticket: SchedulerTicket = {};
    const refresh = (m: RefreshMode): Promise<Snapshot> =>
      this.#ctx.scheduler.run(background ? 'background' : 'foreground', () => this.#refreshLocked(m, started, signal), signal, ticket);
    const run = async (): Promise<Snapshot> => {
      if (loadFirst) {
        const loaded = await this.#load(signal);
        const now = this.#ctx.clock.now();
        if (now < loaded.refreshAt) return loaded;
        // Inside the buffer: serve it; the next hot call starts the background refresh.
        if (now < loaded.serveUntil && this.#ctx.background) return loaded;
        return refresh({ kind: 'due', staleVersion: loaded.version });
      }
      return refresh(mode);
    };
    const work = run();
    const done = work.then(
      () => timer.abort(),
      () => timer.abort(),
    );
    const promise = raceSignal(work, signal).then(
      (snapshot) => snapshot,
      (error: unknown) => {
        if (background) this.#more.cooldownUntil = this.#ctx.clock.now() + this.#ctx.cooldownMs;
        const code = errorCode(error);
        if (code === 'DECRYPTION_FAILED' || code === 'CORRUPT_RECORD') {
          // Not a refresh failure: the stored record does not open or parse, and no refresh was tried.
          this.#emit({ type: 'record_unreadable', code, message: (error as Error).message });
          throw error;
        }
        this.#emit({
          type: 'refresh_failed',
          code: errorCode(error),
          message: error instanceof Error ? error.message : String(error),
          durationMs: this.#ctx.clock.now() - started,
          requestId: error instanceof TokenRefreshError ? error.requestId : undefined,
          background,
        });
        throw error;
      },
    );
    const inflight: Inflight = { promise, force: mode.kind === 'force', done, ticket, cancel: (reason) => deadline.abort(reason) };
    this.#inflight = inflight;
    const clear = (): void => {
      if (this.#inflight === inflight) this.#inflight = undefined;
    };
    promise.then(clear, clear);
    return promise;
  }

  // ---------------------------------------------------------------- store access

  #snap(version: string, record: TokenRecord, generation: number, base: string | undefined = version): Snapshot {
    // Pools spread their grants' refresh times inside the buffer (a fraction fixed per key).
    return { version, record, generation, base, ...servingTimes(record, this.#ctx.bufferMs, this.#ctx.jitter ? spread(this.key) : 0) };
  }

  /**
   * The grant as this process should see it: the store's record, or while a commit is pending, the
   * tokens LWA answered (the write is tried again first; a store that is down leaves them in memory).
   */
  async #read(signal?: AbortSignal): Promise<Snapshot | undefined> {
    if (this.#pending === undefined) return this.#readStored(signal);
    try {
      return (await this.#settlePending(signal)).snapshot;
    } catch (error) {
      if (isAbortError(error) || this.#pending === undefined) throw error;
      return (this.#snapshot = this.#pendingSnapshot(this.#pending));
    }
  }

  /** Reads the store and remembers what it found (stale at once if a change was notified meanwhile). */
  async #readStored(signal?: AbortSignal): Promise<Snapshot | undefined> {
    this.#subscribeOnce();
    const generation = this.#generation;
    let stored: StoredRecord | undefined;
    try {
      stored = await this.#ctx.store.get(this.key, { signal });
    } catch (error) {
      throw this.#storeError(error, 'read');
    }
    if (stored === undefined) return (this.#snapshot = undefined);
    const record = decodeTokenRecord(await this.#ctx.sealer.open(this.key, stored.data), this.key);
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
    this.#subscribeOnce();
    const version = randomId();
    const data = await this.#ctx.sealer.seal(this.key, encodeTokenRecord(record));
    let written: boolean;
    try {
      written = await this.#ctx.store.compareAndSet(this.key, expectedVersion, { version, data });
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

  /** True when the record's refresh token is the one LWA refused. */
  async #isRevoked(record: TokenRecord): Promise<boolean> {
    if (record.revoked === undefined) return false;
    return record.refreshToken === undefined || (await refreshTokenId(record.refreshToken)) === record.revoked.refreshTokenId;
  }

  async #assertNotRevoked(record: TokenRecord): Promise<void> {
    if (!(await this.#isRevoked(record))) return;
    const revoked = record.revoked!;
    throw new InvalidGrantError('the refresh token was refused (invalid_grant); the advertiser must consent again', {
      lwaErrorDescription: revoked.description,
      requestId: revoked.requestId,
      grantType: 'refresh_token',
    });
  }

  /** Subscribes at the first store access of any kind; a failed subscription is tried again at the next one. */
  #subscribeOnce(): void {
    if (this.#subscription !== undefined || this.#ctx.store.subscribe === undefined || this.#closed) return;
    const onChange = (): void => {
      this.#generation++;
      for (const wake of [...(this.#extra?.changeWaiters ?? [])]) wake();
    };
    const attempt: Promise<void> = this.#ctx.store.subscribe(this.key, onChange).then(
      async (unsubscribe) => {
        // Keep only the function (an idle grant holds no promise); closed meanwhile: undo it.
        if (this.#subscription === attempt) this.#subscription = unsubscribe;
        else await unsubscribe().catch(() => undefined);
      },
      () => {
        // Try again at the next store access.
        if (this.#subscription === attempt) this.#subscription = undefined;
      },
    );
    this.#subscription = attempt;
  }

  // ---------------------------------------------------------------- the refresh

  async #refreshLocked(mode: RefreshMode, started: number, signal: AbortSignal): Promise<Snapshot> {
    const acquired = await this.#acquireOrObserve(mode, signal);
    if ('snapshot' in acquired) return this.#usedStored(acquired.snapshot, started);
    let lease = acquired.lease;
    // A commit left pending takes the lease over, holding it while it retries until the refresh deadline.
    const handOver = (): LockLease | undefined => {
      const taken = lease;
      lease = undefined;
      return taken;
    };
    try {
      const current = await this.#read(signal);
      if (current === undefined) throw new NotAuthenticatedError('no tokens are stored for this grant; authenticate first');
      await this.#assertNotRevoked(current.record);
      const refreshToken = current.record.refreshToken;
      if (refreshToken === undefined) throw new NotAuthenticatedError('no refresh token is stored for this grant');
      const now = this.#ctx.clock.now();
      const usable = current.record.accessToken !== undefined && now < current.serveUntil;
      if (mode.kind === 'due' && current.version !== mode.staleVersion && usable) return this.#usedStored(current, started);
      if (mode.kind === 'rejected' && current.record.accessToken !== mode.token && usable) return this.#usedStored(current, started);
      return await this.#refreshWithLwa(current, refreshToken, lease, started, signal, handOver);
    } finally {
      await lease?.release().catch(() => undefined);
    }
  }

  #usedStored(snapshot: Snapshot, started: number): Snapshot {
    this.#emit({
      type: 'refreshed',
      source: 'store',
      rotated: false,
      durationMs: this.#ctx.clock.now() - started,
      expiresInSeconds: Math.max(0, Math.floor(((snapshot.record.expiresAt ?? 0) - this.#ctx.clock.now()) / 1000)),
    });
    return snapshot;
  }

  /**
   * Waits for the lock; meanwhile, when the store notifies changes, a fresh record another holder
   * committed ends the wait without the lock.
   */
  async #acquireOrObserve(mode: RefreshMode, signal: AbortSignal): Promise<{ lease: LockLease | undefined } | { snapshot: Snapshot }> {
    if (mode.kind === 'force') return { lease: await this.#acquire(signal) };
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

  /**
   * Resolves with the first record that makes the refresh unnecessary: read after each change
   * notification, or, from a store that cannot notify, polled with backoff (50 ms doubling to 500 ms).
   */
  async #observeFresh(mode: RefreshMode, stop: AbortSignal): Promise<Snapshot> {
    const polling = this.#ctx.store.subscribe === undefined;
    for (let attempt = 1; ; attempt++) {
      if (polling) await this.#ctx.clock.sleep(backoffDelay(Math.min(attempt, 5), { baseDelayMs: 50, maxDelayMs: 500 }), stop);
      else await this.#nextChange(stop);
      let snapshot: Snapshot | undefined;
      try {
        snapshot = await this.#read(stop);
      } catch {
        continue;
      }
      if (snapshot === undefined || snapshot.record.accessToken === undefined || this.#ctx.clock.now() >= snapshot.serveUntil) continue;
      if (mode.kind === 'due' && snapshot.version !== mode.staleVersion) return snapshot;
      if (mode.kind === 'rejected' && snapshot.record.accessToken !== mode.token) return snapshot;
    }
  }

  /** Resolves at the store's next change notification for this key. */
  #nextChange(stop: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        this.#waiters.delete(wake);
        stop.removeEventListener('abort', onStop);
        resolve();
      };
      const onStop = (): void => {
        this.#waiters.delete(wake);
        reject(stop.reason);
      };
      if (stop.aborted) return reject(stop.reason);
      this.#waiters.add(wake);
      stop.addEventListener('abort', onStop, { once: true });
    });
  }

  async #acquire(signal: AbortSignal): Promise<LockLease | undefined> {
    const held = this.#pendingLease;
    if (held !== undefined && !held.lease.signal.aborted) {
      // The lease a pending commit holds: this process's refresh takes it over.
      this.#pendingLease = undefined;
      return held.lease;
    }
    const started = this.#ctx.clock.now();
    try {
      const lease = await this.#ctx.lock.acquire(`refresh:${this.key}`, { ttlMs: this.#ctx.lockTtlMs, waitMs: this.#ctx.lockWaitMs, signal });
      const waitedMs = this.#ctx.clock.now() - started;
      if (waitedMs > 0) this.#emit({ type: 'lock_waited', waitedMs });
      return lease;
    } catch (error) {
      if (error instanceof StoreUnavailableError && this.#ctx.unlockedFallback) {
        this.#emit({ type: 'lock_unavailable', message: error.message });
        return undefined;
      }
      throw error;
    }
  }

  async #refreshWithLwa(
    current: Snapshot,
    refreshToken: string,
    lease: LockLease | undefined,
    started: number,
    signal: AbortSignal,
    handOver: () => LockLease | undefined,
  ): Promise<Snapshot> {
    const timing: RequestTiming = { sentAt: 0, deadline: 0 };
    let response: TokenResponse;
    try {
      response = await this.#requestToken({ grant_type: 'refresh_token', refresh_token: refreshToken }, 'refresh_token', timing, signal, lease?.signal);
    } catch (error) {
      if (error instanceof InvalidGrantError) return this.#markRevoked(current, refreshToken, error, lease);
      throw error;
    }
    const record: TokenRecord = { ...current.record, refreshToken: response.refreshToken ?? refreshToken };
    this.#setAccessToken(record, response, timing.sentAt);
    delete record.revoked;
    const rotated = response.refreshToken !== undefined && response.refreshToken !== refreshToken;
    // Built on a pending record (landed meanwhile or not): this result replaces it wherever it is.
    const earlier = current.pending;
    const pending: PendingCommit = {
      base: current.base,
      record,
      mode: 'refresh',
      consumed: [refreshToken, ...(earlier?.consumed ?? [])].slice(0, 8),
      supersedes: earlier === undefined ? [] : [earlier.record, ...earlier.supersedes].slice(0, 8),
      since: undefined,
      failures: 0,
    };
    const result = await this.#commit(pending, timing.deadline, handOver);
    if (result.outcome === 'superseded') {
      // Another holder wrote meanwhile (our lease was lost, or the grant was cleared or replaced).
      const theirs = result.snapshot;
      if (theirs === undefined) throw new NotAuthenticatedError('the tokens were cleared while the refresh ran');
      await this.#assertNotRevoked(theirs.record);
      if (theirs.record.accessToken === undefined || this.#ctx.clock.now() >= theirs.serveUntil) {
        throw new TokenRefreshError('another holder changed the tokens during the refresh and left no usable access token');
      }
      return this.#usedStored(theirs, started);
    }
    if (response.problem !== undefined) throw response.problem;
    this.#emit({
      type: 'refreshed',
      source: 'lwa',
      rotated,
      durationMs: this.#ctx.clock.now() - started,
      requestId: response.requestId,
      expiresInSeconds: response.expiresIn,
    });
    return { ...result.snapshot, fresh: true };
  }

  /** Puts the response's access token into `record`, or removes the record's when the response had none. */
  #setAccessToken(record: TokenRecord, response: TokenResponse, sentAt: number): void {
    if (response.accessToken === undefined) {
      delete record.accessToken;
      delete record.expiresAt;
      delete record.obtainedAt;
      return;
    }
    record.accessToken = response.accessToken;
    record.expiresAt = sentAt + response.expiresIn * 1000;
    record.obtainedAt = sentAt;
  }

  // ---------------------------------------------------------------- committing what LWA answered

  /**
   * Writes what LWA answered. When the store fails, the tokens are served from memory at once and
   * written again in the background with backoff: holding the refresh lease (handed over by the
   * caller) until the refresh `deadline`, then without it, until the write lands or is superseded.
   */
  async #commit(pending: PendingCommit, deadline: number, handOver?: () => LockLease | undefined): Promise<SettleResult> {
    this.#pending = pending;
    try {
      return await this.#settlePending();
    } catch (error) {
      if (this.#pending !== pending) throw error;
    }
    this.#flushInBackground(handOver?.(), deadline);
    return { outcome: 'landed', snapshot: (this.#snapshot = this.#pendingSnapshot(pending)) };
  }

  /** The pending tokens as a snapshot to serve from memory. */
  #pendingSnapshot(pending: PendingCommit): Snapshot {
    return { ...this.#snap(`pending:${pending.base ?? ''}`, pending.record, this.#generation, pending.base), pending };
  }

  /** One try at writing the pending commit. Throws (and keeps it pending) when the store fails. */
  async #settlePending(signal?: AbortSignal): Promise<SettleResult> {
    const pending = this.#pending!;
    for (let round = 0; round < 5; round++) {
      let written: Snapshot | undefined;
      let theirs: Snapshot | undefined;
      try {
        written = await this.#write(pending.base, pending.record);
        if (written === undefined) theirs = await this.#readStored(signal);
      } catch (error) {
        if (this.#pending === pending && !isAbortError(error)) this.#commitFailed(pending, error);
        throw error;
      }
      if (this.#pending !== pending) {
        // Superseded meanwhile by another write of this process.
        return written === undefined ? { outcome: 'superseded', snapshot: theirs } : { outcome: 'landed', snapshot: written };
      }
      if (written !== undefined) return { outcome: 'landed', snapshot: this.#landed(pending, written) };
      if (theirs !== undefined && sameTokens(theirs.record, pending.record)) {
        // An earlier try did land though the store reported a failure.
        return { outcome: 'landed', snapshot: this.#landed(pending, theirs) };
      }
      if (!(await this.#replaces(pending, theirs))) {
        this.#pending = undefined;
        return { outcome: 'superseded', snapshot: theirs };
      }
      pending.base = theirs?.version;
    }
    throw new StoreUnavailableError(`The token store kept changing ${this.key}; the new tokens are held in memory`);
  }

  /**
   * Whether a pending write replaces what another write left: new credentials replace anything; a
   * refresh result replaces the very record it was based on (a conflict the store reported
   * though nothing changed), an earlier pending record of this process that landed unseen, or a
   * revocation mark set for a refresh token it exchanged successfully; never another holder's newer record.
   */
  async #replaces(pending: PendingCommit, theirs: Snapshot | undefined): Promise<boolean> {
    if (pending.mode === 'replace') return true;
    if (theirs === undefined) return false;
    if (theirs.version === pending.base) return true;
    if (pending.supersedes.some((record) => sameTokens(theirs.record, record))) return true;
    const mark = theirs.record.revoked;
    if (mark === undefined) return false;
    for (const token of pending.consumed) if ((await refreshTokenId(token)) === mark.refreshTokenId) return true;
    return false;
  }

  #commitFailed(pending: PendingCommit, error: unknown): void {
    pending.failures++;
    pending.since ??= this.#ctx.clock.now();
    this.#emit({
      type: 'commit_pending',
      code: errorCode(this.#storeError(error, 'write')),
      message: error instanceof AdsTokenError ? error.message : `The token store failed to write ${this.key}`,
      attempt: pending.failures,
    });
  }

  #landed(pending: PendingCommit, snapshot: Snapshot): Snapshot {
    this.#pending = undefined;
    if (pending.failures > 0) {
      this.#emit({ type: 'commit_recovered', attempts: pending.failures + 1, pendingMs: this.#ctx.clock.now() - (pending.since ?? this.#ctx.clock.now()) });
    }
    return snapshot;
  }

  /**
   * Keeps writing the pending commit with backoff until it lands, is superseded, or the manager
   * closes. A lease given is held until `deadline` (so no other holder refreshes from the token
   * this process already exchanged; a refresh of this process may take it over), then released.
   */
  #flushInBackground(lease?: LockLease, deadline = 0): void {
    if (lease !== undefined) {
      this.#releasePendingLease();
      this.#pendingLease = { lease, deadline };
    }
    if (this.#flushing !== undefined) return;
    const stop = this.#closing.signal;
    this.#flushing = (async () => {
      for (let attempt = 1; this.#pending !== undefined && !stop.aborted; attempt++) {
        const delayMs = backoffDelay(Math.min(attempt, 10), this.#ctx.retry);
        const held = this.#pendingLease;
        if (held !== undefined && (held.lease.signal.aborted || this.#ctx.clock.now() + delayMs >= held.deadline)) this.#releasePendingLease();
        await this.#ctx.clock.sleep(delayMs, stop);
        if (this.#pending === undefined) break;
        await this.#settlePending().catch(() => undefined);
      }
    })()
      .catch(() => undefined)
      .finally(() => {
        this.#releasePendingLease();
        this.#flushing = undefined;
      });
  }

  #releasePendingLease(): void {
    const held = this.#pendingLease;
    this.#pendingLease = undefined;
    held?.lease.release().catch(() => undefined);
  }

  /** Records that LWA refused `refreshToken`, unless a newer holder stored another one meanwhile or the lease was lost. */
  async #markRevoked(seen: Snapshot, refreshToken: string, error: InvalidGrantError, lease: LockLease | undefined): Promise<Snapshot> {
    let current: Snapshot | undefined = seen;
    for (let attempt = 0; attempt < 3 && current !== undefined; attempt++) {
      if (current.record.refreshToken !== refreshToken) {
        // Rotated by another holder: its token is the one that counts now.
        if (current.record.accessToken !== undefined && this.#ctx.clock.now() < current.serveUntil) return current;
        break;
      }
      if (lease?.signal.aborted) {
        // Without the lease another holder may have rotated the token: no certainty, no mark.
        throw new TokenRefreshError('LWA refused the refresh token after this process lost the refresh lock; it is not marked revoked', {
          cause: error,
          requestId: error.requestId,
          grantType: 'refresh_token',
        });
      }
      const marked: TokenRecord = {
        ...current.record,
        revoked: {
          refreshTokenId: await refreshTokenId(refreshToken),
          at: this.#ctx.clock.now(),
          ...(error.lwaErrorDescription === undefined ? {} : { description: error.lwaErrorDescription }),
          ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
        },
      };
      delete marked.accessToken;
      delete marked.expiresAt;
      delete marked.obtainedAt;
      if ((await this.#write(current.base, marked)) !== undefined) {
        // The mark holds the pending record's refresh token: it takes the pending write's place.
        if (this.#pending?.record.refreshToken === refreshToken) this.#pending = undefined;
        this.#emit({ type: 'revoked', description: error.lwaErrorDescription, requestId: error.requestId });
        break;
      }
      current = await this.#readStored();
    }
    throw error;
  }

  /** Sends a token request through the shared LWA client, with this grant's secrets to redact and its retry events. */
  #requestToken(params: Record<string, string>, grantType: GrantType, timing: RequestTiming, signal: AbortSignal | undefined, leaseSignal?: AbortSignal): Promise<TokenResponse> {
    const s = this.#snapshot?.record;
    const p = this.#pending?.record;
    return this.#ctx.lwa.request(params, grantType, timing, {
      signal,
      leaseSignal,
      secrets: [s?.refreshToken, s?.accessToken, p?.refreshToken, p?.accessToken],
      onRetry: (retry) => this.#emit({ type: 'retry', ...retry }),
    });
  }

  // ---------------------------------------------------------------- authentication

  /** The LWA consent URL (random `state`, optional PKCE S256): keep `state` and `codeVerifier` for the redirect. */
  async createAuthorizationUrl(options?: { state?: string; pkce?: boolean }): Promise<AuthorizationRequest> {
    return buildAuthorizationUrl({
      authorizationUrl: this.#ctx.authorizationUrl,
      clientId: this.clientId,
      redirectUri: this.#ctx.redirectUri,
      scope: this.#ctx.scope,
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
    const params: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: this.#ctx.redirectUri };
    if (options?.codeVerifier !== undefined) params.code_verifier = requireText('codeVerifier', options.codeVerifier);
    const signal = options?.signal === undefined ? this.#closing.signal : AbortSignal.any([options.signal, this.#closing.signal]);
    // Read first: a store that is down fails here, before the code (which works once) is spent.
    const base = await this.#storedVersion(signal);
    const timing: RequestTiming = { sentAt: 0, deadline: 0 };
    const response = await this.#requestToken(params, 'authorization_code', timing, signal);
    if (response.refreshToken === undefined) {
      throw (
        response.problem ??
        new TokenRefreshError('LWA returned no refresh_token for the authorization code', { grantType: 'authorization_code', requestId: response.requestId })
      );
    }
    const record: TokenRecord = { v: 1, refreshToken: response.refreshToken, consentedAt: timing.sentAt };
    this.#setAccessToken(record, response, timing.sentAt);
    const result = await this.#commit({ base, record, mode: 'replace', consumed: [], supersedes: [], since: undefined, failures: 0 }, timing.deadline);
    this.#emit({ type: 'authenticated', method: 'code', requestId: response.requestId });
    if (response.problem !== undefined) throw response.problem;
    return this.#info(result.snapshot);
  }

  /** The stored version of this grant's record (undefined when absent). */
  async #storedVersion(signal?: AbortSignal): Promise<string | undefined> {
    this.#subscribeOnce();
    try {
      return (await this.#ctx.store.get(this.key, { signal }))?.version;
    } catch (error) {
      throw this.#storeError(error, 'read');
    }
  }

  /**
   * Stores an existing refresh token (no LWA call; the next getAccessToken refreshes). With
   * `ifAbsent`, writes only when the grant has no record or a revoked one, so a booting worker
   * never overwrites a newer or rotated token. Resolves to whether it wrote.
   */
  async setRefreshToken(refreshToken: string, options?: Options & { ifAbsent?: boolean }): Promise<boolean> {
    this.#checkOpen();
    requireText('refresh token', refreshToken);
    const record: TokenRecord = { v: 1, refreshToken };
    if (options?.ifAbsent) {
      let written = await this.#write(undefined, record);
      if (written === undefined) {
        // A revoked grant counts as absent: new credentials are what it needs.
        const current = await this.#readStored(options.signal);
        if (current === undefined) written = await this.#write(undefined, record);
        else if (await this.#isRevoked(current.record)) written = await this.#write(current.version, record);
      }
      if (written === undefined) return false;
      this.#pending = undefined;
      this.#emit({ type: 'authenticated', method: 'refresh_token' });
      return true;
    }
    await this.#replace(record, options?.signal);
    this.#emit({ type: 'authenticated', method: 'refresh_token' });
    return true;
  }

  async #replace(record: TokenRecord, signal?: AbortSignal): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      signal?.throwIfAborted();
      if ((await this.#write(await this.#storedVersion(signal), record)) !== undefined) {
        this.#pending = undefined;
        return;
      }
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
    return tokenInfo(snapshot, this.#ctx.clock.now(), this.grantId);
  }

  /** Deletes this grant's tokens from the store (and memory); other processes see it through the store. */
  async clearTokens(options?: Options): Promise<void> {
    this.#checkOpen();
    this.#snapshot = undefined;
    this.#subscribeOnce();
    try {
      await this.#ctx.store.delete(this.key, undefined, options);
    } catch (error) {
      throw this.#storeError(error, 'delete');
    }
    this.#snapshot = undefined;
    this.#pending = undefined;
    this.#emit({ type: 'cleared' });
  }

  /**
   * Ends subscriptions and background work. A refresh in flight gets up to `closeTimeoutMs` to
   * finish; then it is aborted, its lease released, and callers still waiting are rejected. Tokens
   * LWA answered that the store has not taken yet get one last write. Does not close the store or
   * lock (they may be shared). Later calls throw ConfigurationError.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const inflight = this.#inflight;
    if (inflight !== undefined) await this.#within(inflight.done);
    const closed = new TokenRefreshError('the TokenManager was closed before the refresh finished');
    this.#extra?.closing?.abort(closed);
    this.#inflight?.cancel(closed);
    if (inflight !== undefined && inflight !== this.#inflight) inflight.cancel(closed);
    if (this.#inflight !== undefined) await this.#within(this.#inflight.done);
    if (inflight !== undefined) await this.#within(inflight.done);
    await this.#within(this.#flushing ?? Promise.resolve());
    if (this.#pending !== undefined) await this.#within(this.#lastCommit());
    const subscription = this.#subscription;
    this.#subscription = undefined;
    if (typeof subscription === 'function') await subscription().catch(() => undefined);
    else await subscription;
    this.#snapshot = undefined;
  }

  /** Tries to write a pending commit, with backoff, until it lands or `closeTimeoutMs` has passed. */
  async #lastCommit(): Promise<void> {
    const end = this.#ctx.clock.now() + this.#ctx.closeTimeoutMs;
    for (let attempt = 1; this.#pending !== undefined; attempt++) {
      try {
        await this.#settlePending();
      } catch {
        const delayMs = backoffDelay(Math.min(attempt, 10), this.#ctx.retry);
        if (this.#ctx.clock.now() + delayMs >= end) return;
        await this.#ctx.clock.sleep(delayMs);
      }
    }
  }

  /** Waits for `work` to settle, at most `closeTimeoutMs`. */
  async #within(work: Promise<unknown>): Promise<void> {
    const timeout = new AbortController();
    const settled = work.then(
      () => timeout.abort(),
      () => timeout.abort(),
    );
    await Promise.race([settled, this.#ctx.clock.sleep(this.#ctx.closeTimeoutMs, timeout.signal).catch(() => undefined)]);
    timeout.abort();
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
    const listeners = (this.#more.listeners ??= new Set());
    listeners.add(entry);
    return () => {
      listeners.delete(entry);
    };
  }

  #emit(event: DistributiveOmit<TokenEvent, 'grantId' | 'at'>): void {
    const full = Object.freeze({ ...event, grantId: this.grantId, at: this.#ctx.clock.now() }) as TokenEvent;
    if (full.type === 'refresh_failed') this.#more.lastFailure = { code: full.code, message: full.message, at: full.at };
    else if ((full.type === 'refreshed' || full.type === 'authenticated' || full.type === 'cleared') && this.#extra !== undefined) this.#extra.lastFailure = undefined;
    for (const { listener } of [...this.#ctx.listeners, ...(this.#extra?.listeners ?? [])]) {
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
    const failure = this.#extra?.lastFailure;
    const timer = new AbortController();
    const expired = new AbortController();
    this.#ctx.clock.sleep(timeoutMs, timer.signal).then(
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
