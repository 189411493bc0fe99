// Fleet workers (real child processes) of this package's fixtures/fleet-worker.mjs.
import { startFleetWorker, type FleetWorker } from '@ads-token/testing';

export type { FleetWorker as Worker, FleetWorkerResult as WorkerResult } from '@ads-token/testing';

/** Starts a worker with `env` (see fixtures/fleet-worker.mjs). */
export function startWorker(env: Record<string, string>): FleetWorker {
  return startFleetWorker(new URL('./fixtures/fleet-worker.mjs', import.meta.url), { env });
}
