import { afterEach, expect, test } from 'vitest';
import { Cleanup, everyoneServedAgain, fileBackend, report, seconds, seedGrant, startFleet, startSimulators, tempDir, until } from './support/harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

test('LWA takes 40 s to answer a refresh: at the 30 s refresh deadline the request is aborted and the lock released, and the next worker refreshes', { timeout: 90_000 }, async ({ task }) => {
  // Due 120 s before expiry, served until 60 s before it: a 60 s window for the refresh.
  const lifetimeS = 600;
  const bufferS = 120;
  const { lwa, ads } = await startSimulators(cleanup, { tokenLifetimeSeconds: lifetimeS });
  const backend = fileBackend(await tempDir(cleanup, 'drill-slow-lwa-'));
  await seedGrant(lwa, backend, 481_000); // due at once
  lwa.fail({ kind: 'slow', delayMs: 40_000 });
  const drill = await startFleet(cleanup, { lwa, ads, backend, refreshBufferSeconds: bufferS, backgroundRetryCooldownMs: 1000 });
  const ids = drill.fleet.members.map((m) => m.id);

  await until(() => lwa.requests.length > 0, 'the first token request', 20_000);
  const firstAt = lwa.requests[0]!.at;
  const firstWorker = drill.log.lwaRequests[0]!.worker;
  await until(() => drill.log.lwaRequests.length >= 2, 'a second token request', 45_000);
  const second = drill.log.lwaRequests[1]!;
  await until(() => lwa.requests.some((r) => r.status === 200), 'a refresh stored', 10_000);
  await everyoneServedAgain(drill, ids, 'every worker served after the refresh', 10_000);
  await drill.fleet.stop();

  const failed = drill.log.events.filter((e) => e.event.type === 'refresh_failed');
  report(task, {
    story: [
      '4 workers share a token file and FileLock. LWA holds its answer to the first refresh for 40 s. That refresh gives up at',
      'its 30 s deadline: the request is aborted and the lock released, so another worker takes the lock and refreshes. Callers',
      'keep being served on the still-valid token throughout; nothing is marked revoked.',
    ],
    figures: [
      ['first request (worker) -> second request (worker)', `${seconds(second.at - firstAt)} (${firstWorker} -> ${second.worker})`],
      ['LWA token requests', lwa.counts.refresh_token],
      ['failed refreshes reported', failed.length],
      ['errors seen by callers', drill.log.failures.length],
      ['grant marked revoked', drill.log.events.some((e) => e.event.type === 'revoked') ? 'YES' : 'no'],
    ],
  });

  for (const m of drill.fleet.members) {
    expect(m.fatal).toBeUndefined();
    expect(m.exit?.code).toBe(0);
  }
  expect(second.at - firstAt).toBeGreaterThanOrEqual(29_000);
  expect(second.at - firstAt).toBeLessThan(38_000);
  expect(drill.log.failures).toEqual([]);
  expect(drill.log.events.some((e) => e.event.type === 'revoked')).toBe(false);
});
