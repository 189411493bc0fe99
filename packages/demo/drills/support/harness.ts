import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TokenManager } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { AdsApiSimulator, FakeClock, LwaSimulator, type LwaSimulatorOptions } from '@ads-token/testing';
import { openBackend } from '../../src/backend.js';
import { Fleet, type FleetMember } from '../../src/fleet.js';
import type { BackendConfig, WorkerConfig, WorkerEvent } from '../../src/protocol.js';

/** The built worker entry every drill forks. */
export const WORKER_ENTRY = fileURLToPath(new URL('../../dist/worker.js', import.meta.url));

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 25 ms; throws naming `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Things to stop after a drill, newest first. */
export class Cleanup {
  readonly #steps: (() => Promise<unknown>)[] = [];
  add(step: () => Promise<unknown>): void {
    this.#steps.push(step);
  }
  async run(): Promise<void> {
    for (const step of this.#steps.splice(0).reverse()) await step().catch(() => undefined);
  }
}

/** A fresh temp directory, removed by `cleanup`. */
export async function tempDir(cleanup: Cleanup, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanup.add(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** File store and lock config under `dir`. */
export function fileBackend(dir: string): BackendConfig & { kind: 'file' } {
  return { kind: 'file', path: join(dir, 'tokens.json'), lockDirectory: join(dir, 'locks') };
}

/** The LWA and Ads API simulators, stopped by `cleanup`. */
export async function startSimulators(cleanup: Cleanup, options: LwaSimulatorOptions): Promise<{ lwa: LwaSimulator; ads: AdsApiSimulator }> {
  const lwa = await LwaSimulator.start(options);
  cleanup.add(() => lwa.stop());
  const ads = await AdsApiSimulator.start({ lwa });
  cleanup.add(() => ads.stop());
  return { lwa, ads };
}

/**
 * Stores a new grant as if signed in `ageMs` ago (the access token then has `ageMs` less to live;
 * a huge age stores an expired one). Resets the simulator's counts. Returns the refresh token.
 */
export async function seedGrant(lwa: LwaSimulator, backend: BackendConfig, ageMs: number): Promise<string> {
  const refreshToken = lwa.issueRefreshToken();
  const opened = await openBackend(backend);
  const manager = new TokenManager({
    clientId: lwa.clientId,
    clientSecret: lwa.clientSecret,
    http: new FetchHttpClient(),
    store: opened.store,
    lock: opened.lock,
    endpoints: { tokenUrl: lwa.tokenUrl },
    clock: new FakeClock(Date.now() - ageMs),
  });
  try {
    await manager.setRefreshToken(refreshToken);
    await manager.getAccessToken();
  } finally {
    await manager.close();
    await opened.close();
  }
  lwa.resetCounts();
  return refreshToken;
}

/** What the fleet reported, with arrival times. */
export interface FleetLog {
  lwaRequests: { at: number; worker: number }[];
  events: { worker: number; event: WorkerEvent }[];
  failures: { at: number; worker: number; code: string; message: string }[];
  /** Wall-clock steps workers confirmed, with the parent's arrival time. */
  clockSteps: { at: number; worker: number; ms: number }[];
}

/** A running fleet and its log. */
export interface DrillFleet {
  fleet: Fleet;
  log: FleetLog;
  member(id: number): FleetMember;
  /** Calls served by each worker so far. */
  served(): number[];
  /** Steps worker `id`'s wall clock by `ms` and waits until it confirmed. */
  stepClock(id: number, ms: number): Promise<void>;
}

/** Options of {@link startFleet}. */
export interface StartFleetOptions {
  lwa: LwaSimulator;
  ads: AdsApiSimulator;
  backend: BackendConfig;
  size?: number;
  refreshBufferSeconds: number;
  lockTtlMs?: number;
  backgroundRetryCooldownMs?: number;
}

/** Forks the workers, lets them go, and stops them (SIGKILL after 15 s) in `cleanup`. */
export async function startFleet(cleanup: Cleanup, options: StartFleetOptions): Promise<DrillFleet> {
  if (!existsSync(WORKER_ENTRY)) throw new Error(`${WORKER_ENTRY} is missing: build the package first`);
  const log: FleetLog = { lwaRequests: [], events: [], failures: [], clockSteps: [] };
  const config = (id: number): WorkerConfig => ({
    id,
    clientId: options.lwa.clientId,
    clientSecret: options.lwa.clientSecret,
    tokenUrl: options.lwa.tokenUrl,
    adsUrl: options.ads.url,
    backend: options.backend,
    refreshBufferSeconds: options.refreshBufferSeconds,
    callers: 2,
    pauseMs: 50,
    errorPauseMs: 100,
    statusIntervalMs: 100,
    ...(options.lockTtlMs === undefined ? {} : { lockTtlMs: options.lockTtlMs }),
    ...(options.backgroundRetryCooldownMs === undefined ? {} : { backgroundRetryCooldownMs: options.backgroundRetryCooldownMs }),
  });
  const fleet = await Fleet.start({
    workerPath: WORKER_ENTRY,
    size: options.size ?? 4,
    config,
    onMessage: (member, message) => {
      if (message.type === 'lwa_request') log.lwaRequests.push({ at: message.at, worker: member.id });
      if (message.type === 'event') log.events.push({ worker: member.id, event: message.event });
      if (message.type === 'call_failed') log.failures.push({ at: message.at, worker: member.id, code: message.code, message: message.message });
      if (message.type === 'clock_stepped') log.clockSteps.push({ at: Date.now(), worker: member.id, ms: message.ms });
    },
  });
  cleanup.add(() => fleet.stop());
  fleet.go();
  return {
    fleet,
    log,
    member: (id) => {
      const found = fleet.members.find((m) => m.id === id);
      if (found === undefined) throw new Error(`no worker ${id}`);
      return found;
    },
    served: () => fleet.members.map((m) => m.stats.served),
    stepClock: async (id, ms) => {
      const before = log.clockSteps.length;
      fleet.send(id, { type: 'step_clock', ms });
      await until(() => log.clockSteps.slice(before).some((s) => s.worker === id), `worker ${id} stepped its clock`, 5000);
    },
  };
}

/** Waits until every worker in `ids` served at least one more call than in `before`. */
export async function everyoneServedAgain(drill: DrillFleet, ids: number[], what: string, timeoutMs: number): Promise<void> {
  const before = drill.served();
  await until(() => ids.every((id) => drill.member(id).stats.served > (before[id - 1] ?? 0)), what, timeoutMs);
}

/** A drill's report: what happened, and its figures. */
export interface DrillReport {
  story: string[];
  figures: [string, string | number][];
}

/** Attaches the report to the test, for the drill reporter to print. */
export function report(task: { meta: object }, drill: DrillReport): void {
  (task.meta as { drill?: DrillReport }).drill = drill;
}

/** Seconds with one decimal. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
