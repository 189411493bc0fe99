// Benchmarks of DynamoDbTokenStore + DynamoDbLock against dynalite, started in this process on a
// free loopback port (requests counted by operation at the server): DynamoDB requests per warm
// getAccessToken, per cold start and per refresh; LWA refreshes per expiry across 8 processes with
// the shared lock vs a naive fleet without it (same run); and how long polling waiters in other
// processes take to get the leader's token after its commit, at two poll intervals.
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { TokenManager, abortableSleep } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { LwaSimulator, startFleetWorker } from '@ads-token/testing';
import dynalite from 'dynalite';
import { DynamoDbLock, DynamoDbTokenStore, createTable } from '../dist/index.js';
import { loopbackClient } from '../test/fixtures/client.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
await import('../test/fixtures/loopback-only.mjs');

const PROCESSES = 8;
const CALLERS = 50;
const ROUNDS = 3;
const HOT_CALLS = 20_000;
const TABLE = 'bench';
const WORKER = fileURLToPath(new URL('../test/fixtures/fleet-worker.mjs', import.meta.url));
const GUARD = fileURLToPath(new URL('../test/fixtures/loopback-only.mjs', import.meta.url));
/** A seeding host whose clock is two hours behind: the access token it stores expired an hour ago. */
const pastClock = { now: () => Date.now() - 7_200_000, sleep: (ms, signal) => abortableSleep(ms, signal) };

async function startDynalite() {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const counts = new Map();
  server.on('request', (request) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const op = target.slice(target.indexOf('.') + 1);
    counts.set(op, (counts.get(op) ?? 0) + 1);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    snapshot: () => new Map(counts),
    since: (before) => {
      const out = {};
      for (const [op, n] of counts) if (n - (before.get(op) ?? 0) > 0) out[op] = n - (before.get(op) ?? 0);
      return out;
    },
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const total = (byOp) => Object.values(byOp).reduce((a, b) => a + b, 0);
const describe = (byOp) => Object.entries(byOp).map(([op, n]) => `${op} ${n}`).join(', ') || 'none';

const startWorker = (env) => startFleetWorker(WORKER, { env, execArgv: ['--import', GUARD] });

function managerFor(lwa, client, extra = {}) {
  const store = new DynamoDbTokenStore({ client, tableName: TABLE });
  const lock = new DynamoDbLock({ client, tableName: TABLE });
  const manager = new TokenManager({
    clientId: lwa.clientId, clientSecret: lwa.clientSecret, http: new FetchHttpClient(),
    endpoints: { tokenUrl: lwa.tokenUrl }, store, lock, backgroundRefresh: false, ...extra,
  });
  return { manager, close: async () => { await manager.close(); await lock.close(); } };
}

async function fleetRound(db, lwa, client, lock, pollIntervalMs) {
  const seed = managerFor(lwa, client, { clock: pastClock });
  await seed.manager.setRefreshToken(lwa.issueRefreshToken());
  await seed.manager.getAccessToken();
  await seed.close();
  const workers = Array.from({ length: PROCESSES }, () =>
    startWorker({
      DYNAMODB_ENDPOINT: db.endpoint, TABLE, TOKEN_URL: lwa.tokenUrl, CLIENT_ID: lwa.clientId, CLIENT_SECRET: lwa.clientSecret,
      CALLERS: String(CALLERS), ACTION: 'get', LOCK: lock, POLL_INTERVAL_MS: String(pollIntervalMs),
    }),
  );
  await Promise.all(workers.map((w) => w.ready));
  lwa.resetCounts();
  const before = db.snapshot();
  for (const w of workers) w.go();
  const results = await Promise.all(workers.map((w) => w.done));
  const requests = total(db.since(before));
  const committedAt = results.map((r) => r.committedAt).filter((t) => t !== undefined);
  const leaderCommit = Math.min(...committedAt);
  const waits = results.filter((r) => r.committedAt === undefined).flatMap((r) => r.resolvedAt.map((t) => t - leaderCommit));
  return { refreshes: lwa.counts.refresh_token, errors: results.flatMap((r) => r.errors).length, waits, requests };
}

const pct = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

const db = await startDynalite();
const lwa = await LwaSimulator.start({ rotateRefreshTokens: true, latencyMs: 50 });
const client = loopbackClient(db.endpoint);
try {
  await createTable({ client, tableName: TABLE });

  const one = managerFor(lwa, client, { grantId: 'single' });
  await one.manager.setRefreshToken(lwa.issueRefreshToken());
  await one.manager.getAccessToken();

  let before = db.snapshot();
  const hotStart = performance.now();
  for (let i = 0; i < HOT_CALLS; i++) await one.manager.getAccessToken();
  const hotMs = performance.now() - hotStart;
  const hot = total(db.since(before));
  console.log(`warm getAccessToken: ${(hot / HOT_CALLS).toFixed(4)} DynamoDB requests per call (target 0) over ${HOT_CALLS} calls, ${((hotMs * 1000) / HOT_CALLS).toFixed(2)} µs per call`);

  before = db.snapshot();
  const cold = managerFor(lwa, client, { grantId: 'single' });
  await cold.manager.getAccessToken();
  for (let i = 0; i < 100; i++) await cold.manager.getAccessToken();
  console.log(`cold start (a new manager, token valid in the table), then 100 warm calls: ${describe(db.since(before))} (target: one GetItem)`);
  await cold.close();

  before = db.snapshot();
  await one.manager.refreshAccessToken();
  const refresh = db.since(before);
  console.log(`refreshAccessToken in one process: ${total(refresh)} DynamoDB requests (${describe(refresh)}: lock put, store read, compare-and-set, lock release)`);
  await one.close();

  const results = { 250: [], 50: [], naive: [] };
  for (let round = 0; round < ROUNDS; round++) {
    results[250].push(await fleetRound(db, lwa, client, 'dynamodb', 250));
    results[50].push(await fleetRound(db, lwa, client, 'dynamodb', 50));
    results.naive.push(await fleetRound(db, lwa, client, 'local', 250));
  }
  const avg = (runs, field) => runs.reduce((s, r) => s + r[field], 0) / runs.length;
  const errors = (runs) => runs.reduce((s, r) => s + r.errors, 0);
  console.log(`LWA refreshes per expiry, ${PROCESSES} processes x ${CALLERS} callers, ${ROUNDS} rounds: DynamoDbLock ${avg(results[250], 'refreshes').toFixed(2)} (target 1) vs naive fleet without the shared lock ${avg(results.naive, 'refreshes').toFixed(2)} -> ${(avg(results.naive, 'refreshes') / avg(results[250], 'refreshes')).toFixed(1)}x fewer token requests; errors ${errors(results[250])} vs ${errors(results.naive)}`);
  for (const poll of [250, 50]) {
    const waits = results[poll].flatMap((r) => r.waits);
    console.log(`pollIntervalMs ${poll}: waiters in other processes got the leader's token after its commit: p50 ${pct(waits, 50)} ms, p95 ${pct(waits, 95)} ms, max ${Math.max(...waits)} ms (${waits.length} callers); DynamoDB requests per fleet expiry ${avg(results[poll], 'requests').toFixed(1)} (${(avg(results[poll], 'requests') / PROCESSES).toFixed(1)} per process); LWA refreshes ${avg(results[poll], 'refreshes').toFixed(2)}; errors ${errors(results[poll])}`);
  }
  const p50 = (poll) => pct(results[poll].flatMap((r) => r.waits), 50);
  console.log(`waiter latency p50, pollIntervalMs 250 vs 50: ${(p50(250) / Math.max(1, p50(50))).toFixed(1)}x`);
} finally {
  client.destroy();
  await lwa.stop();
  await db.stop();
}
