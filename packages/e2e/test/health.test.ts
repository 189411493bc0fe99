import type { StoredRecord, TokenStore } from '@ads-token/core';
import { FakeClock } from '@ads-token/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** The harness's store, counting reads, whose reads can be made to hang (ignoring any signal) or fail. */
function probedStore(inner: TokenStore): { store: TokenStore; reads: () => number; mode: (m: 'up' | 'hang' | 'fail') => void } {
  let reads = 0;
  let mode: 'up' | 'hang' | 'fail' = 'up';
  const store: TokenStore = {
    get: (key, options): Promise<StoredRecord | undefined> => {
      reads++;
      if (mode === 'hang') return new Promise(() => undefined);
      if (mode === 'fail') return Promise.reject(new Error('connection refused'));
      return inner.get(key, options);
    },
    compareAndSet: (key, expected, record, options) => inner.compareAndSet(key, expected, record, options),
    delete: (key, expected, options) => inner.delete(key, expected, options),
    list: (prefix, options) => inner.list(prefix, options),
  };
  return { store, reads: () => reads, mode: (m) => (mode = m) };
}

describe('TokenManager.health()', () => {
  it('a valid grant is ok: one store read, no LWA call', async () => {
    h = await startHarness();
    const probe = probedStore(h.store);
    const manager = h.manager({ store: probe.store });
    await manager.authenticateWithCode(h.lwa.issueCode());
    const calls = h.lwa.counts.total;
    const before = probe.reads();
    expect(await manager.health()).toEqual({ ok: true, grants: [{ grantId: 'default', status: 'valid' }] });
    expect(probe.reads() - before).toBe(1);
    expect(h.lwa.counts.total).toBe(calls);
  });

  it('an idle grant with only a refresh token is ok; no tokens or a revoked grant is not', async () => {
    h = await startHarness();
    const idle = h.manager({ grantId: 'idle' });
    await idle.setRefreshToken(h.lwa.issueRefreshToken());
    expect(await idle.health()).toEqual({ ok: true, grants: [{ grantId: 'idle', status: 'no_access_token' }] });

    const none = await h.manager({ grantId: 'none' }).health();
    expect(none.ok).toBe(false);
    expect(none.grants[0]).toMatchObject({ grantId: 'none', status: 'not_authenticated', reason: expect.stringContaining('authenticate') as string });

    const gone = h.manager({ grantId: 'gone' });
    const refused = h.lwa.issueRefreshToken();
    await gone.setRefreshToken(refused);
    h.lwa.revoke(refused);
    await expect(gone.getAccessToken()).rejects.toMatchObject({ code: 'INVALID_GRANT' });
    const calls = h.lwa.counts.total;
    const revoked = await gone.health();
    expect(revoked.ok).toBe(false);
    expect(revoked.grants[0]).toMatchObject({ status: 'revoked', reason: expect.stringContaining('consent again') as string });
    expect(h.lwa.counts.total).toBe(calls);
  });

  it('no access token and a failed last refresh is not ok, with the error code; a later success clears it', async () => {
    h = await startHarness();
    const manager = h.manager({ retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 } });
    await manager.setRefreshToken(h.lwa.issueRefreshToken());
    h.lwa.fail({ kind: 'status', status: 500, times: 2 });
    await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'TOKEN_REFRESH_FAILED' });
    const failing = await manager.health();
    expect(failing.ok).toBe(false);
    expect(failing.grants[0]).toMatchObject({ status: 'no_access_token', reason: expect.stringContaining('TOKEN_REFRESH_FAILED') as string });
    await manager.getAccessToken();
    expect(await manager.health()).toEqual({ ok: true, grants: [{ grantId: 'default', status: 'valid' }] });
  });

  it('a store that hangs does not hang the probe: unavailable after timeoutMs, or ok from memory with a reason', async () => {
    h = await startHarness();
    const probe = probedStore(h.store);
    const cold = h.manager({ grantId: 'cold', store: probe.store });
    await cold.setRefreshToken(h.lwa.issueRefreshToken());
    const warm = h.manager({ grantId: 'warm', store: probe.store });
    await warm.setRefreshToken(h.lwa.issueRefreshToken());
    await warm.getAccessToken();

    probe.mode('hang');
    const coldReport = await cold.health({ timeoutMs: 100 });
    expect(coldReport).toEqual({
      ok: false,
      grants: [{ grantId: 'cold', status: 'unavailable', reason: 'the token store did not answer within 100 ms' }],
    });
    const warmReport = await warm.health({ timeoutMs: 100 });
    expect(warmReport.ok).toBe(true);
    expect(warmReport.grants[0]).toMatchObject({ status: 'valid', reason: expect.stringContaining('held in memory') as string });

    probe.mode('fail');
    const failed = await cold.health();
    expect(failed.ok).toBe(false);
    expect(failed.grants[0]).toMatchObject({ status: 'unavailable', reason: expect.stringContaining('failed to read') as string });
  });

  it('waits 2 s by default for a hanging store (on the manager clock)', async () => {
    h = await startHarness();
    const clock = new FakeClock();
    const probe = probedStore(h.store);
    const manager = h.manager({ store: probe.store, clock });
    await manager.setRefreshToken(h.lwa.issueRefreshToken());
    probe.mode('hang');
    let settled = false;
    const report = manager.health().finally(() => (settled = true));
    await clock.advance(1999);
    expect(settled).toBe(false);
    await clock.advance(1);
    expect(await report).toMatchObject({ ok: false, grants: [{ status: 'unavailable' }] });
  });

  it('rejects when the caller aborts, and reports a closed manager as not ok', async () => {
    h = await startHarness();
    const probe = probedStore(h.store);
    const manager = h.manager({ store: probe.store });
    await manager.setRefreshToken(h.lwa.issueRefreshToken());
    probe.mode('hang');
    const controller = new AbortController();
    const report = manager.health({ signal: controller.signal });
    controller.abort(new Error('probe cancelled'));
    await expect(report).rejects.toThrow('probe cancelled');
    await manager.close();
    expect(await manager.health()).toMatchObject({ ok: false, grants: [{ status: 'unavailable', reason: 'this TokenManager is closed' }] });
  });
});
