import { DEFAULT_REDIRECT_URI, DEFAULT_SCOPE } from '../authorization.js';
import type { Clock } from '../clock.js';
import { ConfigurationError } from '../errors.js';
import type { HttpClient } from '../http-client.js';
import { InProcessLock } from '../in-process-lock.js';
import type { Lock } from '../lock.js';
import { LwaTokenClient } from '../lwa/lwa-token-client.js';
import { MemoryTokenStore } from '../memory-token-store.js';
import { requireNumber, requireScope, requireText, requireUrl } from '../option-checks.js';
import type { RecordSealer } from '../record-sealer.js';
import { REGIONS, isRegion, type Region } from '../regions.js';
import { resolveRetryOptions, type ResolvedRetryOptions } from '../retry.js';
import { createRecordSealer } from '../sealing/index.js';
import { SystemClock } from '../system-clock.js';
import type { TokenEventListener } from '../token-events.js';
import type { TokenManagerOptions } from '../token-manager-options.js';
import type { TokenStore } from '../token-store.js';
import { RefreshScheduler } from './refresh-scheduler.js';

/**
 * What every grant of one LWA app shares: the validated options, one sealer, one LWA client, one
 * store, one lock, one scheduler and the event listeners. A `TokenManager` has its own; a
 * `TokenPool` gives one to all of its managers.
 */
export interface GrantContext {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly http: HttpClient;
  readonly store: TokenStore;
  readonly lock: Lock;
  readonly clock: Clock;
  readonly sealer: RecordSealer;
  readonly lwa: LwaTokenClient;
  readonly scheduler: RefreshScheduler;
  readonly region: Region;
  readonly redirectUri: string;
  readonly scope: string;
  readonly authorizationUrl: string;
  readonly bufferMs: number;
  readonly retry: ResolvedRetryOptions;
  readonly background: boolean;
  readonly cooldownMs: number;
  readonly lockTtlMs: number;
  readonly lockWaitMs: number;
  readonly unlockedFallback: boolean;
  readonly closeTimeoutMs: number;
  /** Spread each grant's refresh time inside its buffer (pools: grants authenticated together do not refresh together). */
  readonly jitter: boolean;
  /** Who hears every grant's events (`onEvent`, a pool's `addListener`). */
  readonly listeners: Set<{ listener: TokenEventListener }>;
}

/** The options every grant of an app shares: a manager's, without `grantId`. */
export type SharedGrantOptions = Omit<TokenManagerOptions, 'grantId'>;

/** Validates shared options once and builds the shared parts. Throws {@link ConfigurationError} for bad options. */
export function resolveGrantContext(options: SharedGrantOptions, extra: { maxConcurrentRefreshes?: number; jitter?: boolean } = {}): GrantContext {
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('options are required');
  const clientId = requireText('clientId', options.clientId);
  const clientSecret = requireText('clientSecret', options.clientSecret);
  if (typeof options.http?.send !== 'function') {
    throw new ConfigurationError('http is required: pass an HttpClient such as new FetchHttpClient() from @ads-token/fetch-adapter');
  }
  const region = options.region ?? 'NA';
  if (!isRegion(region)) throw new ConfigurationError(`region must be 'NA', 'EU' or 'FE'`);
  const retry = resolveRetryOptions(options.retry);
  const clock = options.clock ?? new SystemClock();
  const tokenUrl = requireUrl('endpoints.tokenUrl', options.endpoints?.tokenUrl ?? REGIONS[region].tokenUrl);
  const listeners = new Set<{ listener: TokenEventListener }>();
  for (const listener of [options.onEvent ?? []].flat()) {
    if (typeof listener !== 'function') throw new ConfigurationError('onEvent must be a function or an array of functions');
    listeners.add({ listener });
  }
  return {
    clientId,
    clientSecret,
    http: options.http,
    store: options.store ?? new MemoryTokenStore(),
    lock: options.lock ?? new InProcessLock(),
    clock,
    sealer: createRecordSealer({ encryptionKey: options.encryptionKey, clientSecret }),
    lwa: new LwaTokenClient({ clientId, clientSecret, http: options.http, tokenUrl, retry, clock }),
    scheduler: new RefreshScheduler(
      extra.maxConcurrentRefreshes === undefined ? Number.POSITIVE_INFINITY : requireNumber('maxConcurrentRefreshes', extra.maxConcurrentRefreshes, 4, 1, 10_000, true),
    ),
    region,
    redirectUri: requireUrl('redirectUri', options.redirectUri ?? DEFAULT_REDIRECT_URI),
    scope: options.scope === undefined ? DEFAULT_SCOPE : requireScope(options.scope),
    authorizationUrl: requireUrl('endpoints.authorizationUrl', options.endpoints?.authorizationUrl ?? REGIONS[region].authorizationUrl),
    bufferMs: requireNumber('refreshBuffer', options.refreshBuffer, 300, 0, 86_400) * 1000,
    retry,
    background: options.backgroundRefresh ?? true,
    cooldownMs: requireNumber('backgroundRetryCooldownMs', options.backgroundRetryCooldownMs, 30_000, 0, 86_400_000),
    lockTtlMs: requireNumber('lockTtlMs', options.lockTtlMs, 15_000, 1, 3_600_000),
    lockWaitMs: requireNumber('lockWaitMs', options.lockWaitMs, 35_000, 0, 3_600_000),
    unlockedFallback: options.refreshWithoutLockWhenUnavailable ?? false,
    closeTimeoutMs: requireNumber('closeTimeoutMs', options.closeTimeoutMs, 5000, 0, 3_600_000),
    jitter: extra.jitter ?? false,
    listeners,
  };
}

/** The option key under which a pool hands its context to the managers it creates (not public). */
export const GRANT_CONTEXT: unique symbol = Symbol('ads-token grant context');
