// TokenPool against one TokenManager per grant, measured in the same run (run with node --expose-gc):
// - heap per grant after one getAccessToken on each of 10 000 grants, less the token strings;
// - hot-path pool.getAccessToken(grantId) against manager.getAccessToken() and an async cached string;
// - peak concurrent LWA requests when 1 000 grants come due together (foreground and background);
// - Redis subscriber connections at 1 000 grants (RedisTokenStore on a redis-server this script starts).
import { randomBytes } from 'node:crypto';
import process from 'node:process';
import { InProcessLock, MemoryTokenStore, TokenManager, TokenPool } from '@ads-token/core';
import { RedisLock } from '@ads-token/lock-redis';
import { RedisTokenStore } from '@ads-token/store-redis';
import { createClient } from 'redis';
import { startRedis } from '../../lock-redis/bench/redis-server.mjs';

const GRANTS = Number(process.env.BENCH_GRANTS ?? 10_000);
const DUE_GRANTS = 1_000;
const HOT_CALLS = Number(process.env.BENCH_CALLS ?? 500_000);
const ROUNDS = 5;
const CLIENT_ID = 'amzn1.application-oa2-client.bench';
const CLIENT_SECRET = 'amzn1.oa2-cs.v1.bench-secret-0123456789abcdef';
const TOKEN_URL = 'http://lwa.invalid/auth/o2/token';

if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(2);
}
const token = (prefix) => `${prefix}|${randomBytes(48).toString('base64url')}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const kB = (n) => `${(n / 1024).toFixed(2)} kB`;

/** An in-process LWA: answers every refresh with a new access token after `latencyMs`, counting requests in flight. */
function inProcessLwa({ latencyMs = 0, expiresIn = 3600 } = {}) {
  const lwa = { inFlight: 0, peak: 0, requests: 0 };
  lwa.http = {
    async send(request) {
      lwa.requests += 1;
      lwa.inFlight += 1;
      lwa.peak = Math.max(lwa.peak, lwa.inFlight);
      try {
        if (latencyMs > 0) await sleep(latencyMs);
        const form = new URLSearchParams(request.body);
        const body = { access_token: token('Atza'), refresh_token: form.get('refresh_token'), token_type: 'bearer', expires_in: expiresIn };
        return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
      } finally {
        lwa.inFlight -= 1;
      }
    },
  };
  lwa.reset = () => {
    lwa.peak = lwa.inFlight;
    lwa.requests = 0;
  };
  return lwa;
}

const common = (http, store, lock, extra = {}) => ({
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  http,
  store,
  lock,
  endpoints: { tokenUrl: TOKEN_URL },
  backgroundRefresh: false,
  ...extra,
});
const grantIds = (n) => Array.from({ length: n }, (_, i) => `advertiser-${i}`);

function heap() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
}

async function inBatches(items, size, fn) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** Stores a refresh token and a valid access token for every grant, then lets the seeding pool go. */
async function seed(store, lwa, ids) {
  const pool = new TokenPool(common(lwa.http, store, new InProcessLock()));
  await inBatches(ids, 500, async (id) => {
    await pool.manager(id).setRefreshToken(token('Atzr'));
    await pool.getAccessToken(id);
  });
  await pool.close();
}

/** Heap per grant held by `holder` once each grant served one token from the store (no LWA call), and the token bytes in it. */
async function heapPerGrant(ids, open) {
  const before = heap();
  const { get, close } = open();
  let tokenBytes = 0;
  await inBatches(ids, 500, async (id) => {
    const accessToken = await get(id);
    // A V8 sequential one-byte string: a 12-byte header, then the characters, to 8-byte alignment. The refresh token is as long.
    if (accessToken !== '') tokenBytes += 2 * Math.ceil((12 + accessToken.length) / 8) * 8;
  });
  const after = heap();
  const perGrant = (after - before) / ids.length;
  const tokens = tokenBytes / ids.length;
  await close();
  return { perGrant, tokens, beyond: perGrant - tokens };
}

async function memoryBench() {
  const lwa = inProcessLwa();
  const store = new MemoryTokenStore();
  const ids = grantIds(GRANTS);
  await seed(store, lwa, ids);
  lwa.reset();

  const openPool = () => {
    const pool = new TokenPool(common(lwa.http, store, new InProcessLock()));
    return { get: (id) => pool.getAccessToken(id), close: () => pool.close() };
  };
  await heapPerGrant(ids, openPool); // warm-up: code compiled, caches filled, the seeding's garbage gone
  const pooled = await heapPerGrant(ids, openPool);
  // Where it goes: the same pool over the store without `subscribe` (no per-grant subscription), and managers made but never asked.
  const noSubscribe = { get: (...a) => store.get(...a), compareAndSet: (...a) => store.compareAndSet(...a), delete: (...a) => store.delete(...a), list: (...a) => store.list(...a) };
  const unsubscribed = await heapPerGrant(ids, () => {
    const pool = new TokenPool(common(lwa.http, noSubscribe, new InProcessLock()));
    return { get: (id) => pool.getAccessToken(id), close: () => pool.close() };
  });
  let bare;
  const managerOnly = await heapPerGrant(ids, () => {
    bare = new TokenPool(common(lwa.http, store, new InProcessLock()));
    return { get: async (id) => { bare.manager(id); return ''; }, close: () => bare.close() };
  });
  const managers = new Map();
  const lock = new InProcessLock();
  const single = await heapPerGrant(ids, () => ({
    get: (id) => {
      const manager = new TokenManager(common(lwa.http, store, lock, { grantId: id }));
      managers.set(id, manager);
      return manager.getAccessToken();
    },
    close: async () => {
      await Promise.all([...managers.values()].map((m) => m.close()));
      managers.clear();
    },
  }));
  console.log(`heap per grant after one getAccessToken on each of ${GRANTS.toLocaleString('en')} grants (MemoryTokenStore, tokens served from the store)`);
  console.log(`  TokenManager per grant (baseline)  : ${kB(single.perGrant)}  of which token strings ${kB(single.tokens)}, beyond them ${kB(single.beyond)}`);
  console.log(`  TokenPool                          : ${kB(pooled.perGrant)}  of which token strings ${kB(pooled.tokens)}, beyond them ${kB(pooled.beyond)} (target < 1 kB)`);
  console.log(`  ratio pool / manager per grant     : ${(pooled.perGrant / single.perGrant).toFixed(2)}`);
  console.log(`  where the pool's goes              : ${kB(managerOnly.perGrant)} the manager alone (pool.manager(id), no token read);`
    + ` ${kB(unsubscribed.beyond - managerOnly.perGrant)} the record read and kept (beyond its token strings);`
    + ` ${kB(pooled.perGrant - unsubscribed.perGrant)} the store subscription per grant`);
  console.log(`  LWA requests while measuring       : ${lwa.requests} (target 0: every token came from the store)`);
}

async function rate(fn) {
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < HOT_CALLS; i++) await fn();
    best = Math.max(best, HOT_CALLS / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  return best;
}

async function hotPathBench() {
  const lwa = inProcessLwa();
  const store = new MemoryTokenStore();
  const ids = grantIds(1_000);
  await seed(store, lwa, ids);
  const pool = new TokenPool(common(lwa.http, store, new InProcessLock()));
  const manager = new TokenManager(common(lwa.http, store, new InProcessLock(), { grantId: ids[0] }));
  for (const id of ids) await pool.getAccessToken(id);
  const cached = await manager.getAccessToken();
  lwa.reset();
  const base = await rate(async () => cached);
  const single = await rate(() => manager.getAccessToken());
  const one = await rate(() => pool.getAccessToken(ids[0]));
  let i = 0;
  const spread = await rate(() => pool.getAccessToken(ids[(i = (i + 1) % ids.length)]));
  const fmt = (n) => `${(n / 1e6).toFixed(2)} M/s`;
  console.log(`hot path (${HOT_CALLS.toLocaleString('en')} calls x ${ROUNDS} rounds, best round)`);
  console.log(`  baseline async () => cached string      : ${fmt(base)}`);
  console.log(`  manager.getAccessToken()                : ${fmt(single)}  ratio ${(single / base).toFixed(2)}`);
  console.log(`  pool.getAccessToken(grantId), one grant : ${fmt(one)}  ratio ${(one / base).toFixed(2)}  vs manager ${(one / single).toFixed(2)}`);
  console.log(`  pool.getAccessToken over 1 000 grants   : ${fmt(spread)}  ratio ${(spread / base).toFixed(2)}  vs manager ${(spread / single).toFixed(2)}`);
  console.log(`  LWA requests during the run             : ${lwa.requests} (target 0)`);
  await manager.close();
  await pool.close();
}

/** A clock `offsetMs` ahead of the wall clock (to bring every grant inside its refresh buffer at once). */
function aheadClock() {
  const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs, sleep: (ms, signal) => sleepAbortable(ms, signal) };
  return clock;
}
function sleepAbortable(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
  });
}

async function dueTogetherBench() {
  const ids = grantIds(DUE_GRANTS);
  const run = async (kind, make) => {
    // Foreground: every grant has only a refresh token; all callers ask at once.
    const lwa = inProcessLwa({ latencyMs: 5 });
    const store = new MemoryTokenStore();
    const clock = aheadClock();
    const seedPool = new TokenPool(common(lwa.http, store, new InProcessLock()));
    for (const id of ids) await seedPool.manager(id).setRefreshToken(token('Atzr'));
    await seedPool.close();
    const holder = make(lwa, store, clock);
    lwa.reset();
    await Promise.all(ids.map((id) => holder.get(id)));
    const foreground = { peak: lwa.peak, requests: lwa.requests };
    // Background: every token inside its refresh buffer (the clock jumps 59 min 30 s); all callers ask at once and are served the cached token.
    clock.offsetMs = 3570_000;
    lwa.reset();
    await Promise.all(ids.map((id) => holder.get(id)));
    const deadline = Date.now() + 60_000;
    while (lwa.requests < ids.length && Date.now() < deadline) await sleep(20);
    while (lwa.inFlight > 0 && Date.now() < deadline) await sleep(5);
    const background = { peak: lwa.peak, requests: lwa.requests };
    await holder.close();
    return { kind, foreground, background };
  };
  const single = await run('TokenManager per grant', (lwa, store, clock) => {
    const lock = new InProcessLock();
    const managers = new Map(ids.map((id) => [id, new TokenManager(common(lwa.http, store, lock, { grantId: id, clock, backgroundRefresh: true, refreshBuffer: 60 }))]));
    return { get: (id) => managers.get(id).getAccessToken(), close: () => Promise.all([...managers.values()].map((m) => m.close())) };
  });
  let peakReported = 0;
  const pooled = await run('TokenPool (maxConcurrentRefreshes 4)', (lwa, store, clock) => {
    const pool = new TokenPool(common(lwa.http, store, new InProcessLock(), { clock, backgroundRefresh: true, refreshBuffer: 60 }));
    return { get: (id) => pool.getAccessToken(id), close: async () => { peakReported = pool.peakConcurrentRefreshes; await pool.close(); } };
  });
  console.log(`peak concurrent LWA requests when ${DUE_GRANTS.toLocaleString('en')} grants come due together (LWA answers after 5 ms)`);
  for (const r of [single, pooled]) {
    console.log(`  ${r.kind.padEnd(36)}: foreground (no token yet) ${String(r.foreground.peak).padStart(4)} in flight, ${r.foreground.requests} requests;`
      + ` background (inside the buffer) ${String(r.background.peak).padStart(4)} in flight, ${r.background.requests} requests`);
  }
  console.log(`  pool.peakConcurrentRefreshes         : ${peakReported} (target = the cap, 4)`);
}

/** Connections other than `admin`'s own, and those subscribed to at least one channel or pattern. */
async function connections(admin) {
  const list = String(await admin.sendCommand(['CLIENT', 'LIST'])).trim().split('\n');
  const own = String(await admin.sendCommand(['CLIENT', 'ID']));
  const others = list.filter((line) => !line.startsWith(`id=${own} `));
  const subscribers = others.filter((line) => /\b(sub|psub|ssub)=[1-9]/.test(line));
  return { total: others.length, subscribers: subscribers.length };
}

async function redisBench() {
  const redis = await startRedis();
  const admin = createClient({ url: `redis://127.0.0.1:${redis.port}` });
  const client = createClient({ url: `redis://127.0.0.1:${redis.port}` });
  try {
    await admin.connect();
    await client.connect();
    const lwa = inProcessLwa({ latencyMs: 2 });
    const ids = grantIds(DUE_GRANTS);
    const measure = async (make) => {
      const keyPrefix = `bench:${randomBytes(4).toString('hex')}:`;
      const store = new RedisTokenStore({ client, keyPrefix });
      const lock = new RedisLock({ client, keyPrefix });
      const holder = make(store, lock);
      for (const id of ids) await holder.manager(id).setRefreshToken(token('Atzr'));
      await inBatches(ids, 100, (id) => holder.manager(id).getAccessToken());
      const counted = await connections(admin);
      await holder.close();
      await store.close();
      await lock.close();
      return counted;
    };
    const pooled = await measure((store, lock) => new TokenPool(common(lwa.http, store, lock)));
    const single = await measure((store, lock) => {
      const managers = new Map();
      return {
        manager: (id) => {
          if (!managers.has(id)) managers.set(id, new TokenManager(common(lwa.http, store, lock, { grantId: id })));
          return managers.get(id);
        },
        close: () => Promise.all([...managers.values()].map((m) => m.close())),
      };
    });
    console.log(`Redis connections at ${DUE_GRANTS.toLocaleString('en')} grants (RedisTokenStore + RedisLock on one node-redis client, CLIENT LIST)`);
    console.log(`  TokenManager per grant, one store  : ${single.subscribers} subscriber connection(s), ${single.total} in all`);
    console.log(`  TokenPool                          : ${pooled.subscribers} subscriber connection(s), ${pooled.total} in all (target 1 subscriber)`);
  } finally {
    await admin.close().catch(() => undefined);
    await client.close().catch(() => undefined);
    await redis.stop();
  }
}

await memoryBench();
await hotPathBench();
await dueTogetherBench();
await redisBench();
