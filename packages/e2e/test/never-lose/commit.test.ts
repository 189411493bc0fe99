import type { TokenEvent } from '@ads-token/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { FaultyStore } from '../support/faulty-parts.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function rotatingGrant(store: FaultyStore) {
  h = await startHarness({ rotateRefreshTokens: true });
  const manager = h.manager({ store });
  const first = h.lwa.issueRefreshToken();
  await manager.setRefreshToken(first);
  return { h, manager, first };
}

const types = (events: TokenEvent[]) => events.map((e) => e.type);

describe('a failed commit after LWA answered', () => {
  it('serves the new token, keeps the rotated refresh token, and writes it once the store is back', async () => {
    const store = new FaultyStore();
    const { h, manager, first } = await rotatingGrant(store);
    store.fail('compareAndSet', 1000);
    const token = await manager.getAccessToken();
    expect(h.lwa.isValidAccessToken(token)).toBe(true);
    expect(h.lwa.counts.refresh_token).toBe(1);
    expect(h.lwa.isUsableRefreshToken(first)).toBe(false);
    expect(types(h.events)).toContain('commit_pending');
    // Served from memory while the store refuses writes.
    expect(await manager.getAccessToken()).toBe(token);
    // The store comes back: the next store access writes what LWA answered.
    store.heal();
    await manager.refreshAccessToken();
    expect(types(h.events)).toContain('commit_recovered');
    expect(h.lwa.counts.refresh_token).toBe(2);
    // Another manager, from the store alone, refreshes with the stored (newest) refresh token: LWA accepts it.
    const other = h.manager({ store });
    const otherToken = await other.refreshAccessToken();
    expect(h.lwa.isValidAccessToken(otherToken)).toBe(true);
    expect(h.events.some((e) => e.type === 'revoked')).toBe(false);
  });

  it('starts every later refresh from the pending refresh token while the store is down', async () => {
    const store = new FaultyStore();
    const { h, manager } = await rotatingGrant(store);
    store.fail('compareAndSet', 1000);
    await manager.getAccessToken();
    store.down();
    // Two more refreshes while the store is down: each must send the newest refresh token.
    const second = await manager.refreshAccessToken();
    const third = await manager.refreshAccessToken();
    expect(h.lwa.isValidAccessToken(second) && h.lwa.isValidAccessToken(third)).toBe(true);
    expect(h.lwa.requests.filter((r) => r.grantType === 'refresh_token').map((r) => r.status)).toEqual([200, 200, 200]);
    store.up();
    store.heal();
    await manager.close();
    // close() made the last write: a new manager refreshes from the store without invalid_grant.
    const later = h.manager({ store });
    expect(h.lwa.isValidAccessToken(await later.refreshAccessToken())).toBe(true);
    expect(h.events.some((e) => e.type === 'revoked')).toBe(false);
  });

  it('writes in the background after the refresh deadline until the store takes it', async () => {
    const store = new FaultyStore();
    h = await startHarness({ rotateRefreshTokens: true });
    const manager = h.manager({ store, retry: { baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 200 } });
    await manager.setRefreshToken(h.lwa.issueRefreshToken());
    store.fail('compareAndSet', 40);
    await manager.getAccessToken();
    const pendingEvents = () => h!.events.filter((e) => e.type === 'commit_pending').length;
    // Bounded wait for the background writer to get through the failures.
    for (let i = 0; i < 200 && !types(h.events).includes('commit_recovered'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(pendingEvents()).toBe(40);
    const recovered = h.events.find((e) => e.type === 'commit_recovered');
    expect(recovered).toMatchObject({ attempts: 41 });
    const other = h.manager({ store });
    expect(h.lwa.isValidAccessToken(await other.refreshAccessToken())).toBe(true);
  });

  it('a write whose reply was lost (it landed) is recognised, not written twice', async () => {
    const store = new FaultyStore();
    const { h, manager } = await rotatingGrant(store);
    store.writeThenThrow(1);
    const token = await manager.getAccessToken();
    expect(h.lwa.isValidAccessToken(token)).toBe(true);
    await manager.refreshAccessToken();
    expect(types(h.events)).toContain('commit_recovered');
    expect(h.events.some((e) => e.type === 'revoked')).toBe(false);
  });

  it('a lost compare-and-set whose re-read fails keeps the answer and writes it later', async () => {
    const store = new FaultyStore();
    const { h, manager } = await rotatingGrant(store);
    store.falseConflict(1, { thenFailGet: true });
    const token = await manager.getAccessToken();
    expect(h.lwa.isValidAccessToken(token)).toBe(true);
    expect(types(h.events)).toContain('commit_pending');
    const other = h.manager({ store });
    // The next access of the first manager writes the pending record.
    await manager.getTokenInfo();
    expect(types(h.events)).toContain('commit_recovered');
    expect(h.lwa.isValidAccessToken(await other.refreshAccessToken())).toBe(true);
  });

  it('a code exchange whose write fails keeps the new grant in memory and stores it later', async () => {
    const store = new FaultyStore();
    h = await startHarness({ rotateRefreshTokens: true });
    const manager = h.manager({ store });
    store.fail('compareAndSet', 1);
    const info = await manager.authenticateWithCode(h.lwa.issueCode());
    expect(info.status).toBe('valid');
    expect(h.lwa.isValidAccessToken(await manager.getAccessToken())).toBe(true);
    await manager.getTokenInfo();
    const other = h.manager({ store });
    expect(await other.getTokenInfo()).toMatchObject({ hasRefreshToken: true });
    expect(h.lwa.isValidAccessToken(await other.refreshAccessToken())).toBe(true);
  });

  it('a store that is down before a code exchange fails it without spending the code', async () => {
    const store = new FaultyStore();
    h = await startHarness();
    const manager = h.manager({ store });
    const code = h.lwa.issueCode();
    store.fail('get', 1);
    await expect(manager.authenticateWithCode(code)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(h.lwa.counts.total).toBe(0);
    await expect(manager.authenticateWithCode(code)).resolves.toMatchObject({ status: 'valid' });
  });

  it('a grant cleared elsewhere while a commit is pending stays cleared', async () => {
    const store = new FaultyStore();
    const { h, manager } = await rotatingGrant(store);
    store.fail('compareAndSet', 1000);
    await manager.getAccessToken();
    await h.manager({ store }).clearTokens();
    store.heal();
    await expect(manager.getTokenInfo()).resolves.toMatchObject({ status: 'not_authenticated' });
    await expect(manager.refreshAccessToken()).rejects.toMatchObject({ code: 'NOT_AUTHENTICATED' });
  });
});
