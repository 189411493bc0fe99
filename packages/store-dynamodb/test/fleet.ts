// Fleet workers (real child processes of fixtures/fleet-worker.mjs, loopback only).
import { fileURLToPath } from 'node:url';
import { startFleetWorker, type FleetWorker } from '@ads-token/testing';

export type { FleetWorker as Worker, FleetWorkerResult as WorkerResult } from '@ads-token/testing';

const GUARD = fileURLToPath(new URL('./fixtures/loopback-only.mjs', import.meta.url));

/** Starts a worker with `env` (see fixtures/fleet-worker.mjs). */
export function startWorker(env: Record<string, string>): FleetWorker {
  return startFleetWorker(new URL('./fixtures/fleet-worker.mjs', import.meta.url), { env, execArgv: ['--import', GUARD] });
}
