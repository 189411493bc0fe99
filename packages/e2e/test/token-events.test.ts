import { createRecordSealer, InProcessLock, StoreUnavailableError, type TokenEventType, type TokenStore } from '@ads-token/core';
import { afterEach, describe, expect, it } from 'vitest';
import { schemaProblems } from './support/event-schema.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('TokenEvent schema (real events)', () => {
  it('every event a manager emits against the LWA simulator matches the documented schema, and none holds a secret', async () => {
    h = await startHarness({ rotateRefreshTokens: true, latencyMs: 30 });
    const lwa = h.lwa;

    // authenticated (code), refreshed from LWA with a rotated refresh token
    const main = h.manager();
    await main.authenticateWithCode(lwa.issueCode());
    await main.refreshAccessToken();

    // retry, then refreshed
    lwa.fail({ kind: 'status', status: 503 });
    await main.refreshAccessToken();

    // authenticated (refresh_token); lock_waited and refreshed from the store: two managers, one lock
    const lock = new InProcessLock();
    const a = h.manager({ grantId: 'shared', lock });
    const b = h.manager({ grantId: 'shared', lock });
    await a.setRefreshToken(lwa.issueRefreshToken());
    await Promise.all([a.getAccessToken(), b.getAccessToken()]);

    // revoked, refresh_failed (INVALID_GRANT)
    const gone = h.manager({ grantId: 'gone' });
    const refused = lwa.issueRefreshToken();
    await gone.setRefreshToken(refused);
    lwa.revoke(refused);
    await expect(gone.getAccessToken()).rejects.toMatchObject({ code: 'INVALID_GRANT' });

    // lock_unavailable (the unsafe opt-in)
    const downLock = { acquire: () => Promise.reject(new StoreUnavailableError('lock backend down')) };
    const lax = h.manager({ grantId: 'lax', lock: downLock, refreshWithoutLockWhenUnavailable: true });
    await lax.setRefreshToken(lwa.issueRefreshToken());
    await lax.getAccessToken();

    const lwaRefreshesSoFar = lwa.requests.filter((r) => r.grantType === 'refresh_token' && r.status === 200).length;
    const eventsSoFar = h.events.length;

    // commit_pending: a store that refuses the write after LWA answered
    const store = h.store;
    let refuseWrites = false;
    const flaky: TokenStore = {
      get: (key, options) => store.get(key, options),
      compareAndSet: (key, expected, record, options) =>
        refuseWrites ? Promise.reject(new Error('connection reset')) : store.compareAndSet(key, expected, record, options),
      delete: (key, expected, options) => store.delete(key, expected, options),
      list: (prefix, options) => store.list(prefix, options),
    };
    const unlucky = h.manager({ grantId: 'unlucky', store: flaky, retry: { baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 300 } });
    await unlucky.setRefreshToken(lwa.issueRefreshToken());
    refuseWrites = true;
    await unlucky.getAccessToken().catch(() => undefined);
    refuseWrites = false;
    // commit_recovered: the next store access writes what LWA answered
    await unlucky.getTokenInfo();

    // record_unreadable: a record sealed with another key
    const foreign = h.manager({ grantId: 'foreign' });
    await store.compareAndSet(foreign.key, undefined, {
      version: 'foreign',
      data: await createRecordSealer({ clientSecret: 'another-client-secret-0123456789' }).seal(foreign.key, '{"v":1}'),
    });
    await expect(foreign.getAccessToken()).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });

    // cleared
    await main.clearTokens();

    const events = h.events;
    for (const event of events) expect(schemaProblems(event), JSON.stringify(event)).toEqual([]);
    for (const event of events) expect(Object.isFrozen(event)).toBe(true);

    const seen = new Set(events.map((e) => e.type));
    const produced: TokenEventType[] = [
      'refreshed',
      'refresh_failed',
      'retry',
      'revoked',
      'lock_waited',
      'lock_unavailable',
      'authenticated',
      'commit_pending',
      'commit_recovered',
      'record_unreadable',
      'cleared',
    ];
    for (const type of produced) expect(seen, type).toContain(type);

    // Field values agree with what happened.
    const fromLwa = events.slice(0, eventsSoFar).filter((e) => e.type === 'refreshed' && e.source === 'lwa');
    expect(fromLwa.length).toBe(lwaRefreshesSoFar);
    expect(events.find((e) => e.grantId === 'unlucky' && e.type === 'commit_pending')).toMatchObject({ code: 'STORE_UNAVAILABLE', attempt: 1 });
    expect(events.find((e) => e.grantId === 'unlucky' && e.type === 'commit_recovered')).toMatchObject({ attempts: 2 });
    expect(events.find((e) => e.grantId === 'foreign' && e.type === 'record_unreadable')).toMatchObject({ code: 'DECRYPTION_FAILED' });
    expect(events.some((e) => e.grantId === 'foreign' && e.type === 'refresh_failed')).toBe(false);
    expect(events.some((e) => e.type === 'refreshed' && e.source === 'lwa' && e.rotated && e.requestId !== undefined)).toBe(true);
    expect(events.some((e) => e.type === 'refreshed' && e.source === 'store' && e.grantId === 'shared')).toBe(true);
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ attempt: 1, status: 503, grantId: 'default' });
    expect(events.find((e) => e.type === 'revoked')).toMatchObject({ grantId: 'gone', requestId: expect.any(String) as string });
    expect(events.find((e) => e.type === 'refresh_failed' && e.grantId === 'gone')).toMatchObject({ code: 'INVALID_GRANT', background: false });
    expect(events.find((e) => e.type === 'authenticated')).toMatchObject({ method: 'code', grantId: 'default' });

    const text = JSON.stringify(events);
    expect(text).not.toMatch(/Atz[ar]\|/);
    expect(text).not.toContain(lwa.clientSecret);
  });
});
