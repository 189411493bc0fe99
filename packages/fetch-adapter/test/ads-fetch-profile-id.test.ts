import { ConfigurationError } from '@ads-token/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createAdsFetch } from '../src/index.js';
import { echoOf, startWorld, type AdsWorld } from './ads-fetch-support.js';

let w: AdsWorld | undefined;
afterEach(async () => {
  await w?.stop();
  w = undefined;
});

describe('createAdsFetch profile ids', () => {
  it('sends digits, safe integers and bigints as they are', async () => {
    w = await startWorld();
    const adsFetch = createAdsFetch(await w.manager(), { baseUrl: w.ads.url, profileId: 9007199254740993n });
    expect((await echoOf(await adsFetch('/echo/a'))).headers['amazon-advertising-api-scope']).toBe('9007199254740993');
    expect((await echoOf(await adsFetch('/echo/b', { profileId: Number.MAX_SAFE_INTEGER }))).headers['amazon-advertising-api-scope']).toBe('9007199254740991');
  });

  it('refuses a bad profile option up front with ConfigurationError', async () => {
    w = await startWorld();
    const manager = await w.manager();
    for (const profileId of ['1\r\n2', '', Number.NaN, 2 ** 53 + 2]) {
      expect(() => createAdsFetch(manager, { baseUrl: w!.ads.url, profileId }), String(profileId)).toThrow(ConfigurationError);
    }
  });

  it("refuses a bad call's profile with ConfigurationError, sending nothing", async () => {
    w = await startWorld();
    const adsFetch = createAdsFetch(await w.manager(), { baseUrl: w.ads.url });
    for (const profileId of ['1\r\nX-Injected: 1', '', Number.NaN, 2 ** 53 + 2, -1]) {
      await expect(adsFetch('/echo/x', { profileId }), String(profileId)).rejects.toBeInstanceOf(ConfigurationError);
    }
    expect(w.ads.requests).toHaveLength(0);
  });
});
