import { NotAuthenticatedError } from '@ads-token/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/harness.js';
import { FaultyStore } from './support/faulty-parts.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('change notifications', () => {
  it.each(['code', 'refresh token'] as const)('a manager that only wrote (%s) sees a clearTokens made elsewhere at once', async (how) => {
    h = await startHarness();
    const store = new FaultyStore();
    const writer = h.manager({ store });
    if (how === 'code') await writer.authenticateWithCode(h.lwa.issueCode());
    else await writer.setRefreshToken(h.lwa.issueRefreshToken());
    expect(store.calls.subscribe).toBe(1);
    // Served from memory from now on, until a change notification says otherwise.
    expect(h.lwa.isValidAccessToken(await writer.getAccessToken())).toBe(true);
    await h.manager({ store }).clearTokens();
    await expect(writer.getAccessToken()).rejects.toBeInstanceOf(NotAuthenticatedError);
  });

  it('a failed subscription is tried again at the next store access', async () => {
    h = await startHarness();
    const store = new FaultyStore();
    store.fail('subscribe', 1);
    const manager = h.manager({ store });
    await manager.setRefreshToken(h.lwa.issueRefreshToken());
    await manager.getAccessToken();
    expect(store.calls.subscribe).toBe(2);
    await h.manager({ store }).clearTokens();
    await expect(manager.getAccessToken()).rejects.toBeInstanceOf(NotAuthenticatedError);
  });
});
