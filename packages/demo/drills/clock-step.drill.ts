import { afterEach, expect, test } from 'vitest';
import { Cleanup, everyoneServedAgain, fileBackend, report, seconds, seedGrant, sleep, startFleet, startSimulators, tempDir, until } from './support/harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const HOUR = 3600_000;

test('clock step of +1 h on one FileLock process while it waits for the refresh lock: still one refresh', async ({ task }) => {
  // Access tokens live 2 h, so a worker whose clock runs 1 h ahead still finds a fresh one fresh:
  // only the lock can make it refresh again.
  const { lwa, ads } = await startSimulators(cleanup, { tokenLifetimeSeconds: 2 * 3600, latencyMs: 3000 });
  const backend = fileBackend(await tempDir(cleanup, 'drill-clock-'));
  await seedGrant(lwa, backend, 3 * HOUR); // expired: every worker needs the refresh at once
  const drill = await startFleet(cleanup, { lwa, ads, backend, refreshBufferSeconds: 8 });

  // The lock holder's token request has reached LWA, which answers only after 3 s; the others wait.
  await until(() => drill.log.lwaRequests.length > 0 && lwa.counts.refresh_token > 0, 'a worker sent the token request', 20_000);
  const leader = drill.log.lwaRequests[0]!.worker;
  const stepped = drill.fleet.members.map((m) => m.id).find((id) => id !== leader)!;
  const steppedAt = Date.now();
  await drill.stepClock(stepped, HOUR);

  await until(() => drill.log.events.some((e) => e.worker === leader && e.event.type === 'refreshed' && e.event.source === 'lwa'), 'the leader refreshed', 20_000);
  const ids = drill.fleet.members.map((m) => m.id);
  await everyoneServedAgain(drill, ids, 'every worker served calls with the new token', 20_000);
  await sleep(1500);
  await drill.fleet.stop();

  const members = drill.fleet.members;
  const steppedEvents = drill.log.events.filter((e) => e.worker === stepped).map((e) => e.event);
  const steppedGot = steppedEvents.find((e) => e.type === 'refreshed');
  const callerErrors = members.reduce((n, m) => n + m.stats.errors, 0);
  const refreshFailures = members.reduce((n, m) => n + m.stats.refreshFailures, 0);
  const lwaCalls = lwa.counts.refresh_token;

  report(task, {
    story: [
      `4 workers start on an expired token; LWA answers after 3 s. Worker ${leader} takes the refresh lock and sends the token request.`,
      `While the others wait, worker ${stepped}'s wall clock jumps 1 h ahead: the lock file now looks an hour old to it. FileLock`,
      "judges a lease by the holder's heartbeat as the waiter sees it on its own monotonic clock, so it keeps waiting,",
      "takes the leader's new record from the store, and LWA hears one token request.",
    ],
    figures: [
      ['LWA token requests', lwaCalls],
      [`worker ${stepped} (clock +1 h) got its token from`, steppedGot?.source ?? 'nothing'],
      ['refresh failures', refreshFailures],
      ['errors seen by callers', callerErrors],
      ['clock step -> end of the drill', seconds(Date.now() - steppedAt)],
    ],
  });

  for (const m of members) {
    expect(m.fatal).toBeUndefined();
    expect(m.final).toBe(true);
    expect(m.exit?.code).toBe(0);
    expect(m.stats.served).toBeGreaterThan(0);
  }
  expect(lwaCalls).toBe(1);
  expect(drill.log.lwaRequests.filter((r) => r.worker === stepped)).toHaveLength(0);
  expect(steppedGot?.source).toBe('store');
  expect(refreshFailures).toBe(0);
  expect(callerErrors).toBe(0);
});
