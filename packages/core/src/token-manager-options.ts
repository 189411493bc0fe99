import type { Clock } from './clock.js';
import type { HttpClient } from './http-client.js';
import type { Lock } from './lock.js';
import type { Region } from './regions.js';
import type { RetryOptions } from './retry.js';
import type { EncryptionKeyOption } from './sealing/encryption-key.js';
import type { TokenEventListener } from './token-events.js';
import type { TokenStore } from './token-store.js';

/** Options of {@link TokenManager}. Constructing a manager does no I/O. */
export interface TokenManagerOptions {
  /** LWA client id (`amzn1.application-oa2-client....`). */
  clientId: string;
  /** LWA client secret. Never logged; redacted in toJSON and inspect. */
  clientSecret: string;
  /** How core talks HTTP (`FetchHttpClient` from `@ads-token/fetch-adapter`). Core does no I/O of its own. */
  http: HttpClient;
  /** Where sealed records live. @default new MemoryTokenStore() */
  store?: TokenStore;
  /** Who may refresh. Share one lock between processes to get one refresh per expiry. @default new InProcessLock() */
  lock?: Lock;
  /** Source of time. @default new SystemClock() */
  clock?: Clock;
  /** LWA region. @default 'NA' */
  region?: Region;
  /** Redirect URI registered for the app. @default 'https://localhost' */
  redirectUri?: string;
  /** Scope(s) to ask consent for, separated by single spaces. @default 'advertising::campaign_management' */
  scope?: string;
  /** Seconds before expiry at which a refresh starts (capped at half a token's lifetime). @default 300 */
  refreshBuffer?: number;
  /** Which advertiser grant this manager holds; many managers share one store, lock and http. @default 'default' */
  grantId?: string;
  /** Endpoint overrides (simulators, proxies). */
  endpoints?: { authorizationUrl?: string; tokenUrl?: string };
  /** Key(s) to seal records with. @default a key derived from the client secret */
  encryptionKey?: EncryptionKeyOption;
  /** Retries of transient LWA failures. */
  retry?: RetryOptions;
  /** Refresh in the background inside the buffer while serving the current token; false for serverless. @default true */
  backgroundRefresh?: boolean;
  /** Pause after a failed background refresh before the next one. @default 30000 */
  backgroundRetryCooldownMs?: number;
  /** Lease of the refresh lock, renewed by the lock while held. @default 15000 */
  lockTtlMs?: number;
  /** How long to wait for the refresh lock. @default 35000 */
  lockWaitMs?: number;
  /**
   * When the lock backend is unavailable, refresh without it. Unsafe with rotating refresh tokens:
   * two hosts may refresh at once and one may lose the grant. @default false
   */
  refreshWithoutLockWhenUnavailable?: boolean;
  /** How long `close()` waits for a refresh in flight. @default 5000 */
  closeTimeoutMs?: number;
  /**
   * Receives events (refreshed, refresh_failed, retry, revoked, lock_waited, ...): one listener or
   * several (say a logger and metrics). More can be added later with `addListener`. Never given a secret.
   */
  onEvent?: TokenEventListener | readonly TokenEventListener[];
}
