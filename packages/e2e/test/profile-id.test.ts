import { ConfigurationError } from '@ads-token/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('getHeaders({ profileId })', () => {
  it('sends digits, safe integers and bigints as they are', async () => {
    h = await startHarness();
    const manager = h.manager();
    await manager.setRefreshToken(h.lwa.issueRefreshToken());
    expect((await manager.getHeaders({ profileId: '3456789012345678' }))['Amazon-Advertising-API-Scope']).toBe('3456789012345678');
    expect((await manager.getHeaders({ profileId: 12345 }))['Amazon-Advertising-API-Scope']).toBe('12345');
    const big = 9007199254740993n as unknown as number;
    expect((await manager.getHeaders({ profileId: big }))['Amazon-Advertising-API-Scope']).toBe('9007199254740993');
  });

  it('refuses CR/LF, empty, NaN and integers above 2^53 with ConfigurationError', async () => {
    h = await startHarness();
    const manager = h.manager();
    await manager.setRefreshToken(h.lwa.issueRefreshToken());
    for (const profileId of ['123\r\nX-Injected: 1', '', Number.NaN, 2 ** 53 + 2, -5]) {
      await expect(manager.getHeaders({ profileId }), String(profileId)).rejects.toBeInstanceOf(ConfigurationError);
    }
  });
});
