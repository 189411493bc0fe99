// ProfileDirectory figures, against the loopback simulators: the shared record's stored size per
// profile, a refresh of every grant at concurrency 1 against the default 4 (the Ads API answering
// after 20 ms), and grantFor on a known profile against a plain Map lookup in the same run.
// Run with `pnpm --filter @ads-token/fetch-adapter bench` after a build.
import { MemoryTokenStore, TokenPool, sharedRecordKey } from '@ads-token/core';
import { AdsApiSimulator, LwaSimulator } from '@ads-token/testing';
import { FetchHttpClient, PROFILE_DIRECTORY_RECORD, ProfileDirectory } from '../dist/index.js';

const GRANTS = 100;
const PROFILES_PER_GRANT = 20;
const LATENCY_MS = 20;

const lwa = await LwaSimulator.start();
const ads = await AdsApiSimulator.start({ lwa, latencyMs: LATENCY_MS });
const store = new MemoryTokenStore();
const pool = new TokenPool({
  clientId: lwa.clientId,
  clientSecret: lwa.clientSecret,
  http: new FetchHttpClient(),
  store,
  endpoints: { tokenUrl: lwa.tokenUrl },
});
try {
  let id = 1_000_000_000_000;
  for (let g = 0; g < GRANTS; g++) {
    const token = lwa.issueRefreshToken();
    const profiles = Array.from({ length: PROFILES_PER_GRANT }, (_, i) => ({
      profileId: id++,
      countryCode: 'US',
      currencyCode: 'USD',
      timezone: 'America/Los_Angeles',
      accountInfo: { marketplaceStringId: 'ATVPDKIKX0DER', id: `A${g}`, type: 'seller', name: `Advertiser ${g} brand ${i}` },
    }));
    ads.setGrantProfiles(token, profiles);
    await pool.manager(`customer-${String(g).padStart(5, '0')}`).setRefreshToken(token);
  }

  const timeRefresh = async (concurrency) => {
    const directory = new ProfileDirectory(pool, { baseUrl: ads.url, concurrency });
    const start = performance.now();
    const summary = await directory.refresh();
    return { ms: performance.now() - start, summary, directory };
  };
  await timeRefresh(4); // warm up: tokens fetched, connections open
  const serial = await timeRefresh(1);
  const parallel = await timeRefresh(4);

  const stored = await store.get(sharedRecordKey(lwa.clientId, PROFILE_DIRECTORY_RECORD));
  const plain = (await pool.readShared(PROFILE_DIRECTORY_RECORD)).value;
  const profiles = parallel.summary.profiles;

  const known = String(1_000_000_000_000 + 777);
  const map = new Map((await parallel.directory.entries()).map((e) => [e.profileId, e.grantId]));
  const measure = async (fn) => {
    for (let i = 0; i < 1000; i++) await fn();
    let ops = 0;
    const start = performance.now();
    while (performance.now() - start < 500) {
      for (let i = 0; i < 1000; i++) await fn();
      ops += 1000;
    }
    return ((performance.now() - start) * 1e6) / ops / 1000;
  };
  const baselineUs = await measure(async () => map.get(known));
  const grantForUs = await measure(() => parallel.directory.grantFor(known));

  console.log(`profile directory: ${GRANTS} grants x ${PROFILES_PER_GRANT} profiles, Ads API latency ${LATENCY_MS} ms`);
  console.table([
    { figure: 'stored bytes per profile (sealed)', value: (stored.data.length / profiles).toFixed(1) },
    { figure: 'JSON bytes per profile (before sealing)', value: (plain.length / profiles).toFixed(1) },
    { figure: 'profiles per 400 KB (DynamoDB item limit)', value: Math.floor((400 * 1024) / (stored.data.length / profiles)) },
    { figure: 'refresh ms, concurrency 1 (baseline)', value: serial.ms.toFixed(0) },
    { figure: 'refresh ms, concurrency 4', value: parallel.ms.toFixed(0) },
    { figure: 'speed-up, concurrency 4 vs 1', value: `${(serial.ms / parallel.ms).toFixed(2)}x` },
    { figure: 'Map.get us/op (baseline)', value: baselineUs.toFixed(3) },
    { figure: 'grantFor us/op (known profile)', value: grantForUs.toFixed(3) },
    { figure: 'grantFor vs Map.get', value: `${(grantForUs / baselineUs).toFixed(1)}x` },
  ]);
} finally {
  await pool.close();
  await ads.stop();
  await lwa.stop();
}
