import { afterEach, expect, test } from 'vitest';
import { Cleanup, fileBackend, report, seconds, seedGrant, sleep, startFleet, startSimulators, tempDir, until } from './support/harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

test('grant revoked: one worker hears invalid_grant, every worker then reports that re-consent is needed and LWA hears nothing more', async ({ task }) => {
  const { lwa, ads } = await startSimulators(cleanup, { tokenLifetimeSeconds: 10 });
  const backend = fileBackend(await tempDir(cleanup, 'drill-revoked-'));
  const refreshToken = await seedGrant(lwa, backend, 3000); // comes due 3 s after seeding
  const drill = await startFleet(cleanup, { lwa, ads, backend, refreshBufferSeconds: 4, backgroundRetryCooldownMs: 500 });
  const ids = drill.fleet.members.map((m) => m.id);

  await until(() => drill.served().every((n) => n > 0), 'every worker served a call', 10_000);
  const revokedAt = Date.now();
  lwa.revoke(refreshToken);
  const lwaCallsBefore = lwa.counts.refresh_token;
  const servedAtRevoke = drill.served().reduce((a, b) => a + b, 0);

  const reconsent = (id: number): boolean => drill.log.failures.some((f) => f.worker === id && f.code === 'INVALID_GRANT');
  await until(() => ids.every(reconsent), 'every worker reported INVALID_GRANT', 30_000);
  const allKnewAt = Math.max(...ids.map((id) => drill.log.failures.find((f) => f.worker === id && f.code === 'INVALID_GRANT')!.at));
  const lwaCallsThen = lwa.counts.refresh_token - lwaCallsBefore;
  await sleep(2000); // the workers keep trying to call the Ads API meanwhile
  const lwaCallsLater = lwa.counts.refresh_token - lwaCallsBefore;
  await drill.fleet.stop();

  const members = drill.fleet.members;
  const served = members.reduce((n, m) => n + m.stats.served, 0);
  const codes = new Set(drill.log.failures.map((f) => f.code));
  const sample = drill.log.failures.find((f) => f.code === 'INVALID_GRANT')!;
  const reconsentCalls = members.reduce((n, m) => n + (m.stats.errorCodes['INVALID_GRANT'] ?? 0), 0);

  report(task, {
    story: [
      'The advertiser revokes the grant while 4 workers serve calls. The token in hand keeps working until it comes due;',
      'the worker holding the refresh lock gets invalid_grant and marks the grant revoked in the store, so every other',
      'worker reads the mark and fails fast with InvalidGrantError (re-consent needed) instead of calling LWA again.',
      `A caller sees: ${sample.code}: ${sample.message}`,
    ],
    figures: [
      ['calls served after the revocation (old token, still valid)', served - servedAtRevoke],
      ['revocation -> every worker reports re-consent', seconds(allKnewAt - revokedAt)],
      ['LWA calls after the revocation', `${lwaCallsThen} (2 s later: ${lwaCallsLater})`],
      ['calls failed with INVALID_GRANT (re-consent needed)', reconsentCalls],
      ['other errors seen by callers', [...codes].filter((c) => c !== 'INVALID_GRANT').join(', ') || 'none'],
    ],
  });

  for (const m of members) {
    expect(m.fatal).toBeUndefined();
    expect(m.final).toBe(true);
    expect(m.exit?.code).toBe(0);
  }
  expect([...codes]).toEqual(['INVALID_GRANT']);
  expect(lwaCallsThen).toBe(1);
  expect(lwaCallsLater).toBe(lwaCallsThen);
  expect(lwa.requests.slice(lwaCallsBefore).map((r) => r.status)).toEqual([400]);
  expect(drill.log.lwaRequests.filter((r) => r.at >= revokedAt)).toHaveLength(1);
});
