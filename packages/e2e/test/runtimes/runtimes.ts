import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { finish, run, start, stop, type ProcessResult } from './child-process.js';

/** What the smoke script is given: the simulator's token URL, client credentials and a fresh code. */
export interface SmokeConfig {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  code: string;
}

/** How a runtime ran the smoke script: the JSON it reported and the process's output. */
export interface SmokeRun {
  report: unknown;
  output: string;
}

/** One JavaScript runtime that can run the smoke script. */
export interface Runtime {
  name: 'node' | 'deno' | 'bun' | 'workerd';
  run(config: SmokeConfig, workDir: string): Promise<SmokeRun>;
}

/** Bound on one runtime's whole run. */
export const RUN_TIMEOUT_MS = 30_000;

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const cli = join(here, 'cli.mjs');

function packageDir(name: string, from = require): string {
  return dirname(from.resolve(`${name}/package.json`));
}

function denoBinary(): string {
  const dir = packageDir('deno');
  const linked = join(dir, 'deno'); // put there by deno's postinstall
  if (existsSync(linked)) return linked;
  return join(packageDir('@deno/linux-x64-glibc', createRequire(join(dir, 'package.json'))), 'deno');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function lastJsonLine(result: ProcessResult): SmokeRun {
  const output = `exit ${result.code ?? result.signal}${result.timedOut ? ' (timed out)' : ''}\n${result.stdout}\n${result.stderr}`;
  return { report: parseJson(result.stdout.trim().split('\n').pop() ?? ''), output };
}

const node: Runtime = {
  name: 'node',
  async run(config, workDir) {
    return lastJsonLine(await run(process.execPath, [cli, JSON.stringify(config)], { HOME: workDir }, RUN_TIMEOUT_MS));
  },
};

const deno: Runtime = {
  name: 'deno',
  async run(config, workDir) {
    const host = new URL(config.tokenUrl).host;
    // No config file; the import map points at the built dist; network: the simulator only.
    const args = ['run', '--no-config', '--no-lock', `--import-map=${join(here, 'deno-import-map.json')}`, `--allow-net=${host}`, cli];
    const env = { HOME: workDir, DENO_DIR: join(workDir, 'deno'), DENO_NO_UPDATE_CHECK: '1' };
    return lastJsonLine(await run(denoBinary(), [...args, JSON.stringify(config)], env, RUN_TIMEOUT_MS));
  },
};

const bun: Runtime = {
  name: 'bun',
  async run(config, workDir) {
    const binary = join(packageDir('@oven/bun-linux-x64'), 'bin', 'bun');
    const env = { HOME: workDir, BUN_INSTALL_CACHE_DIR: join(workDir, 'bun') };
    return lastJsonLine(await run(binary, ['--no-install', cli, JSON.stringify(config)], env, RUN_TIMEOUT_MS));
  },
};

/** POSTs `body` to the server on a unix socket; resolves with the status and body. */
function post(socketPath: string, body: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path: '/', method: 'POST', headers: { 'content-type': 'application/json' }, timeout: timeoutMs },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

const workerd: Runtime = {
  name: 'workerd',
  async run(config, workDir) {
    // workerd cannot resolve node_modules: one bundle of the worker, core and fetch-adapter.
    await build({
      entryPoints: [join(here, 'worker.mjs')],
      outfile: join(workDir, 'worker.bundle.js'),
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      logLevel: 'silent',
    });
    await copyFile(join(here, 'workerd.capnp'), join(workDir, 'workerd.capnp'));
    const socket = join(workDir, 'workerd.sock');
    const binary = join(packageDir('@cloudflare/workerd-linux-64'), 'bin', 'workerd');
    const child = start(binary, ['serve', join(workDir, 'workerd.capnp'), 'config', `--socket-addr=http=unix:${socket}`], { HOME: workDir });
    const exited = finish(child, RUN_TIMEOUT_MS);
    let ended = false;
    exited.then(
      () => (ended = true),
      () => (ended = true), // surfaces at `await exited` below
    );
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    try {
      let answer: { status: number; body: string } | undefined;
      while (answer === undefined && !ended) {
        if (Date.now() > deadline) throw new Error(`workerd did not listen within ${RUN_TIMEOUT_MS} ms`);
        answer = await post(socket, JSON.stringify(config), Math.max(1, deadline - Date.now())).catch((error: NodeJS.ErrnoException) => {
          // Not listening yet: the request never reached the worker, so the code is still unused.
          if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') return undefined;
          throw error;
        });
        if (answer === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await stop(child);
      const result = await exited;
      const output = `workerd ${answer === undefined ? 'exited early' : `answered HTTP ${answer.status}`}\n${result.stdout}\n${result.stderr}`;
      return { report: answer === undefined ? undefined : parseJson(answer.body), output };
    } finally {
      await stop(child);
    }
  },
};

/** The four runtimes, Node first. */
export const RUNTIMES: readonly Runtime[] = [node, deno, bun, workerd];
