import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (never Redis's own 6379). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const found = typeof address === 'object' && address !== null ? address.port : 0;
        server.close(() => resolve(found));
      });
    });
    if (port !== 6379 && port > 0) return port;
  }
}

/** A redis-server this test started on a loopback port. */
export interface RedisServer {
  port: number;
  url: string;
  /** Ends the server with `signal` and waits until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (after `kill`). */
  restart(): Promise<void>;
  /** Stops it for good; safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface StartRedisOptions {
  /** Keep data across a restart (append-only file, fsync on every write) in this directory. */
  persistentDir?: string;
  /** @default 15000 */
  readyTimeoutMs?: number;
}

/** Starts `redis-server` on a free loopback port and waits until it accepts connections. */
export async function startRedisServer(options: StartRedisOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', ''];
  if (options.persistentDir === undefined) args.push('--appendonly', 'no');
  else args.push('--appendonly', 'yes', '--appendfsync', 'always', '--dir', options.persistentDir);
  const timeoutMs = options.readyTimeoutMs ?? 15_000;
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`redis-server not ready within ${timeoutMs} ms: ${output.slice(-500)}`)); }, timeoutMs);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
        if (/ready to accept connections/i.test(output)) { clearTimeout(timer); resolve(); }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      proc.once('error', (error) => { clearTimeout(timer); reject(error); });
      proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`)); });
    });
    proc.stdout?.resume();
    proc.stderr?.resume();
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  };

  await launch();
  return { port, url: `redis://127.0.0.1:${port}`, kill, restart: launch, stop: () => kill('SIGKILL') };
}
