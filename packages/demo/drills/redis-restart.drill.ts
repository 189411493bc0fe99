import { createClient } from 'redis';
import { afterEach, expect, test } from 'vitest';
import { startRedis } from '../../redis-common/test/redis-server.js';
import { Cleanup, everyoneServedAgain, report, seconds, seedGrant, sleep, startFleet, startSimulators, tempDir, until } from './support/harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

test('Redis restarted mid-run (SIGKILL, same port, append-only file): node-redis reconnects, nothing is lost, service and refreshes resume', async ({ task }) => {
  const lifetimeS = 10;
  const bufferS = 4;
  let redis = await startRedis({ persistent: true, dir: await tempDir(cleanup, 'drill-redis-') });
  cleanup.add(() => redis.stop());
  const { lwa, ads } = await startSimulators(cleanup, { tokenLifetimeSeconds: lifetimeS });
  const backend = { kind: 'redis' as const, url: redis.url, keyPrefix: 'drill:' };
  await seedGrant(lwa, backend, 3000); // comes due 3 s after seeding
  const drill = await startFleet(cleanup, { lwa, ads, backend, refreshBufferSeconds: bufferS, backgroundRetryCooldownMs: 500 });
  const ids = drill.fleet.members.map((m) => m.id);
  const lwaRefreshes = (): number => drill.log.events.filter((e) => e.event.type === 'refreshed' && e.event.source === 'lwa').length;

  // Right after the first refresh, while every worker holds a valid token, Redis dies.
  await until(() => lwaRefreshes() >= 1, 'the first refresh', 20_000);
  const firstRefresh = drill.log.events.find((e) => e.event.type === 'refreshed' && e.event.source === 'lwa')!;
  const nextDueAt = firstRefresh.event.at + (lifetimeS - bufferS) * 1000;
  await everyoneServedAgain(drill, ids, 'every worker served on the new token', 10_000);
  const killedAt = Date.now();
  await redis.kill();
  await sleep(2000);
  const servedWhileDown = drill.served().reduce((a, b) => a + b, 0);
  redis = await redis.restart();
  const restartedAt = Date.now();
  const refreshesBeforeRestart = lwaRefreshes();

  // The next expiry is handled through the restarted Redis.
  await until(() => lwaRefreshes() > refreshesBeforeRestart, 'a refresh after the restart', 20_000);
  const refreshedAfter = drill.log.events.filter((e) => e.event.type === 'refreshed' && e.event.source === 'lwa')[refreshesBeforeRestart]!;
  await everyoneServedAgain(drill, ids, 'every worker served after the refresh', 10_000);
  await drill.fleet.stop();

  const members = drill.fleet.members;
  const codes = new Set(drill.log.failures.map((f) => f.code));
  const redisErrors = members.reduce((n, m) => n + m.stats.redisErrors, 0);
  const storeRefreshes = members.reduce((n, m) => n + m.stats.storeRefreshes, 0);
  const client = createClient({ url: redis.url });
  await client.connect();
  const keys = await client.keys('drill:*').finally(() => client.close());

  report(task, {
    story: [
      `4 workers share tokens through RedisTokenStore + RedisLock (node-redis). Right after a refresh, redis-server is`,
      'SIGKILLed and started again 2 s later on the same port from its append-only file. The workers serve their valid',
      'tokens meanwhile; node-redis reconnects; the next expiry is refreshed once, through the restarted Redis, and the',
      'other workers take that record from the store.',
    ],
    figures: [
      ['Redis down', seconds(restartedAt - killedAt)],
      ['calls served while Redis was down', servedWhileDown],
      ['restart -> next refresh stored', `${seconds(refreshedAfter.event.at - restartedAt)} (it came due ${seconds(nextDueAt - restartedAt)} after the restart)`],
      ['LWA calls', `${lwa.counts.refresh_token} (one per expiry: before and after the restart)`],
      ['refreshes taken from the store', storeRefreshes],
      ['Redis client errors (connection lost, reconnect attempts)', redisErrors],
      ['errors seen by callers', `${drill.log.failures.length}${codes.size > 0 ? ` (${[...codes].join(', ')})` : ''}`],
      ['grant record in Redis after the run', keys.some((k) => k.startsWith('drill:ads-token:v1:')) ? 'present' : 'MISSING'],
    ],
  });

  for (const m of members) {
    expect(m.fatal).toBeUndefined();
    expect(m.final).toBe(true);
    expect(m.exit?.code).toBe(0);
  }
  expect(drill.log.failures).toEqual([]);
  expect(lwa.counts.refresh_token).toBe(2);
  expect(lwa.requests.every((r) => r.status === 200)).toBe(true);
  expect(redisErrors).toBeGreaterThan(0);
  // On time: the first call after the token came due started the refresh; no lock left behind held it up.
  expect(refreshedAfter.event.at - nextDueAt).toBeLessThan(3000);
  expect(keys.some((k) => k.startsWith('drill:ads-token:v1:'))).toBe(true);
});
