// FileTokenStore and FileLock costs next to in-memory baselines measured in the same run, a token
// refresh round under the lock, and refreshes per expiry for N processes sharing one file.
// Run with `pnpm --filter @ads-token/store-file bench` (builds first under nx).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { InProcessLock, MemoryTokenStore, TokenManager } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { FakeClock, LwaSimulator } from '@ads-token/testing';
import { FileLock, FileTokenStore } from '../dist/index.js';

const MIN_MS = 1000;
const dir = await mkdtemp(join(tmpdir(), 'store-file-bench-'));
const member = fileURLToPath(new URL('../test/fixtures/fleet-member.mjs', import.meta.url));

async function measure(name, fn, minMs = MIN_MS) {
  for (let i = 0; i < 5; i++) await fn();
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    await fn();
    ops++;
    elapsed = performance.now() - start;
  }
  return { name, usPerOp: (elapsed * 1000) / ops };
}

function table(title, rows, baseline) {
  console.log(`\n${title}`);
  for (const r of rows) {
    const ratio = r.usPerOp / baseline.usPerOp;
    console.log(`  ${r.name.padEnd(52)} ${r.usPerOp.toFixed(1).padStart(10)} us/op   x${ratio.toFixed(1)} vs ${baseline.name}`);
  }
}

const record = (v) => ({ version: v, data: 'x'.repeat(600) });

// Store read and compare-and-set.
{
  const memory = new MemoryTokenStore();
  const path = join(dir, 'store.json');
  const file = new FileTokenStore({ path });
  let n = 0;
  await memory.compareAndSet('k', undefined, record('m0'));
  await file.compareAndSet('k', undefined, record('f0'));
  for (let i = 0; i < 49; i++) await file.compareAndSet(`other-${i}`, undefined, record(`o${i}`));
  let mv = 'm0';
  let fv = 'f0';
  const rows = [
    await measure('MemoryTokenStore.get (baseline)', () => memory.get('k')),
    await measure('fs.readFile of the token file (50 records)', () => readFile(path, 'utf8')),
    await measure('FileTokenStore.get (50 records)', () => file.get('k')),
    await measure('MemoryTokenStore.compareAndSet', async () => {
      const next = `m${++n}`;
      await memory.compareAndSet('k', mv, record(next));
      mv = next;
    }),
    await measure('FileTokenStore.compareAndSet (lock, fsync, rename)', async () => {
      const next = `f${++n}`;
      await file.compareAndSet('k', fv, record(next));
      fv = next;
    }),
  ];
  table('Store operations', rows, rows[0]);
}

// Lock acquire + release, uncontended.
{
  const inProcess = new InProcessLock();
  const fileLock = new FileLock({ directory: join(dir, 'locks') });
  const rows = [
    await measure('InProcessLock acquire+release (baseline)', async () => (await inProcess.acquire('k', { ttlMs: 15_000, waitMs: 1000 })).release()),
    await measure('FileLock acquire+release', async () => (await fileLock.acquire('k', { ttlMs: 15_000, waitMs: 1000 })).release()),
  ];
  table('Lock, uncontended', rows, rows[0]);
}

// A refresh round (lock, re-read, LWA request, compare-and-set, release) against a loopback LWA.
{
  const lwa = await LwaSimulator.start();
  const http = new FetchHttpClient();
  const make = (store, lock) =>
    new TokenManager({ clientId: lwa.clientId, clientSecret: lwa.clientSecret, http, store, lock, endpoints: { tokenUrl: lwa.tokenUrl }, backgroundRefresh: false });
  const inMemory = make(new MemoryTokenStore(), new InProcessLock());
  const onFile = make(new FileTokenStore({ path: join(dir, 'refresh.json') }), new FileLock({ directory: join(dir, 'locks') }));
  await inMemory.setRefreshToken(lwa.issueRefreshToken());
  await onFile.setRefreshToken(lwa.issueRefreshToken());
  const rows = [
    await measure('refreshAccessToken, memory store + InProcessLock (baseline)', () => inMemory.refreshAccessToken()),
    await measure('refreshAccessToken, FileTokenStore + FileLock', () => onFile.refreshAccessToken()),
  ];
  table('Refresh round', rows, rows[0]);
  await inMemory.close();
  await onFile.close();
  await lwa.stop();
}

function startMember(args) {
  const child = spawn(process.execPath, [member, JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = [];
  const waiters = [];
  let exited = false;
  child.once('exit', () => {
    exited = true;
    for (const w of waiters.splice(0)) w();
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const m = JSON.parse(line);
    lines.push(m);
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = async (pred) => {
    const deadline = Date.now() + 60_000;
    while (!lines.some(pred)) {
      if (exited) throw new Error('fleet member exited early');
      if (Date.now() > deadline) throw new Error('fleet member did not answer within 60 s');
      await new Promise((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
    return lines.find(pred);
  };
  return { child, waitFor };
}

// Refreshes per expiry: N processes x 25 callers each hit an expired token at once.
{
  console.log('\nRefreshes per expiry (N processes x 25 callers, expired token; target: exactly 1)');
  for (const n of [1, 4, 8]) {
    const counts = {};
    for (const mode of ['unshared', 'shared']) {
      const lwa = await LwaSimulator.start();
      const path = join(dir, `fleet-${n}-${mode}.json`);
      const directory = join(dir, `fleet-locks-${n}`);
      const refreshToken = lwa.issueRefreshToken();
      if (mode === 'shared') {
        const past = new TokenManager({
          clientId: lwa.clientId,
          clientSecret: lwa.clientSecret,
          http: new FetchHttpClient(),
          store: new FileTokenStore({ path }),
          lock: new FileLock({ directory }),
          endpoints: { tokenUrl: lwa.tokenUrl },
          clock: new FakeClock(Date.now() - 2 * 3600_000),
          backgroundRefresh: false,
        });
        await past.setRefreshToken(refreshToken);
        await past.getAccessToken();
        await past.close();
        lwa.resetCounts();
      }
      const args = {
        path,
        directory,
        tokenUrl: lwa.tokenUrl,
        clientId: lwa.clientId,
        clientSecret: lwa.clientSecret,
        managers: 5,
        callersPerManager: 5,
        unshared: mode === 'unshared' ? { refreshToken } : undefined,
      };
      const members = Array.from({ length: n }, () => startMember(args));
      await Promise.all(members.map((m) => m.waitFor((x) => x.ready)));
      const start = performance.now();
      for (const m of members) m.child.stdin.write('go\n');
      await Promise.all(members.map((m) => m.waitFor((x) => x.done)));
      const ms = performance.now() - start;
      counts[mode] = { refreshes: lwa.counts.refresh_token, ms };
      await Promise.all(members.map((m) => new Promise((r) => (m.child.exitCode !== null ? r() : m.child.once('exit', r)))));
      await lwa.stop();
    }
    console.log(
      `  N=${n}: FileTokenStore + FileLock ${counts.shared.refreshes} refresh(es) (${counts.shared.ms.toFixed(0)} ms)` +
        `   baseline (5N managers, tokens in memory each): ${counts.unshared.refreshes} (${counts.unshared.ms.toFixed(0)} ms)` +
        `   ratio ${(counts.shared.refreshes / counts.unshared.refreshes).toFixed(2)}`,
    );
  }
}

await rm(dir, { recursive: true, force: true });
