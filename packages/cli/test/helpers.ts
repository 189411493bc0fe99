import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export { freePort, startRedis, type RedisServer as TestRedis } from '../../redis-common/test/redis-server.js';

/** The built binary under test. */
export const BIN = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Longest time any one CLI run may take before the test fails (it includes LWA retries). */
export const RUN_TIMEOUT_MS = 30_000;

/** A fresh private temp directory. */
export function tempDir(prefix = 'ads-token-cli-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Removes a temp directory. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT'));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * A free port below the ephemeral range (where outgoing connections take their local ports), for a
 * redirect URI registered before the CLI listens on it: free on 127.0.0.1 and ::1.
 */
export async function freeListenPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await canListen(port, '127.0.0.1')) && (await canListen(port, '::1'))) return port;
  }
  throw new Error('no free port found for the redirect listener');
}

/** What a finished run printed and how it ended. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `ads-token` child. */
export interface BinChild {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr (seen or future); rejects after `timeoutMs` or on exit. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Writes text to stdin. */
  write(text: string): void;
  /** Closes stdin. */
  end(): void;
  /** Resolves when the child exits (rejects after `timeoutMs`, killing it). */
  done(timeoutMs?: number): Promise<RunResult>;
}

const running = new Set<ChildProcess>();

/** Starts `node dist/cli.js ...args` with exactly `env` (plus PATH). */
export function startBin(args: readonly string[], env: Record<string, string>, cwd: string): BinChild {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    for (const l of [...listeners]) l();
  });
  let ended = false;
  const exited = new Promise<RunResult>((resolve) => {
    child.once('close', (code, signal) => {
      running.delete(child);
      ended = true;
      for (const l of [...listeners]) l();
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  child.stdin.on('error', () => undefined);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForStderr(pattern, timeoutMs = RUN_TIMEOUT_MS) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = err.match(pattern);
          if (m) {
            done();
            resolve(m);
          } else if (ended) {
            done();
            reject(new Error(`exited before stderr matched ${String(pattern)}; stderr:\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`stderr did not match ${String(pattern)} within ${timeoutMs} ms; stderr:\n${err}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    write(text) {
      child.stdin.write(text);
    },
    end() {
      child.stdin.end();
    },
    async done(timeoutMs = RUN_TIMEOUT_MS) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`ads-token ${args.join(' ')} did not exit within ${timeoutMs} ms; stderr:\n${err}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs `ads-token ...args` to completion, feeding `stdin` (closed afterwards). */
export async function runBin(args: readonly string[], env: Record<string, string>, cwd: string, stdin = ''): Promise<RunResult> {
  const child = startBin(args, env, cwd);
  child.write(stdin);
  child.end();
  return child.done();
}

/** Kills every child still running (afterEach). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Follows a consent URL like a browser that approves, without following the redirect: returns its Location. */
export async function consent(url: string): Promise<string> {
  const response = await fetch(url, { redirect: 'manual' });
  await response.body?.cancel();
  const location = response.headers.get('location');
  if (response.status !== 302 || location === null) throw new Error(`consent answered ${response.status} without a redirect`);
  return location;
}

/** The consent URL `login` printed. */
export const CONSENT_URL = /(http:\/\/127\.0\.0\.1:\d+\/ap\/oa\?\S+)/;

/** The environment that points the CLI at the simulators, with a token file in `dir` unless `store` is given. */
export function simulatorEnv(
  dir: string,
  lwa: { clientId: string; clientSecret: string; tokenUrl: string; authorizationUrl: string },
  options: { apiUrl?: string; store?: string } = {},
): Record<string, string> {
  const env: Record<string, string> = {
    HOME: dir,
    TMPDIR: dir,
    ADS_CLIENT_ID: lwa.clientId,
    ADS_CLIENT_SECRET: lwa.clientSecret,
    ADS_TOKEN_URL: lwa.tokenUrl,
    ADS_AUTHORIZATION_URL: lwa.authorizationUrl,
    ADS_TOKEN_STORE: options.store ?? join(dir, 'tokens.json'),
  };
  if (options.apiUrl !== undefined) env.ADS_API_URL = options.apiUrl;
  return env;
}

/** Asserts that no output shows a refresh token or any of `secrets`, and empties `outputs`. */
export function expectNoSecrets(outputs: RunResult[], secrets: readonly string[]): void {
  for (const { stdout, stderr } of outputs.splice(0)) {
    for (const text of [stdout, stderr]) {
      expect(text).not.toContain('Atzr|');
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  }
}
