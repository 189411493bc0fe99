import { AdsTokenError, TokenManager, TokenPool, type HttpClient, type TokenEvent, type TokenManagerOptions } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { openBackend, type Backend } from './backend.js';
import { managerTarget, poolTarget } from './call-target.js';
import { LOCK_WAIT_THRESHOLD_MS, emptyStats, type ParentMessage, type WorkerConfig, type WorkerEvent, type WorkerMessage, type WorkerStats } from './protocol.js';
import { stepWallClock } from './wall-clock-step.js';

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });

/** How long in-flight calls may finish after `stop` before they are aborted. */
const STOP_GRACE_MS = 3000;

function send(message: WorkerMessage): void {
  if (process.connected) process.send?.(message);
}

/** The stable code of a failure: an AdsTokenError's `code`, else the error's name. */
export function failureCode(error: unknown): string {
  if (error instanceof AdsTokenError) return error.code;
  if (error instanceof Error) return error.name;
  return 'UNKNOWN';
}

function summarise(event: TokenEvent): WorkerEvent {
  const out: WorkerEvent = { type: event.type, at: event.at };
  if (event.type === 'refreshed') out.source = event.source;
  if (event.type === 'lock_waited') out.waitedMs = event.waitedMs;
  if (event.type === 'refresh_failed') { out.code = event.code; out.background = event.background; }
  if (event.type === 'retry' && event.status !== undefined) out.status = event.status;
  return out;
}

/**
 * One fleet member: waits for its config over IPC, shares tokens through the configured store and
 * lock, and calls the Ads API through createAdsFetch in `callers` loops until told to stop (one grant
 * through a TokenManager, or many through a TokenPool with each call routed by profile id),
 * reporting counters and TokenManager events to the parent.
 */
export async function runFleetWorker(): Promise<void> {
  const fail = (kind: string) => (reason: unknown) => {
    const text = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
    send({ type: 'fatal', reason: `${kind}: ${text}` });
    setTimeout(() => process.exit(70), 100).unref();
  };
  process.on('unhandledRejection', fail('unhandledRejection'));
  process.on('uncaughtException', fail('uncaughtException'));
  process.on('disconnect', () => process.exit(0));

  const config = await new Promise<WorkerConfig>((resolve) => {
    const onMessage = (message: ParentMessage): void => {
      if (message.type === 'start') { process.off('message', onMessage); resolve(message.config); }
    };
    process.on('message', onMessage);
  });

  process.on('message', (message: ParentMessage) => {
    if (message.type !== 'step_clock') return;
    stepWallClock(message.ms);
    send({ type: 'clock_stepped', ms: message.ms });
  });

  const stats: WorkerStats = emptyStats();
  const backend: Backend = await openBackend(config.backend, { onRedisError: () => { stats.redisErrors += 1; } });
  const inner = new FetchHttpClient();
  let inFlight = 0;
  const http: HttpClient = {
    send: async (request) => {
      if (request.url !== config.tokenUrl) return inner.send(request);
      stats.lwaRequests += 1;
      inFlight += 1;
      stats.lwaInFlightPeak = Math.max(stats.lwaInFlightPeak, inFlight);
      send({ type: 'lwa_request', at: Date.now() });
      try {
        return await inner.send(request);
      } finally {
        inFlight -= 1;
      }
    },
  };
  const options: TokenManagerOptions = {
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    http,
    store: backend.store,
    lock: backend.lock,
    endpoints: { tokenUrl: config.tokenUrl },
    refreshBuffer: config.refreshBufferSeconds,
    ...(config.lockTtlMs === undefined ? {} : { lockTtlMs: config.lockTtlMs }),
    ...(config.backgroundRetryCooldownMs === undefined ? {} : { backgroundRetryCooldownMs: config.backgroundRetryCooldownMs }),
    onEvent: (event) => {
      if (event.type === 'refreshed') {
        if (event.source === 'lwa') stats.lwaRefreshes += 1;
        else stats.storeRefreshes += 1;
      } else if (event.type === 'lock_waited') {
        if (event.waitedMs >= LOCK_WAIT_THRESHOLD_MS) stats.lockWaits += 1;
        stats.maxLockWaitMs = Math.max(stats.maxLockWaitMs, event.waitedMs);
      } else if (event.type === 'refresh_failed') {
        stats.refreshFailures += 1;
      } else if (event.type === 'retry') {
        stats.retries += 1;
      }
      send({ type: 'event', event: summarise(event) });
      if (config.relayEvents === true) send({ type: 'token_event', event });
    },
  };
  const grants = config.grants;
  const target = grants === undefined
    ? managerTarget(new TokenManager(options), config.adsUrl)
    : await poolTarget(
        () => new TokenPool({ ...options, ...(config.maxConcurrentRefreshes === undefined ? {} : { maxConcurrentRefreshes: config.maxConcurrentRefreshes }) }),
        grants,
        config.adsUrl,
        stats,
        config.profileStart,
      );

  const stopping = new AbortController();
  const abortCalls = new AbortController();
  const recordFailure = (code: string, name: string, message: string): void => {
    stats.errors += 1;
    stats.errorCodes[code] = (stats.errorCodes[code] ?? 0) + 1;
    stats.lastError = { code, message };
    send({ type: 'call_failed', at: Date.now(), code, name, message });
  };

  const loop = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      let ok = false;
      stats.calls += 1;
      try {
        const response = await target.call(abortCalls.signal);
        await response.arrayBuffer();
        ok = response.ok;
        if (ok) {
          stats.served += 1;
          stats.lastServedAt = Date.now();
        } else {
          recordFailure(`HTTP_${response.status}`, 'HttpStatus', `Ads API answered ${response.status}`);
        }
      } catch (error) {
        if (abortCalls.signal.aborted) {
          stats.calls -= 1; // cut off by stop: not a call that failed
          return;
        }
        recordFailure(failureCode(error), error instanceof Error ? error.name : 'Error', error instanceof Error ? error.message : String(error));
      }
      await sleep(ok ? config.pauseMs : config.errorPauseMs, stopping.signal);
    }
  };

  const status = setInterval(() => send({ type: 'status', stats }), config.statusIntervalMs);
  status.unref();

  await new Promise<void>((resolve) => {
    const onMessage = (message: ParentMessage): void => {
      if (message.type === 'go') { process.off('message', onMessage); resolve(); }
    };
    process.on('message', onMessage);
    send({ type: 'ready' });
  });

  const stopped = new Promise<void>((resolve) => {
    process.on('message', (message: ParentMessage) => {
      if (message.type === 'stop') { stopping.abort(); resolve(); }
    });
  });
  const loops = Promise.all(Array.from({ length: config.callers }, () => loop()));
  await stopped;
  const grace = setTimeout(() => abortCalls.abort(), STOP_GRACE_MS);
  await loops;
  clearTimeout(grace);
  clearInterval(status);
  await target.close().catch(() => undefined);
  await backend.close().catch(() => undefined);
  await new Promise<void>((resolve) => {
    if (!process.connected) { resolve(); return; }
    process.send?.({ type: 'final', stats } satisfies WorkerMessage, () => resolve());
  });
  process.exit(0);
}
