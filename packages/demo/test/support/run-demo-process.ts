import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built demo entry. */
export const DEMO_ENTRY = fileURLToPath(new URL('../../dist/demo.js', import.meta.url));

/** What a demo process printed and how it ended. */
export interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/demo.js` with extra env and arguments (stdout piped, so plain status lines); killed after `timeoutMs`. */
export async function runDemoProcess(env: Record<string, string>, timeoutMs: number, args: string[] = []): Promise<DemoRun> {
  if (!existsSync(DEMO_ENTRY)) throw new Error(`${DEMO_ENTRY} is missing: build the package first`);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (env['REDIS_URL'] === undefined) delete childEnv['REDIS_URL'];
  if (env['DATABASE_URL'] === undefined) delete childEnv['DATABASE_URL'];
  const child = spawn(process.execPath, [DEMO_ENTRY, ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** The figure after `label:` in the demo's summary, or NaN. */
export function figure(stdout: string, label: string): number {
  const match = new RegExp(`^${label}:\\s+([0-9.]+)`, 'm').exec(stdout);
  return match === null ? NaN : Number(match[1]);
}
