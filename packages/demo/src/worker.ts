import { runFleetWorker } from './fleet-worker.js';

/** Entry of a fleet worker process (forked by the demo and the drills). */
void runFleetWorker();
