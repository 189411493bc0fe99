import { ConfigurationError } from '@ads-token/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ProfileDirectory, ProfileNotFoundError, createAdsFetch } from '../src/index.js';
import { echoOf } from './ads-fetch-support.js';
import { profile, startProfileWorld } from './profile-world.js';
import type { ProfileWorld } from './profile-world.js';

let world: ProfileWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const GRANTS = {
  'adv-1': [profile(11, 'US', 'USD', 'one US'), profile(12, 'CA', 'CAD', 'one CA')],
  'adv-2': [profile(21, 'DE', 'EUR', 'two DE'), profile(22, 'FR', 'EUR', 'two FR'), profile(23, 'IT', 'EUR', 'two IT')],
  'adv-3': [profile(31, 'JP', 'JPY', 'three JP')],
};

describe('createAdsFetch over a TokenPool', () => {
  it("routes each call by profile id alone to the grant that has it (the simulator accepts a scope only among the caller's grant's profiles)", async () => {
    world = await startProfileWorld(GRANTS);
    const pool = world.pool();
    const adsFetch = createAdsFetch(pool, { baseUrl: world.ads.url });
    for (const profiles of Object.values(GRANTS)) {
      for (const p of profiles) {
        const echo = await echoOf(await adsFetch('/echo/campaigns', { profileId: p.profileId }));
        expect(echo.headers['amazon-advertising-api-scope']).toBe(String(p.profileId));
      }
    }
    // One listing of each grant on the first miss, none after.
    expect(world.ads.count({ path: '/v2/profiles' })).toBe(3);
    // Another fetch (its own directory) reads the shared directory: no listing either.
    const fixed = createAdsFetch(pool, { baseUrl: world.ads.url, profileId: 22 });
    expect((await fixed('/echo/x')).status).toBe(200);
    expect(world.ads.count({ path: '/v2/profiles' })).toBe(3);
  });

  it('fails with ProfileNotFoundError naming the profile after one refresh, and does not refresh again at once', async () => {
    world = await startProfileWorld(GRANTS);
    const adsFetch = createAdsFetch(world.pool(), { baseUrl: world.ads.url });
    const error = await adsFetch('/echo/x', { profileId: '777' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProfileNotFoundError);
    expect(error).toMatchObject({ code: 'PROFILE_NOT_FOUND', profileId: '777' });
    expect((error as Error).message).toContain('777');
    expect(world.ads.count({ path: '/v2/profiles' })).toBe(3);
    await expect(adsFetch('/echo/x', { profileId: '778' })).rejects.toMatchObject({ code: 'PROFILE_NOT_FOUND' });
    expect(world.ads.count({ path: '/v2/profiles' })).toBe(3);
    expect(world.ads.count({ path: '/echo/x' })).toBe(0);
  });

  it('refreshes once on a miss to find a profile a grant gained, sharing one refresh among concurrent calls', async () => {
    world = await startProfileWorld(GRANTS);
    const pool = world.pool();
    const directory = new ProfileDirectory(pool, { baseUrl: world.ads.url, minRefreshIntervalMs: 0 });
    await directory.refresh();
    world.ads.setGrantProfiles(world.refreshTokens.get('adv-3') as string, [profile(31, 'JP', 'JPY', 'three JP'), profile(32, 'AU', 'AUD', 'three AU')]);
    const adsFetch = createAdsFetch(pool, { baseUrl: world.ads.url, directory });
    const answers = await Promise.all(Array.from({ length: 5 }, () => adsFetch('/echo/x', { profileId: 32 })));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(world.ads.count({ path: '/v2/profiles' })).toBe(6);
    expect(await directory.grantFor(32)).toBe('adv-3');
  });

  it('takes a grant id instead of a profile, per call or as an option', async () => {
    world = await startProfileWorld(GRANTS);
    const pool = world.pool();
    const adsFetch = createAdsFetch(pool, { baseUrl: world.ads.url, grantId: 'adv-2' });
    expect((await adsFetch('/echo/x', { profileId: 21 })).status).toBe(200);
    expect((await adsFetch('/echo/x', { profileId: 31 })).status).toBe(400);
    expect((await adsFetch('/echo/x', { profileId: 31, grantId: 'adv-3' })).status).toBe(200);
    expect(world.ads.count({ path: '/v2/profiles' })).toBe(0);
  });

  it('refuses a pool call with neither profile nor grant, and pool options on a manager', async () => {
    world = await startProfileWorld(GRANTS);
    const pool = world.pool();
    await expect(createAdsFetch(pool, { baseUrl: world.ads.url })('/v2/profiles')).rejects.toBeInstanceOf(ConfigurationError);
    const manager = pool.manager('adv-1');
    expect(() => createAdsFetch(manager, { grantId: 'adv-1' })).toThrow(ConfigurationError);
    await expect(createAdsFetch(manager, { baseUrl: world.ads.url })('/echo/x', { grantId: 'adv-1' })).rejects.toBeInstanceOf(ConfigurationError);
    expect(() => createAdsFetch(pool, { directory: new ProfileDirectory(world?.pool() as never) })).toThrow(/same TokenPool/);
  });

  it('still refreshes a rejected token once on 401 for the routed grant', async () => {
    world = await startProfileWorld(GRANTS);
    const pool = world.pool();
    const adsFetch = createAdsFetch(pool, { baseUrl: world.ads.url });
    expect((await adsFetch('/echo/x', { profileId: 21 })).status).toBe(200);
    world.ads.rejectToken(await pool.getAccessToken('adv-2'));
    const before = world.lwa.counts.refresh_token;
    expect((await adsFetch('/echo/x', { profileId: 22 })).status).toBe(200);
    expect(world.lwa.counts.refresh_token).toBe(before + 1);
  });
});
