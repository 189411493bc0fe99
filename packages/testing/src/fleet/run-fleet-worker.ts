import { createInterface } from 'node:readline';
import type { LockLease, TokenEvent, TokenManager } from '@ads-token/core';
import type { FleetWorkerResult } from './start-fleet-worker.js';

/** A token event with the epoch ms at which the worker saw it. */
export type RecordedEvent = TokenEvent & { at: number };

/** Options of {@link runFleetWorker}. */
export interface RunFleetWorkerOptions {
  /** The worker's manager, over the store and lock under test. */
  manager: Pick<TokenManager, 'getAccessToken' | 'refreshAccessToken'>;
  /** Concurrent callers in this process. @default 1 */
  callers?: number;
  /** What each caller does: `getAccessToken()` or `refreshAccessToken()`. @default 'get' */
  action?: 'get' | 'refresh';
  /** The manager's events, recorded by its `onEvent` (see {@link recordEvents}). */
  events: readonly RecordedEvent[];
  /** The leases the worker's lock granted, when it records them (reported as `leasesAborted`). */
  leases?: readonly LockLease[];
}

/** Returns a list and an `onEvent` listener that appends every event to it with the time seen. */
export function recordEvents(): { events: RecordedEvent[]; onEvent: (event: TokenEvent) => void } {
  const events: RecordedEvent[] = [];
  return { events, onEvent: (event) => events.push({ ...event, at: Date.now() }) };
}

/**
 * The worker side of {@link startFleetWorker}: prints `{type:'ready'}`, waits for `go` on stdin,
 * runs the callers at once, prints `{type:'done', ...}` (a {@link FleetWorkerResult}) and returns
 * it. The worker then closes its own manager, store and lock.
 */
export async function runFleetWorker(options: RunFleetWorkerOptions): Promise<FleetWorkerResult> {
  const { manager, events, leases } = options;
  const send = (message: object): void => {
    process.stdout.write(`${JSON.stringify(message)}\n`);
  };
  const lines = createInterface({ input: process.stdin });
  const go = new Promise((resolve) => lines.once('line', resolve));
  send({ type: 'ready' });
  await go;

  const started = performance.now();
  const resolvedAt: number[] = [];
  const call = async (): Promise<string> => {
    const token = await (options.action === 'refresh' ? manager.refreshAccessToken() : manager.getAccessToken());
    resolvedAt.push(Date.now());
    return token;
  };
  const settled = await Promise.allSettled(Array.from({ length: options.callers ?? 1 }, () => call()));
  const finishedMs = performance.now() - started;
  const result: FleetWorkerResult = {
    finishedMs,
    tokens: settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])),
    errors: settled.flatMap((s) => (s.status === 'rejected' ? [errorCode(s.reason)] : [])),
    ...(leases === undefined ? {} : { leasesAborted: leases.map((l) => l.signal.aborted) }),
    refreshed: events.flatMap((e) => (e.type === 'refreshed' ? [e.source] : [])),
    ...committedAt(events),
    resolvedAt,
  };
  send({ type: 'done', ...result });
  lines.close();
  return result;
}

function errorCode(reason: unknown): string {
  const code = (reason as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : String(reason);
}

function committedAt(events: readonly RecordedEvent[]): { committedAt?: number } {
  const commit = events.find((e) => e.type === 'refreshed' && e.source === 'lwa');
  return commit === undefined ? {} : { committedAt: commit.at };
}
