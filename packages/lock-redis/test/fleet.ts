// Spawns fleet workers (real child processes) and talks to them over stdio JSON lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./fixtures/fleet-worker.mjs', import.meta.url));

/** The pool fleet's worker (fixtures/pool-fleet-worker.mjs). */
export const POOL_WORKER = fileURLToPath(new URL('./fixtures/pool-fleet-worker.mjs', import.meta.url));

/** What a worker reports when done. */
export interface WorkerResult {
  finishedMs: number;
  tokens: string[];
  errors: string[];
  leasesAborted: boolean[];
  refreshed: string[];
}

/** One running worker. */
export interface Worker<R = WorkerResult> {
  readonly process: ChildProcess;
  readonly ready: Promise<void>;
  readonly done: Promise<R>;
  go(): void;
  kill(): void;
}

/** Starts a worker with `env` (see fixtures/fleet-worker.mjs, or the `script` given). */
export function startWorker<R = WorkerResult>(env: Record<string, string>, script = WORKER): Worker<R> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  let onReady: () => void = () => undefined;
  let onDone: (r: R) => void = () => undefined;
  let onFail: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before ready: ${stderr.slice(-2000)}`)));
  });
  const done = new Promise<R>((resolve, reject) => {
    onDone = resolve;
    onFail = reject;
  });
  child.once('exit', (code) => onFail(new Error(`worker exited (${code}) before done: ${stderr.slice(-2000)}`)));
  lines.on('line', (line) => {
    const message = JSON.parse(line) as { type: string } & R;
    if (message.type === 'ready') onReady();
    if (message.type === 'done') onDone(message);
  });
  ready.catch(() => undefined);
  done.catch(() => undefined);
  return {
    process: child,
    ready,
    done,
    go: () => child.stdin.write('go\n'),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
    },
  };
}
