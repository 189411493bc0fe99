// Runs fixtures/hold-and-exit.mjs: a process that takes a lease and exits without releasing it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./fixtures/hold-and-exit.mjs', import.meta.url));
const GUARD = fileURLToPath(new URL('./fixtures/loopback-only.mjs', import.meta.url));

/** How the holder process ended. */
export interface HolderExit {
  out: string;
  err: string;
  exit: number | string;
}

/** Starts the holder and resolves when it exits (killed after 15 s). */
export async function holdAndExit(env: Record<string, string>): Promise<HolderExit> {
  const child = spawn(process.execPath, ['--import', GUARD, SCRIPT], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('still running after 15 s');
    }, 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code ?? 'killed');
    });
  });
  return { out, err, exit };
}
