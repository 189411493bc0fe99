import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Absolute path of a fixture script. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** A fresh private temp directory. */
export async function tempDir(prefix = 'store-file-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Removes a temp directory. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A child node process running a fixture; its stdout lines are parsed as JSON messages. */
export interface NodeChild {
  child: ChildProcess;
  messages: unknown[];
  /** Resolves with the first message (already seen or future) matching `match`, or rejects after `timeoutMs`. */
  waitFor(match: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  stderr: () => string;
  /** Writes one line to the child's stdin. */
  send(line: string): void;
}

const running = new Set<ChildProcess>();

/** Options of {@link startNode}. */
export interface StartNodeOptions {
  /** Steps the child's wall clock (Date.now(), new Date()) by this much from its start; its monotonic clock is untouched. */
  clockStepMs?: number;
}

/** Starts `node <fixture> <json args>`. Every child is killed by {@link killAll}. */
export function startNode(script: string, args: unknown, options: StartNodeOptions = {}): NodeChild {
  const stepped = options.clockStepMs !== undefined && options.clockStepMs !== 0;
  const execArgs = stepped ? ['--import', pathToFileURL(fixture('stepped-clock.mjs')).href] : [];
  const env = stepped ? { ...process.env, ADS_TOKEN_TEST_CLOCK_STEP_MS: String(options.clockStepMs) } : process.env;
  const child = spawn(process.execPath, [...execArgs, fixture(script), JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'pipe'], env });
  running.add(child);
  const messages: unknown[] = [];
  const waiters: Array<{ match: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }> = [];
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.match(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? -1);
    });
  });
  return {
    child,
    messages,
    stderr: () => err,
    exited,
    send: (line) => {
      child.stdin.write(`${line}\n`);
    },
    waitFor(match, timeoutMs = 15_000) {
      const seen = (messages as Record<string, unknown>[]).find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child message not seen within ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
        const w = {
          match,
          resolve: (m: Record<string, unknown>) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        waiters.push(w);
        void exited.then(() => {
          if (waiters.includes(w)) {
            clearTimeout(timer);
            reject(new Error(`child exited before the message; stderr: ${err}`));
          }
        });
      });
    },
  };
}

/** SIGKILLs every child still running and waits for them to exit. */
export async function killAll(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }),
    ),
  );
}

/** Resolves with the exit code of a child, failing after `timeoutMs`. */
export async function exitCode(c: NodeChild, timeoutMs = 30_000): Promise<number | string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`child did not exit within ${timeoutMs} ms; stderr: ${c.stderr()}`)), timeoutMs);
  });
  try {
    return await Promise.race([c.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A pid that belonged to a process which has exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid!;
  await new Promise((resolve) => child.on('exit', resolve));
  return pid;
}

/** Polls `check` until it returns true, failing after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
