// Hot-path cost of TokenManager: getAccessToken and getHeaders calls per second next to a baseline
// (an async function returning a cached string), measured in the same run, plus store and lock
// calls per hot call.
import { InProcessLock, MemoryTokenStore, TokenManager } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { LwaSimulator } from '@ads-token/testing';

const CALLS = Number(process.env.BENCH_CALLS ?? 1_000_000);
const ROUNDS = 5;

function counting(target, counts) {
  return new Proxy(target, {
    get(obj, prop) {
      const value = Reflect.get(obj, prop);
      if (typeof value !== 'function') return value;
      return (...args) => {
        counts[prop] = (counts[prop] ?? 0) + 1;
        return value.apply(obj, args);
      };
    },
  });
}

async function rate(fn) {
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) await fn();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.max(best, CALLS / seconds);
  }
  return best;
}

const lwa = await LwaSimulator.start();
const storeCalls = {};
const lockCalls = {};
const manager = new TokenManager({
  clientId: lwa.clientId,
  clientSecret: lwa.clientSecret,
  http: new FetchHttpClient(),
  store: counting(new MemoryTokenStore(), storeCalls),
  lock: counting(new InProcessLock(), lockCalls),
  endpoints: { tokenUrl: lwa.tokenUrl },
});
await manager.setRefreshToken(lwa.issueRefreshToken());
const cached = await manager.getAccessToken();
const baseline = async () => cached;

for (const k of Object.keys(storeCalls)) delete storeCalls[k];
for (const k of Object.keys(lockCalls)) delete lockCalls[k];

const base = await rate(baseline);
const token = await rate(() => manager.getAccessToken());
const headers = await rate(() => manager.getHeaders({ profileId: 1234 }));
const hotCalls = CALLS * ROUNDS * 2;
const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);

const fmt = (n) => `${(n / 1e6).toFixed(2)} M/s`;
console.log(`hot path (${CALLS.toLocaleString('en')} calls x ${ROUNDS} rounds, best round)`);
console.log(`  baseline async () => cached string : ${fmt(base)}`);
console.log(`  getAccessToken()                    : ${fmt(token)}  ratio ${(token / base).toFixed(2)} (target >= 0.5)`);
console.log(`  getHeaders({ profileId })           : ${fmt(headers)}  ratio ${(headers / base).toFixed(2)} (target >= 0.25)`);
console.log(`  store calls per hot call            : ${sum(storeCalls) / hotCalls} (target 0)`);
console.log(`  lock calls per hot call             : ${sum(lockCalls) / hotCalls} (target 0)`);
console.log(`  LWA requests during the run         : ${lwa.counts.total - 1}`);
await manager.close();
await lwa.stop();
