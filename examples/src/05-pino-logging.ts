/**
 * Example 5, logging: every TokenManager event logged with pino at a level that fits it, next to
 * any other listener (metrics, say). Events never hold a token or secret, so their fields are
 * logged as they are. Ends with the readiness probe `health()`.
 *
 *   ADS_CLIENT_ID=... ADS_CLIENT_SECRET=... node dist/05-pino-logging.js | npx pino-pretty
 */
import { TokenManager } from '@ads-token/core';
import type { HealthReport, TokenEvent, TokenEventListener } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { DEFAULT_TOKEN_FILE, FileLock, FileTokenStore } from '@ads-token/store-file';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { isMain, lwaOptions, runMain } from './example-env.js';
import type { ExampleEnv } from './example-env.js';

/** The pino level an event is logged at. */
export type EventLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * `debug`: routine (lock waits, a token another process refreshed); `info`: a refresh through
 * LWA, new credentials, tokens cleared, a store write that recovered; `warn`: a retry, a failed
 * background refresh (a valid token was still served), a store write held in memory, a refresh
 * without the lock; `error`: a refresh that failed its callers, a revoked grant, a stored record that
 * does not open.
 */
export function eventLevel(event: TokenEvent): EventLevel {
  switch (event.type) {
    case 'lock_waited':
      return 'debug';
    case 'refreshed':
      return event.source === 'lwa' ? 'info' : 'debug';
    case 'authenticated':
    case 'cleared':
    case 'commit_recovered':
      return 'info';
    case 'retry':
    case 'commit_pending':
    case 'lock_unavailable':
      return 'warn';
    case 'refresh_failed':
      return event.background ? 'warn' : 'error';
    case 'revoked':
    case 'record_unreadable':
      return 'error';
  }
}

/** A one-line message per event type (the fields carry the details). */
function message(event: TokenEvent): string {
  switch (event.type) {
    case 'refreshed':
      return event.source === 'lwa' ? 'access token refreshed through LWA' : 'access token taken from the store (another process refreshed)';
    case 'refresh_failed':
      return `token refresh failed (${event.code})`;
    case 'retry':
      return `LWA request failed${event.status === undefined ? '' : ` with ${event.status}`}; retrying`;
    case 'revoked':
      return 'grant revoked by LWA (invalid_grant): the advertiser must consent again';
    case 'record_unreadable':
      return `the stored record does not open (${event.code}): check the encryption key`;
    case 'lock_waited':
      return 'waited for the refresh lock';
    case 'lock_unavailable':
      return 'lock backend unavailable: refreshing without the lock';
    case 'authenticated':
      return event.method === 'code' ? 'authorization code exchanged' : 'refresh token stored';
    case 'commit_pending':
      return 'the store refused the new tokens: held in memory, write retried';
    case 'commit_recovered':
      return 'tokens held in memory reached the store';
    case 'cleared':
      return 'tokens cleared';
  }
}

/** A listener that logs every event on `logger` (as `{ event: { ...fields } }`, with a message). */
export function pinoEventLogger(logger: Logger): TokenEventListener {
  return (event) => {
    logger[eventLevel(event)]({ event }, message(event));
  };
}

/** What example 5 saw. */
export interface PinoLoggingResult {
  /** The readiness report at the end. */
  health: HealthReport;
}

/** Runs example 5: logs (JSON lines through `env.log`, else stdout) what a refresh does; resolves with the health report. */
export async function run(env: ExampleEnv): Promise<PinoLoggingResult> {
  const write = env.log;
  const logger = pino(
    { level: 'debug', base: { component: 'ads-token' } },
    write === undefined ? pino.destination(1) : { write: (line: string) => write(line.trimEnd()) },
  );
  const store = new FileTokenStore({ path: env.tokenFile ?? DEFAULT_TOKEN_FILE });
  const lock = new FileLock(env.lockDirectory === undefined ? {} : { directory: env.lockDirectory });
  const manager = new TokenManager({
    clientId: env.clientId,
    clientSecret: env.clientSecret,
    http: new FetchHttpClient(),
    store,
    lock,
    onEvent: [pinoEventLogger(logger)], // add more listeners here, or later with manager.addListener()
    ...lwaOptions(env),
  });
  try {
    if (env.refreshToken !== undefined) await manager.setRefreshToken(env.refreshToken, { ifAbsent: true });
    await manager.getAccessToken();
    await manager.refreshAccessToken();
    const health = await manager.health();
    logger[health.ok ? 'info' : 'error']({ health }, health.ok ? 'ready' : 'not ready');
    return { health };
  } finally {
    await manager.close();
    await store.close();
    await lock.close();
  }
}

if (isMain(import.meta.url)) await runMain(run);
