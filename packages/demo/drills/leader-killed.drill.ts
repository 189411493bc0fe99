import { TokenManager } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { afterEach, expect, test } from 'vitest';
import { openBackend } from '../src/backend.js';
import { Cleanup, everyoneServedAgain, fileBackend, report, seconds, seedGrant, sleep, startFleet, startSimulators, tempDir, until } from './support/harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

test('leader SIGKILLed mid-refresh: another worker takes the lock over and refreshes; callers see no error', async ({ task }) => {
  const { lwa, ads } = await startSimulators(cleanup, { tokenLifetimeSeconds: 20, latencyMs: 1500 });
  const backend = fileBackend(await tempDir(cleanup, 'drill-leader-'));
  await seedGrant(lwa, backend, 2 * 3600_000); // expired: every worker needs the refresh at once
  const drill = await startFleet(cleanup, { lwa, ads, backend, refreshBufferSeconds: 8, lockTtlMs: 3000 });

  // The lock holder's token request has reached LWA, which answers only after 1.5 s.
  await until(() => drill.log.lwaRequests.length > 0 && lwa.counts.refresh_token > 0, 'a worker sent the token request', 20_000);
  const leader = drill.log.lwaRequests[0]!.worker;
  const killedAt = Date.now();
  drill.member(leader).child.kill('SIGKILL');
  await drill.member(leader).exited;
  const others = drill.fleet.members.map((m) => m.id).filter((id) => id !== leader);

  await until(() => drill.log.events.some((e) => e.event.type === 'refreshed' && e.event.source === 'lwa'), 'another worker refreshed', 30_000);
  const refreshed = drill.log.events.find((e) => e.event.type === 'refreshed' && e.event.source === 'lwa')!;
  const takeover = drill.log.lwaRequests.find((r) => r.worker !== leader);
  await everyoneServedAgain(drill, others, 'every other worker served calls after the takeover', 20_000);
  await sleep(1000);
  await drill.fleet.stop();

  const survivors = others.map((id) => drill.member(id));
  const callerErrors = survivors.reduce((n, m) => n + m.stats.errors, 0);
  const lwaCalls = lwa.counts.refresh_token;
  const served = survivors.reduce((n, m) => n + m.stats.served, 0);

  // Nothing lost: the stored refresh token still works for a newcomer.
  const opened = await openBackend(backend);
  const newcomer = new TokenManager({ clientId: lwa.clientId, clientSecret: lwa.clientSecret, http: new FetchHttpClient(), store: opened.store, lock: opened.lock, endpoints: { tokenUrl: lwa.tokenUrl } });
  lwa.setLatency(0);
  let fresh: string;
  try {
    fresh = await newcomer.refreshAccessToken();
  } finally {
    await newcomer.close();
    await opened.close();
  }

  report(task, {
    story: [
      `4 workers start on an expired token; LWA answers after 1.5 s. Worker ${leader} takes the refresh lock, sends the token request`,
      `and is SIGKILLed while waiting for the answer. Worker ${refreshed.worker} takes the lock over (the holder's pid is gone),`,
      're-reads the store (still the old version), refreshes once, and the others take its record from the store.',
    ],
    figures: [
      ['recovery (kill -> new token stored)', seconds(refreshed.event.at - killedAt)],
      ['lock takeover (kill -> next token request)', takeover === undefined ? 'n/a' : seconds(takeover.at - killedAt)],
      ['LWA calls', `${lwaCalls} (1 lost with the leader, 1 by the new holder)`],
      ['errors seen by callers', callerErrors],
      ['calls served by the survivors', served],
      ['stored refresh token still works', lwa.isValidAccessToken(fresh) ? 'yes (a newcomer refreshed with it)' : 'NO'],
    ],
  });

  expect(drill.member(leader).exit?.signal).toBe('SIGKILL');
  for (const m of survivors) {
    expect(m.fatal).toBeUndefined();
    expect(m.final).toBe(true);
    expect(m.exit?.code).toBe(0);
  }
  expect(callerErrors).toBe(0);
  expect(lwaCalls).toBe(2);
  for (const m of survivors) expect(m.stats.served).toBeGreaterThan(0);
  expect(lwa.isValidAccessToken(fresh)).toBe(true);
});
