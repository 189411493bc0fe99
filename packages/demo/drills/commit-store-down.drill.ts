import { afterEach, expect, test } from 'vitest';
import { startRedis } from '../../redis-common/test/redis-server.js';
import { Cleanup, everyoneServedAgain, report, seconds, seedGrant, sleep, startFleet, startSimulators, tempDir, until } from './support/harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

test('the store dies while LWA is answering a refresh with a rotated refresh token: the answer is kept in memory and written when the store is back', async ({ task }) => {
  const lifetimeS = 30;
  const bufferS = 20;
  let redis = await startRedis({ persistent: true, dir: await tempDir(cleanup, 'drill-commit-') });
  cleanup.add(() => redis.stop());
  const { lwa, ads } = await startSimulators(cleanup, { tokenLifetimeSeconds: lifetimeS, rotateRefreshTokens: true });
  const backend = { kind: 'redis' as const, url: redis.url, keyPrefix: 'drill:' };
  // Due 1 s after seeding; the old token is served for 12 s more, longer than Redis stays down.
  const first = await seedGrant(lwa, backend, 9000);
  // The first refresh's answer takes 1.5 s: Redis is killed while LWA works on it.
  lwa.fail({ kind: 'slow', delayMs: 1500 });
  const drill = await startFleet(cleanup, { lwa, ads, backend, refreshBufferSeconds: bufferS, backgroundRetryCooldownMs: 500 });
  const ids = drill.fleet.members.map((m) => m.id);
  const events = (type: string) => drill.log.events.filter((e) => e.event.type === type);

  await until(() => lwa.requests.length > 0, 'the first token request', 20_000);
  const killedAt = Date.now();
  await redis.kill();
  await until(() => events('commit_pending').length > 0, 'the commit failing', 10_000);
  await sleep(2000);
  redis = await redis.restart();
  const restartedAt = Date.now();
  await until(() => events('commit_recovered').length > 0, 'the pending commit landing', 20_000);
  const recovered = events('commit_recovered')[0]!;
  // The next expiry is refreshed from the stored (rotated) refresh token: LWA accepts it.
  await until(() => lwa.requests.filter((r) => r.status === 200).length >= 2, 'the next refresh', 20_000);
  await everyoneServedAgain(drill, ids, 'every worker served after the next refresh', 10_000);
  await drill.fleet.stop();

  const members = drill.fleet.members;
  const statuses = lwa.requests.map((r) => r.status);
  report(task, {
    story: [
      `4 workers share tokens through Redis; LWA rotates the refresh token on every refresh. While LWA takes 1.5 s to answer`,
      'the first refresh, redis-server is SIGKILLed, so the write of the new tokens fails. The refreshing worker keeps them in',
      'memory, serves them, and writes them again with backoff; Redis comes back 2 s after the failed write, from its append-only file; the',
      'write lands, and the next expiry is refreshed with the rotated refresh token.',
    ],
    figures: [
      ['Redis down', seconds(restartedAt - killedAt)],
      ['failed writes before it landed (commit_pending)', events('commit_pending').length],
      ['restart -> pending write landed', seconds(recovered.event.at - restartedAt)],
      ['LWA answers, in order', statuses.join(' ')],
      ['first refresh token still accepted by LWA', lwa.isUsableRefreshToken(first) ? 'yes (NOT rotated?)' : 'no (rotated away)'],
      ['grant marked revoked', events('revoked').length > 0 ? 'YES' : 'no'],
      ['errors seen by callers', drill.log.failures.length],
    ],
  });

  for (const m of members) {
    expect(m.fatal).toBeUndefined();
    expect(m.exit?.code).toBe(0);
  }
  expect(events('commit_recovered')).toHaveLength(1);
  expect(events('revoked')).toHaveLength(0);
  expect(drill.log.failures).toEqual([]);
  expect(statuses.every((s) => s === 200)).toBe(true);
  expect(lwa.isUsableRefreshToken(first)).toBe(false);
});
