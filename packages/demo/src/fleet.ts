import { fork, type ChildProcess } from 'node:child_process';
import { emptyStats, type ParentMessage, type WorkerConfig, type WorkerMessage, type WorkerStats } from './protocol.js';

/** One worker process as the parent sees it. */
export interface FleetMember {
  id: number;
  pid: number;
  child: ChildProcess;
  /** The latest counters it reported (its final ones once stopped). */
  stats: WorkerStats;
  /** Set when it reported its final counters. */
  final: boolean;
  /** Set when it reported an unhandled rejection or uncaught exception. */
  fatal?: string;
  /** Exit code, or the signal that ended it, once it exited. */
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  /** Resolves when the process exited. */
  exited: Promise<void>;
  /** The tail of its stderr, for diagnosis. */
  stderr: string;
}

/** Options of {@link Fleet.start}. */
export interface FleetOptions {
  /** The built worker entry (dist/worker.js). */
  workerPath: string;
  size: number;
  /** The config of worker `id` (1-based). */
  config: (id: number) => WorkerConfig;
  /** Every message a worker sends, as it arrives. */
  onMessage?: (member: FleetMember, message: WorkerMessage) => void;
  /** How long to wait for every worker to be ready. @default 30000 */
  readyTimeoutMs?: number;
  /** Node options added to each worker's (`--expose-gc`, ...). */
  execArgv?: string[];
}

const STDERR_TAIL = 4000;

/** Worker processes forked from the built worker entry, talking over IPC. */
export class Fleet {
  readonly members: FleetMember[];

  private constructor(members: FleetMember[]) {
    this.members = members;
  }

  /** Forks `size` workers, hands each its config and waits until all are ready (not yet calling). */
  static async start(options: FleetOptions): Promise<Fleet> {
    const members: FleetMember[] = [];
    const ready: Promise<void>[] = [];
    for (let id = 1; id <= options.size; id += 1) {
      const child = fork(options.workerPath, [], { execArgv: [...process.execArgv, ...(options.execArgv ?? [])], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
      let onExit!: () => void;
      const member: FleetMember = {
        id,
        pid: child.pid ?? -1,
        child,
        stats: emptyStats(),
        final: false,
        exited: new Promise<void>((resolve) => { onExit = resolve; }),
        stderr: '',
      };
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => { member.stderr = (member.stderr + chunk).slice(-STDERR_TAIL); });
      child.on('exit', (code, signal) => { member.exit = { code, signal }; onExit(); });
      child.on('error', () => undefined);
      ready.push(
        new Promise<void>((resolve, reject) => {
          child.on('message', (message: WorkerMessage) => {
            if (message.type === 'ready') resolve();
            if (message.type === 'status' || message.type === 'final') member.stats = message.stats;
            if (message.type === 'final') member.final = true;
            if (message.type === 'fatal') member.fatal = message.reason;
            options.onMessage?.(member, message);
          });
          void member.exited.then(() => reject(new Error(`worker ${id} exited before it was ready: ${member.stderr.trim() || member.fatal || 'no output'}`)));
        }),
      );
      members.push(member);
      Fleet.#send(member, { type: 'start', config: options.config(id) });
    }
    const fleet = new Fleet(members);
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all(ready),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`workers not ready within ${timeoutMs} ms`)), timeoutMs); }),
      ]);
    } catch (error) {
      await fleet.kill();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return fleet;
  }

  static #send(member: FleetMember, message: ParentMessage): void {
    if (member.child.connected) member.child.send(message, () => undefined);
  }

  /** Sends `message` to worker `id` (1-based), if it is still connected. */
  send(id: number, message: ParentMessage): void {
    const member = this.members.find((m) => m.id === id);
    if (member !== undefined) Fleet.#send(member, message);
  }

  /** Lets every worker start calling. */
  go(): void {
    for (const member of this.members) Fleet.#send(member, { type: 'go' });
  }

  /** Workers still running. */
  get alive(): FleetMember[] {
    return this.members.filter((m) => m.exit === undefined);
  }

  /** Asks every worker to stop and report; SIGKILLs those not gone within `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    for (const member of this.alive) Fleet.#send(member, { type: 'stop' });
    await this.#waitExit(timeoutMs);
  }

  /** SIGKILLs every worker still running and waits for them to be gone. */
  async kill(): Promise<void> {
    for (const member of this.alive) member.child.kill('SIGKILL');
    await Promise.all(this.members.map((m) => m.exited));
  }

  async #waitExit(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const all = Promise.all(this.members.map((m) => m.exited));
    await Promise.race([all, new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); })]);
    clearTimeout(timer);
    await this.kill();
  }
}
