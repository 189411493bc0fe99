import { ConfigurationError, type TokenEvent, type TokenEventListener } from '@ads-token/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('several event listeners', () => {
  it('onEvent takes an array; addListener adds one and returns its remover', async () => {
    h = await startHarness();
    const first: TokenEvent[] = [];
    const second: TokenEvent[] = [];
    const added: TokenEvent[] = [];
    const manager = h.manager({ onEvent: [(e) => first.push(e), (e) => second.push(e)] });
    const remove = manager.addListener((e) => added.push(e));
    await manager.setRefreshToken(h.lwa.issueRefreshToken());
    await manager.getAccessToken();
    // (a lock_waited may come in between when taking the free lock took a millisecond)
    expect(first.map((e) => e.type).filter((t) => t !== 'lock_waited')).toEqual(['authenticated', 'refreshed']);
    expect(second).toEqual(first);
    expect(added).toEqual(first);
    const before = first.length;
    remove();
    remove();
    await manager.refreshAccessToken();
    expect(first.length).toBeGreaterThan(before);
    expect(first.at(-1)!.type).toBe('refreshed');
    expect(added).toHaveLength(before);
  });

  it('one function added twice is called twice, and each remover removes one registration', async () => {
    h = await startHarness();
    const seen: string[] = [];
    const listener: TokenEventListener = (e) => seen.push(e.type);
    const manager = h.manager({ onEvent: [] });
    const removeOne = manager.addListener(listener);
    manager.addListener(listener);
    await manager.setRefreshToken(h.lwa.issueRefreshToken());
    expect(seen).toEqual(['authenticated', 'authenticated']);
    removeOne();
    await manager.clearTokens();
    expect(seen).toEqual(['authenticated', 'authenticated', 'cleared']);
  });

  it('a listener that throws or rejects breaks neither the refresh nor the other listeners', async () => {
    h = await startHarness();
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => {
      rejections.push(reason);
    };
    process.on('unhandledRejection', onRejection);
    try {
      const seen: string[] = [];
      const manager = h.manager({
        onEvent: [
          () => {
            throw new Error('listener bug');
          },
          async () => {
            throw new Error('async listener bug');
          },
          (e) => seen.push(e.type),
        ],
      });
      await manager.setRefreshToken(h.lwa.issueRefreshToken());
      expect(h.lwa.isValidAccessToken(await manager.getAccessToken())).toBe(true);
      expect(seen.filter((t) => t !== 'lock_waited')).toEqual(['authenticated', 'refreshed']);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('refuses a listener that is not a function', async () => {
    h = await startHarness();
    const manager = h.manager();
    expect(() => manager.addListener('log' as unknown as TokenEventListener)).toThrow(ConfigurationError);
    expect(() => h!.manager({ onEvent: [42 as unknown as TokenEventListener] })).toThrow(ConfigurationError);
  });
});
