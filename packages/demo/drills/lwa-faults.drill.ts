import { afterEach, expect, test } from 'vitest';
import { Cleanup, everyoneServedAgain, fileBackend, report, seconds, seedGrant, sleep, startFleet, startSimulators, tempDir, until } from './support/harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

test('LWA answering 503 and 429 (Retry-After) for a while: callers keep being served on the valid token, then one refresh gets through', async ({ task }) => {
  // Due 10 s after issue, served until 5 s before expiry: a 5 s window for the refresh to get through.
  const lifetimeS = 20;
  const bufferS = 10;
  const { lwa, ads } = await startSimulators(cleanup, { tokenLifetimeSeconds: lifetimeS });
  const backend = fileBackend(await tempDir(cleanup, 'drill-lwa-'));
  const ageMs = 7000; // the token comes due 3 s after seeding, about when the workers are up
  await seedGrant(lwa, backend, ageMs);
  const expiresAt = Date.now() - ageMs + lifetimeS * 1000;
  lwa.fail({ kind: 'status', status: 503, times: 2 });
  lwa.fail({ kind: 'status', status: 429, retryAfter: '1', times: 2 });
  const faults = 4;
  const drill = await startFleet(cleanup, { lwa, ads, backend, refreshBufferSeconds: bufferS, backgroundRetryCooldownMs: 1000 });

  await until(() => lwa.requests.length > 0, 'the first token request', 20_000);
  const servedAtFirstFault = drill.served().reduce((a, b) => a + b, 0);
  await until(() => lwa.requests.some((r) => r.status === 200), 'a refresh got through', 30_000);
  const firstFault = lwa.requests[0]!;
  const success = lwa.requests.find((r) => r.status === 200)!;
  const servedDuringFaults = drill.served().reduce((a, b) => a + b, 0) - servedAtFirstFault;
  await everyoneServedAgain(drill, [1, 2, 3, 4], 'every worker served calls after the recovery', 20_000);
  await sleep(1000);
  await drill.fleet.stop();

  const members = drill.fleet.members;
  const callerErrors = members.reduce((n, m) => n + m.stats.errors, 0);
  const retries = members.reduce((n, m) => n + m.stats.retries, 0);
  const failedRefreshes = members.reduce((n, m) => n + m.stats.refreshFailures, 0);
  const statuses = lwa.requests.map((r) => r.status).join(' ');

  report(task, {
    story: [
      `Tokens live ${lifetimeS} s and are refreshed ${bufferS} s before expiry. LWA answers the next ${faults} token requests with`,
      '503 (2x) and 429 with Retry-After: 1 (2x). Background refreshes retry with backoff under the lock, one holder at a time;',
      'callers keep getting the still-valid token, and the first request LWA answers stores the new one for everybody.',
    ],
    figures: [
      ['LWA answers, in order', statuses],
      ['LWA calls', `${lwa.counts.refresh_token} (${faults} faulted + 1 success)`],
      ['LWA outage seen (first fault -> new token)', seconds(success.at - firstFault.at)],
      ['new token stored before the old one expired by', seconds(expiresAt - success.at)],
      ['retries / failed background refreshes', `${retries} / ${failedRefreshes}`],
      ['calls served while LWA was failing', servedDuringFaults],
      ['errors seen by callers', `${callerErrors}${callerErrors > 0 ? ` (${[...new Set(drill.log.failures.map((f) => f.code))].join(', ')})` : ''}`],
    ],
  });

  for (const m of members) {
    expect(m.fatal).toBeUndefined();
    expect(m.final).toBe(true);
    expect(m.exit?.code).toBe(0);
  }
  expect(callerErrors).toBe(0);
  expect(servedDuringFaults).toBeGreaterThan(0);
  expect(lwa.counts.refresh_token).toBe(faults + 1);
  expect(lwa.requests.filter((r) => r.status === 200)).toHaveLength(1);
  expect(retries + failedRefreshes).toBe(faults); // each faulted answer was retried or ended a refresh
  expect(success.at).toBeLessThan(expiresAt);
});
