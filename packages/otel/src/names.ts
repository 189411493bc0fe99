/** Names of the metrics `instrument` records (OpenTelemetry names; a Prometheus exporter turns dots into underscores and adds unit suffixes). */
export const METRIC_NAMES = {
  /** Counter: refreshes that ended, by `ads_token.source`, `ads_token.outcome`, `ads_token.error_code`, `ads_token.background`. */
  refreshes: 'ads_token.refreshes',
  /** Histogram (s): how long a refresh took, lock wait included, by source and outcome. */
  refreshDuration: 'ads_token.refresh.duration',
  /** Histogram (s): how long a refresh waited for the refresh lock. */
  lockWait: 'ads_token.lock.wait.duration',
  /** Counter: token requests to LWA that failed and were retried, by `http.response.status_code`. */
  lwaRetries: 'ads_token.lwa.retries',
  /** Counter: grants LWA refused (`invalid_grant`) and that were marked revoked, by `ads_token.grant_id`. */
  revocations: 'ads_token.revocations',
  /** Counter: refreshes that went ahead without the lock because its backend was down (the unsafe opt-in). */
  lockUnavailable: 'ads_token.lock.unavailable',
  /** Counter: writes of new tokens the store refused after LWA answered (the tokens are held in memory and the write retried). */
  commitsPending: 'ads_token.commit.pending',
  recordsUnreadable: 'ads_token.records.unreadable',
  /** Observable gauge (s), per grant: seconds until the stored access token expires (0 when expired or absent). */
  expiresIn: 'ads_token.token.expires_in',
  /** Observable gauge (s), per grant: seconds since the advertiser consented, when known. */
  consentAge: 'ads_token.consent.age',
  /** Observable gauge, per grant: 1 when the grant is revoked (re-consent needed), else 0. */
  revoked: 'ads_token.grant.revoked',
} as const;

/** Attribute names on the metrics and spans. None ever holds a token or secret. */
export const ATTRIBUTE_NAMES = {
  /** The grant id. */
  grantId: 'ads_token.grant_id',
  /** `lwa` or `store`: where a successful refresh got its token. */
  source: 'ads_token.source',
  /** `success` or `failure`. */
  outcome: 'ads_token.outcome',
  /** The stable error code of a failure (`TOKEN_REFRESH_FAILED`, `INVALID_GRANT`, ...). */
  errorCode: 'ads_token.error_code',
  /** Whether a failed refresh ran in the background while a valid token was served. */
  background: 'ads_token.background',
  /** Whether LWA returned a new refresh token. */
  rotated: 'ads_token.rotated',
  /** LWA's request id (`x-amzn-RequestId`). */
  requestId: 'ads_token.lwa.request_id',
  /** Retries of the token request during the refresh. */
  retries: 'ads_token.lwa.retries',
  /** Time waited for the refresh lock (ms). */
  lockWaitMs: 'ads_token.lock.wait_ms',
  /** HTTP status of a failed LWA attempt (OpenTelemetry semantic convention). */
  httpStatus: 'http.response.status_code',
  /** `transport` for a failed LWA attempt without an HTTP answer (OpenTelemetry semantic convention). */
  errorType: 'error.type',
} as const;

/** Name of the span recorded per refresh. */
export const REFRESH_SPAN_NAME = 'ads_token.refresh';

/** Instrumentation scope name of the meter and tracer. */
export const SCOPE_NAME = '@ads-token/otel';
