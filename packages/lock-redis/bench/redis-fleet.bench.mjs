// Benchmarks of RedisLock + RedisTokenStore against a redis-server this script starts on a free
// loopback port: Redis round trips per hot call and per refresh (INFO commandstats), LWA refreshes
// per expiry across 8 processes with the shared lock vs a naive fleet without it (same run), and how
// long waiters take to get the leader's token after its commit.
import { fileURLToPath } from 'node:url';
import { TokenManager } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { RedisTokenStore } from '@ads-token/store-redis';
import { LwaSimulator, startFleetWorker } from '@ads-token/testing';
import { createClient } from 'redis';
import { RedisLock } from '../dist/index.js';
import { startRedis } from './redis-server.mjs';

const PROCESSES = 8;
const CALLERS = 50;
const ROUNDS = 3;
const HOT_CALLS = 20_000;
const WORKER = fileURLToPath(new URL('../test/fixtures/fleet-worker.mjs', import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Commands Redis processed since start, INFO itself excluded. */
async function commandCount(client) {
  const info = await client.sendCommand(['INFO', 'commandstats']);
  let total = 0;
  for (const m of String(info).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) if (m[1] !== 'info') total += Number(m[2]);
  return total;
}

const startWorker = (env) => startFleetWorker(WORKER, { env });

/** Wraps a node-redis client so every command sent through it (one round trip each) is counted. */
function counting(client) {
  const counter = { trips: 0 };
  const proxy = new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === 'sendCommand') return (...args) => { counter.trips++; return value.apply(target, args); };
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { proxy, counter };
}

function managerFor(lwa, client) {
  const store = new RedisTokenStore({ client });
  const lock = new RedisLock({ client });
  const manager = new TokenManager({ clientId: lwa.clientId, clientSecret: lwa.clientSecret, http: new FetchHttpClient(), endpoints: { tokenUrl: lwa.tokenUrl }, store, lock });
  return { manager, close: async () => { await manager.close(); await store.close(); await lock.close(); } };
}

async function fleetRound(redis, lwa, lock) {
  const seedClient = createClient({ socket: { host: '127.0.0.1', port: redis.port } });
  await seedClient.connect();
  const seed = managerFor(lwa, seedClient);
  await seed.manager.setRefreshToken(lwa.issueRefreshToken());
  await seed.manager.getAccessToken();
  await seed.close();
  seedClient.destroy();
  const workers = Array.from({ length: PROCESSES }, () =>
    startWorker({ REDIS_PORT: String(redis.port), TOKEN_URL: lwa.tokenUrl, CLIENT_ID: lwa.clientId, CLIENT_SECRET: lwa.clientSecret, CALLERS: String(CALLERS), ACTION: 'get', LOCK: lock }),
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

const pct = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

const redis = await startRedis();
const lwa = await LwaSimulator.start({ tokenLifetimeSeconds: 2, rotateRefreshTokens: false, latencyMs: 50 });
const lwaLong = await LwaSimulator.start({ tokenLifetimeSeconds: 3600 });
const admin = createClient({ socket: { host: '127.0.0.1', port: redis.port } });
try {
  await admin.connect();
  const client = createClient({ socket: { host: '127.0.0.1', port: redis.port } });
  await client.connect();
  const { proxy, counter } = counting(client);
  const one = managerFor(lwaLong, proxy);
  await one.manager.setRefreshToken(lwaLong.issueRefreshToken());
  await one.manager.getAccessToken();
  await sleep(100);
  await one.manager.getAccessToken(); // re-read after its own write's change notification
  await one.manager.refreshAccessToken(); // loads the scripts into Redis's cache
  await sleep(100);
  await one.manager.getAccessToken();

  let before = await commandCount(admin);
  let trips = counter.trips;
  const hotStart = performance.now();
  for (let i = 0; i < HOT_CALLS; i++) await one.manager.getAccessToken();
  const hotMs = performance.now() - hotStart;
  const hotCommands = (await commandCount(admin)) - before;
  console.log(`hot getAccessToken: ${((counter.trips - trips) / HOT_CALLS).toFixed(4)} Redis round trips per call (target 0; server saw ${hotCommands} commands) over ${HOT_CALLS} calls, ${((hotMs * 1000) / HOT_CALLS).toFixed(2)} µs per call`);

  trips = counter.trips;
  before = await commandCount(admin);
  await one.manager.refreshAccessToken();
  const refreshTrips = counter.trips - trips;
  const refreshCommands = (await commandCount(admin)) - before;
  await sleep(100);
  trips = counter.trips;
  await one.manager.getAccessToken();
  const rereadTrips = counter.trips - trips;
  console.log(`refreshAccessToken in one process: ${refreshTrips} Redis round trips (SET NX, store read, compare-and-set script, release script; ${refreshCommands} commands inside Redis counting the scripts' own), plus ${rereadTrips} on the next call after the change notification`);
  await one.close();
  client.destroy();

  const shared = [];
  const naive = [];
  for (let round = 0; round < ROUNDS; round++) {
    shared.push(await fleetRound(redis, lwa, 'redis'));
    naive.push(await fleetRound(redis, lwa, 'local'));
  }
  const avg = (runs) => runs.reduce((s, r) => s + r.refreshes, 0) / runs.length;
  console.log(`LWA refreshes per expiry, ${PROCESSES} processes x ${CALLERS} callers, ${ROUNDS} rounds: RedisLock ${avg(shared).toFixed(2)} (target 1) vs naive fleet without the shared lock ${avg(naive).toFixed(2)} -> ${(avg(naive) / avg(shared)).toFixed(1)}x fewer token requests; errors ${shared.reduce((s, r) => s + r.errors, 0)} vs ${naive.reduce((s, r) => s + r.errors, 0)}`);
  const waits = shared.flatMap((r) => r.waits);
  console.log(`waiters in other processes got the leader's token after its commit: p50 ${pct(waits, 50)} ms, p95 ${pct(waits, 95)} ms, max ${Math.max(...waits)} ms (target < 50 ms; ${waits.length} callers)`);
} finally {
  admin.destroy();
  await lwa.stop();
  await lwaLong.stop();
  await redis.stop();
}
