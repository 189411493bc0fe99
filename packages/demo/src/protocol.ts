import type { TokenEvent } from '@ads-token/core';

/** Where the fleet keeps tokens and takes the refresh lock. */
export type BackendConfig =
  | { kind: 'file'; path: string; lockDirectory: string }
  | { kind: 'redis'; url: string; keyPrefix: string }
  | { kind: 'postgres'; url: string; table: string; lockTable: string };

/** What a worker process is told to do (sent over IPC, never through argv or env). */
export interface WorkerConfig {
  /** 1-based worker number shown in the status lines. */
  id: number;
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
  /** Base URL of the Ads API (the simulator). */
  adsUrl: string;
  backend: BackendConfig;
  /** TokenManager `refreshBuffer` in seconds. */
  refreshBufferSeconds: number;
  /** Concurrent call loops in this worker. */
  callers: number;
  /** Pause after each served call, per loop. */
  pauseMs: number;
  /** Pause after a failed call, per loop. */
  errorPauseMs: number;
  /** How often a status message is sent. */
  statusIntervalMs: number;
  /** TokenManager `lockTtlMs`, when not the default. */
  lockTtlMs?: number;
  /** TokenManager `backgroundRetryCooldownMs`, when not the default. */
  backgroundRetryCooldownMs?: number;
  /** Also send every TokenManager event whole (`token_event`), for the parent's metrics. */
  relayEvents?: boolean;
  /**
   * Serve these grants through one `TokenPool` and route each Ads API call by profile id alone
   * (the pool demo). Without it the worker serves the one grant `default` through a `TokenManager`.
   */
  grants?: DemoGrant[];
  /** Pool workers: where in the walk over every grant's profiles this worker starts (spreads the fleet's calls over the grants). */
  profileStart?: number;
  /** TokenPool `maxConcurrentRefreshes`, when not the default. */
  maxConcurrentRefreshes?: number;
}

/** One advertiser grant of the pool demo and the advertising profiles it reaches. */
export interface DemoGrant {
  grantId: string;
  profileIds: number[];
}

/** Counters a worker keeps and reports. */
export interface WorkerStats {
  /** Ads API calls made (served or not). */
  calls: number;
  /** Calls answered 2xx. */
  served: number;
  /** Calls that failed: a thrown error or a non-2xx answer. */
  errors: number;
  /** Failures by code (`INVALID_GRANT`, `HTTP_503`, ...). */
  errorCodes: Record<string, number>;
  /** Refreshes this process made by calling LWA. */
  lwaRefreshes: number;
  /** Refreshes this process took from the store (another holder had refreshed). */
  storeRefreshes: number;
  /** Token requests this process sent to LWA (retries included). */
  lwaRequests: number;
  /** Refresh lock acquisitions that waited at least {@link LOCK_WAIT_THRESHOLD_MS}. */
  lockWaits: number;
  /** Longest refresh lock wait, in ms. */
  maxLockWaitMs: number;
  /** Failed refreshes (`refresh_failed` events). */
  refreshFailures: number;
  /** LWA retries (`retry` events). */
  retries: number;
  /** Redis client errors seen (connection lost, ...). */
  redisErrors: number;
  /** The most token requests this process had in flight to LWA at once. */
  lwaInFlightPeak: number;
  /** Grants served (1 for a TokenManager worker). */
  grants: number;
  /** Pool workers: the most refreshes the pool ran at once (`peakConcurrentRefreshes`). */
  peakRefreshes?: number;
  /** Pool workers: heap per grant after one token per grant (bytes; TokenPool with every grant's token, measured with gc). */
  heapPerGrantBytes?: number;
  /** Epoch ms of the last served call. */
  lastServedAt?: number;
  /** The last failure, as code and message (messages never hold a secret). */
  lastError?: { code: string; message: string };
}

/** A lock wait shorter than this is just the cost of taking a free lock. */
export const LOCK_WAIT_THRESHOLD_MS = 10;

/** A TokenManager event with only what the parent needs. */
export interface WorkerEvent {
  type: string;
  at: number;
  source?: 'lwa' | 'store';
  waitedMs?: number;
  code?: string;
  background?: boolean;
  status?: number;
}

/** Parent to worker. */
export type ParentMessage =
  | { type: 'start'; config: WorkerConfig }
  | { type: 'go' }
  | { type: 'stop' }
  /** Step the worker's wall clock by `ms` (a drill of a host whose clock jumps). */
  | { type: 'step_clock'; ms: number };

/** Worker to parent. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'status'; stats: WorkerStats }
  | { type: 'event'; event: WorkerEvent }
  | { type: 'token_event'; event: TokenEvent }
  | { type: 'lwa_request'; at: number }
  | { type: 'call_failed'; at: number; code: string; name: string; message: string }
  | { type: 'clock_stepped'; ms: number }
  | { type: 'final'; stats: WorkerStats }
  | { type: 'fatal'; reason: string };

/** Fresh zeroed counters. */
export function emptyStats(): WorkerStats {
  return {
    calls: 0,
    served: 0,
    errors: 0,
    errorCodes: {},
    lwaRefreshes: 0,
    storeRefreshes: 0,
    lwaRequests: 0,
    lockWaits: 0,
    maxLockWaitMs: 0,
    refreshFailures: 0,
    retries: 0,
    redisErrors: 0,
    lwaInFlightPeak: 0,
    grants: 1,
  };
}
