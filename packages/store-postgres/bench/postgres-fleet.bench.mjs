// Benchmarks of PostgresTokenStore + PostgresLock against a PostgreSQL this script starts (initdb on a
// free loopback port, temp directory): statements (round trips) per hot call and per refresh, LWA
// refreshes per expiry across 8 processes with the shared lock vs a naive fleet without it (same
// run), and how long waiters in other processes take to get the leader's token after its commit.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TokenManager } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { LwaSimulator, startFleetWorker } from '@ads-token/testing';
import { transform } from 'esbuild';
import pg from 'pg';
import { PostgresLock, PostgresTokenStore } from '../dist/index.js';

const PROCESSES = 8;
const CALLERS = 50;
const ROUNDS = 3;
const HOT_CALLS = 20_000;
const WORKER = fileURLToPath(new URL('../test/fixtures/fleet-worker.mjs', import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The tests' PostgreSQL helper (TypeScript), compiled next to this package's node_modules so it resolves `pg`. */
async function loadServerHelper() {
  const source = readFileSync(new URL('../test/postgres-server.ts', import.meta.url), 'utf8');
  const { code } = await transform(source, { loader: 'ts', format: 'esm', platform: 'node', target: 'node20' });
  const dir = new URL('../node_modules/.cache/ads-token-bench/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL('postgres-server.mjs', dir);
  writeFileSync(file, code);
  return import(pathToFileURL(fileURLToPath(file)).href);
}

const startWorker = (env) => startFleetWorker(WORKER, { env });

/** A pool whose every statement (one round trip each) is counted. */
function counting(pool) {
  const counter = { statements: 0, connections: 0 };
  const proxy = {
    query: (...args) => {
      counter.statements++;
      return pool.query(...args);
    },
    connect: () => {
      counter.connections++;
      return pool.connect();
    },
  };
  return { proxy, counter };
}

function managerFor(lwa, pool) {
  const store = new PostgresTokenStore({ pool });
  const lock = new PostgresLock({ pool });
  const manager = new TokenManager({ clientId: lwa.clientId, clientSecret: lwa.clientSecret, http: new FetchHttpClient(), endpoints: { tokenUrl: lwa.tokenUrl }, store, lock });
  return { manager, close: async () => { await manager.close(); await store.close(); await lock.close(); } };
}

async function fleetRound(url, lwa, lock) {
  const seedPool = new pg.Pool({ connectionString: url, max: 2 });
  const seed = managerFor(lwa, seedPool);
  await seed.manager.setRefreshToken(lwa.issueRefreshToken());
  await seed.manager.getAccessToken();
  await seed.close();
  await seedPool.end();
  const workers = Array.from({ length: PROCESSES }, () =>
    startWorker({ PG_URL: url, TOKEN_URL: lwa.tokenUrl, CLIENT_ID: lwa.clientId, CLIENT_SECRET: lwa.clientSecret, CALLERS: String(CALLERS), ACTION: 'get', LOCK: lock }),
  );
  await Promise.all(workers.map((w) => w.ready));
  await sleep(2200); // the 2 s token has expired
  lwa.resetCounts();
  for (const w of workers) w.go();
  const results = await Promise.all(workers.map((w) => w.done));
  const committedAt = results.map((r) => r.committedAt).filter((t) => t !== undefined);
  const leaderCommit = Math.min(...committedAt);
  const waits = results.filter((r) => r.committedAt === undefined).flatMap((r) => r.resolvedAt.map((t) => t - leaderCommit));
  return { refreshes: lwa.counts.refresh_token, errors: results.flatMap((r) => r.errors).length, waits };
}

/** Baseline: how long a bare NOTIFY takes to reach another connection's listener (statement sent to callback), in ms. */
async function notifyLatency(url, samples) {
  const listener = new pg.Client({ connectionString: url });
  const sender = new pg.Client({ connectionString: url });
  await listener.connect();
  await sender.connect();
  await listener.query('LISTEN bench_baseline');
  const out = [];
  try {
    for (let i = 0; i < samples; i++) {
      const arrived = new Promise((resolve) => listener.once('notification', () => resolve(performance.now())));
      const sent = performance.now();
      await sender.query(`SELECT pg_notify('bench_baseline', $1)`, [String(i)]);
      out.push((await arrived) - sent);
      await sleep(5);
    }
  } finally {
    await listener.end();
    await sender.end();
  }
  return out;
}

const pct = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

const { startPostgres } = await loadServerHelper();
const server = await startPostgres();
const lwa = await LwaSimulator.start({ tokenLifetimeSeconds: 2, rotateRefreshTokens: false, latencyMs: 50 });
const lwaLong = await LwaSimulator.start({ tokenLifetimeSeconds: 3600 });
const pool = new pg.Pool({ connectionString: server.url, max: 4 });
try {
  await new PostgresTokenStore({ pool }).createTable();
  await new PostgresLock({ pool }).createTable();
  const { proxy, counter } = counting(pool);
  const one = managerFor(lwaLong, proxy);
  await one.manager.setRefreshToken(lwaLong.issueRefreshToken());
  await one.manager.getAccessToken();
  await sleep(100);
  await one.manager.getAccessToken(); // re-read after its own write's change notification
  await one.manager.refreshAccessToken();
  await sleep(100);
  await one.manager.getAccessToken();

  let statements = counter.statements;
  const hotStart = performance.now();
  for (let i = 0; i < HOT_CALLS; i++) await one.manager.getAccessToken();
  const hotMs = performance.now() - hotStart;
  console.log(`hot getAccessToken: ${((counter.statements - statements) / HOT_CALLS).toFixed(4)} PostgreSQL round trips per call (target 0) over ${HOT_CALLS} calls, ${((hotMs * 1000) / HOT_CALLS).toFixed(2)} µs per call`);

  statements = counter.statements;
  const refreshStart = performance.now();
  await one.manager.refreshAccessToken();
  const refreshMs = performance.now() - refreshStart;
  const refreshTrips = counter.statements - statements;
  await sleep(100);
  statements = counter.statements;
  await one.manager.getAccessToken();
  const rereadTrips = counter.statements - statements;
  console.log(`refreshAccessToken in one process: ${refreshTrips} PostgreSQL round trips (lease insert, store read, compare-and-set with NOTIFY, release with NOTIFY; ${refreshMs.toFixed(1)} ms with LWA), plus ${rereadTrips} on the next call after the change notification; ${counter.connections} listening connection(s) opened`);
  await one.close();

  const shared = [];
  const naive = [];
  for (let round = 0; round < ROUNDS; round++) {
    shared.push(await fleetRound(server.url, lwa, 'postgres'));
    naive.push(await fleetRound(server.url, lwa, 'local'));
  }
  const avg = (runs) => runs.reduce((s, r) => s + r.refreshes, 0) / runs.length;
  console.log(`LWA refreshes per expiry, ${PROCESSES} processes x ${CALLERS} callers, ${ROUNDS} rounds: PostgresLock ${avg(shared).toFixed(2)} (target 1) vs naive fleet without the shared lock ${avg(naive).toFixed(2)} -> ${(avg(naive) / avg(shared)).toFixed(1)}x fewer token requests; errors ${shared.reduce((s, r) => s + r.errors, 0)} vs ${naive.reduce((s, r) => s + r.errors, 0)}`);
  const waits = shared.flatMap((r) => r.waits);
  const baseline = await notifyLatency(server.url, 200);
  console.log(`waiters in other processes got the leader's token after its commit: p50 ${pct(waits, 50)} ms, p95 ${pct(waits, 95)} ms, max ${Math.max(...waits)} ms (target < 50 ms; ${waits.length} callers)`);
  console.log(`baseline, same run: a bare NOTIFY reaches another connection in p50 ${pct(baseline, 50).toFixed(1)} ms, p95 ${pct(baseline, 95).toFixed(1)} ms -> waiters' p50 is ${(pct(waits, 50) / Math.max(0.1, pct(baseline, 50))).toFixed(1)}x a bare NOTIFY (a waiter also re-reads the store); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
} finally {
  await pool.end();
  await lwa.stop();
  await lwaLong.stop();
  await server.stop();
}
