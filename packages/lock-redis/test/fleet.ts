// Fleet workers (real child processes) of this package's fixtures.
import { fileURLToPath } from 'node:url';
import { startFleetWorker, type FleetWorker, type FleetWorkerResult } from '@ads-token/testing';

export type { FleetWorker as Worker, FleetWorkerResult as WorkerResult } from '@ads-token/testing';

/** The pool fleet's worker (fixtures/pool-fleet-worker.mjs). */
export const POOL_WORKER = fileURLToPath(new URL('./fixtures/pool-fleet-worker.mjs', import.meta.url));

/** Starts a worker with `env` (see fixtures/fleet-worker.mjs, or the `script` given). */
export function startWorker<R = FleetWorkerResult>(env: Record<string, string>, script: string | URL = new URL('./fixtures/fleet-worker.mjs', import.meta.url)): FleetWorker<R> {
  return startFleetWorker<R>(script, { env });
}
