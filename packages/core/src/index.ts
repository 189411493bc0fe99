export type { HttpClient, HttpRequest, HttpResponse } from './http-client.js';
export type { Clock } from './clock.js';
export { SystemClock } from './system-clock.js';
export { abortableSleep } from './sleep.js';
export type { AbortableSleepOptions } from './sleep.js';
export type { Options, StoredRecord, TokenStore } from './token-store.js';
export type { Lock, LockAcquireOptions, LockLease } from './lock.js';
export { LeaseKeeper, boundedOperation, keepLease, waitForLock } from './lock-kit/index.js';
export type { KeepLeaseOptions, LockWaiter, OperationBounds, WaitForLockOptions } from './lock-kit/index.js';
export { raceSignal } from './abort.js';
export {
  AdsTokenError,
  AuthorizationDeniedError,
  ConfigurationError,
  CorruptRecordError,
  DecryptionError,
  HttpTransportError,
  InvalidClientError,
  InvalidGrantError,
  InvalidResponseError,
  LockTimeoutError,
  NotAuthenticatedError,
  StateMismatchError,
  StoreUnavailableError,
  TokenRefreshError,
  isAdsTokenError,
} from './errors.js';
export type { AdsTokenErrorCode, AdsTokenErrorOptions, LwaErrorDetails } from './errors.js';
export { profileIdHeader } from './profile-id.js';
export { REGIONS, isRegion } from './regions.js';
export type { Region, RegionEndpoints } from './regions.js';
export { STORE_KEY_PREFIX, parseStoreKey, sharedRecordKey, storeKey, storeKeyPrefix } from './store-key.js';
export { createPkcePair, createState, pkceChallenge } from './pkce.js';
export type { PkcePair } from './pkce.js';
export {
  DEFAULT_REDIRECT_URI,
  DEFAULT_SCOPE,
  LEGACY_SCOPE,
  buildAuthorizationUrl,
  parseRedirectUrl,
} from './authorization.js';
export type { AuthorizationRequest, AuthorizationUrlInput } from './authorization.js';
export { MemoryTokenStore } from './memory-token-store.js';
export { InProcessLock } from './in-process-lock.js';
export type { RecordSealer } from './record-sealer.js';
export { TokenManager } from './token-manager.js';
export { CONSENT_LIMIT_DAYS, CONSENT_WARNING_DAYS, TokenPool } from './pool/index.js';
export type { GrantStatus, SharedRecord, TokenPoolOptions } from './pool/index.js';
export type { TokenManagerOptions } from './token-manager-options.js';
export type {
  AuthenticatedEvent,
  ClearedEvent,
  CommitPendingEvent,
  CommitRecoveredEvent,
  RecordUnreadableEvent,
  LockUnavailableEvent,
  LockWaitedEvent,
  RefreshFailedEvent,
  RefreshedEvent,
  RetryEvent,
  RevokedEvent,
  TokenEvent,
  TokenEventBase,
  TokenEventListener,
  TokenEventType,
} from './token-events.js';
export type { GrantHealth, GrantHealthStatus, HealthOptions, HealthReport } from './health.js';
export type { TokenInfo, TokenStatus } from './token-info.js';
export { backoffDelay, parseRetryAfter } from './retry.js';
export type { RetryOptions } from './retry.js';
export {
  DEFAULT_PASSPHRASE_ITERATIONS,
  MAX_PASSPHRASE_ITERATIONS,
  MIN_PASSPHRASE_ITERATIONS,
  clientSecretKey,
  createRecordSealer,
  generateEncryptionKey,
  resealRecords,
} from './sealing/index.js';
export type {
  ClientSecretEncryptionKey,
  EncryptionKey,
  EncryptionKeyOption,
  PassphraseEncryptionKey,
  RawEncryptionKey,
  RecordSealerOptions,
  ResealFailure,
  ResealOptions,
  ResealReport,
} from './sealing/index.js';
