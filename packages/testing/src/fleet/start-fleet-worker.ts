import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** What a fleet worker reports when done (see {@link runFleetWorker}). */
export interface FleetWorkerResult {
  /** Milliseconds from `go` until every caller settled. */
  finishedMs: number;
  /** The access tokens the callers got. */
  tokens: string[];
  /** The error codes (or messages) of the callers that failed. */
  errors: string[];
  /** Per lease the worker took, whether its signal had aborted; only when the worker recorded leases. */
  leasesAborted?: boolean[];
  /** The `source` of every `refreshed` event. */
  refreshed: string[];
  /** Epoch ms of the worker's own commit of an LWA answer, if any. */
  committedAt?: number;
  /** Epoch ms at which each caller got its token. */
  resolvedAt: number[];
}

/** One running fleet worker: a real child process driven over stdio JSON lines. */
export interface FleetWorker<R = FleetWorkerResult> {
  /** The child process (to SIGSTOP it, for instance). */
  readonly process: ChildProcess;
  /** Settles when the worker is ready for `go()`; rejects if it exits first. */
  readonly ready: Promise<void>;
  /** Settles with the worker's report; rejects if it exits first. */
  readonly done: Promise<R>;
  /** Lets the worker start its calls. */
  go(): void;
  /** Kills the worker (resuming it first if it was stopped). Safe to call twice. */
  kill(): void;
}

/** Options of {@link startFleetWorker}. */
export interface StartFleetWorkerOptions {
  /** Extra environment for the worker, on top of this process's. */
  env?: Record<string, string>;
  /** Node options before the script, e.g. `['--import', guardModule]`. @default [] */
  execArgv?: string[];
}

/**
 * Starts `script` (a module that calls {@link runFleetWorker}) as a child Node process, for a fleet
 * test of a store or lock: await `ready`, call `go()`, await `done`. The caller kills it in cleanup.
 */
export function startFleetWorker<R = FleetWorkerResult>(script: string | URL, options: StartFleetWorkerOptions = {}): FleetWorker<R> {
  const path = script instanceof URL ? fileURLToPath(script) : script;
  const child = spawn(process.execPath, [...(options.execArgv ?? []), path], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
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
