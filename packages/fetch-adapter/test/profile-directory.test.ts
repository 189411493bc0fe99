import { AdsTokenError, CorruptRecordError, isAdsTokenError } from '@ads-token/core';
import type { StoredRecord, TokenStore } from '@ads-token/core';
import { afterEach, describe, expect, it } from 'vitest';
import { PROFILE_DIRECTORY_RECORD, ProfileDirectory, ProfileNotFoundError } from '../src/index.js';
import { parseProfiles } from '../src/profile-listing.js';
import { profile, startProfileWorld } from './profile-world.js';
import type { ProfileWorld } from './profile-world.js';

let world: ProfileWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const GRANTS = {
  'agency-a': [profile(101, 'US', 'USD', 'A US'), profile(102, 'CA', 'CAD', 'A CA'), profile(103, 'MX', 'MXN', 'A MX')],
  'agency-b': [profile(201, 'DE', 'EUR', 'B DE'), profile(202, 'FR', 'EUR', 'B FR')],
  'agency-c': [profile(301, 'US', 'USD', 'C US'), profile(302, 'GB', 'GBP', 'C GB')],
  'agency-d': [profile(401, 'JP', 'JPY', 'D JP')],
  'agency-e': [profile(501, 'US', 'USD', 'E US'), profile(502, 'US', 'USD', 'E US 2')],
};

describe('ProfileDirectory', () => {
  it("lists every grant's profiles with that grant's token, a few at once, and answers grantFor", async () => {
    world = await startProfileWorld(GRANTS, { latencyMs: 40 });
    const pool = world.pool();
    const directory = new ProfileDirectory(pool, { baseUrl: world.ads.url, concurrency: 2, fetch: world.countingFetch });
    const summary = await directory.refresh();
    expect(summary).toMatchObject({ grants: 5, listed: 5, profiles: 10, failures: [], conflicts: 0 });
    expect(world.countingFetch.peak).toBe(2);
    expect(world.ads.count({ path: '/v2/profiles', status: 200 })).toBe(5);
    for (const [grantId, profiles] of Object.entries(GRANTS)) {
      for (const p of profiles) expect(await directory.grantFor(p.profileId)).toBe(grantId);
    }
    expect(await directory.lookup('201')).toEqual({ grantId: 'agency-b', countryCode: 'DE', currencyCode: 'EUR', accountName: 'B DE' });
    expect((await directory.entries()).map((e) => e.profileId).sort()).toEqual(['101', '102', '103', '201', '202', '301', '302', '401', '501', '502']);
    expect(directory.refreshedAt).toBe(summary.refreshedAt);
  });

  it('reports a grant whose listing fails without failing the others, and keeps its earlier entries', async () => {
    world = await startProfileWorld(GRANTS);
    const pool = world.pool();
    const directory = new ProfileDirectory(pool, { baseUrl: world.ads.url, retry: { maxAttempts: 1 } });
    await directory.refresh();
    world.ads.failNext({ status: 403, grant: world.refreshTokens.get('agency-b'), path: '/v2/profiles' });
    world.lwa.revoke(world.refreshTokens.get('agency-d') as string);
    await pool.manager('agency-d').refreshAccessToken().catch(() => undefined);
    const summary = await directory.refresh();
    expect(summary.grants).toBe(5);
    expect(summary.listed).toBe(3);
    expect(summary.failures).toEqual([
      { grantId: 'agency-b', status: 403, message: '/v2/profiles answered 403' },
      { grantId: 'agency-d', code: 'INVALID_GRANT', message: expect.any(String) as string },
    ]);
    expect(summary.profiles).toBe(10);
    expect(await directory.grantFor(201)).toBe('agency-b');
    expect(await directory.grantFor(401)).toBe('agency-d');
    for (const failure of summary.failures) expect(failure.message).not.toMatch(/Atz[ar]\|/);
  });

  it('drops a profile a grant no longer lists and serves a profile two grants reach from one of them', async () => {
    world = await startProfileWorld({ a: [profile(1, 'US', 'USD', 'one'), profile(2, 'US', 'USD', 'two')], b: [profile(3, 'US', 'USD', 'three')] });
    const directory = new ProfileDirectory(world.pool(), { baseUrl: world.ads.url });
    await directory.refresh();
    world.ads.setGrantProfiles(world.refreshTokens.get('a') as string, [profile(1, 'US', 'USD', 'one')]);
    world.ads.setGrantProfiles(world.refreshTokens.get('b') as string, [profile(3, 'US', 'USD', 'three'), profile(1, 'US', 'USD', 'one')]);
    const summary = await directory.refresh();
    expect(summary.profiles).toBe(2);
    expect(await directory.grantFor(1)).toBe('a');
    await expect(directory.grantFor(2)).rejects.toBeInstanceOf(ProfileNotFoundError);
  });

  it('throws ProfileNotFoundError, an AdsTokenError with a stable code naming the profile', async () => {
    world = await startProfileWorld(GRANTS);
    const directory = new ProfileDirectory(world.pool(), { baseUrl: world.ads.url });
    const empty = await directory.grantFor('999').catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(ProfileNotFoundError);
    expect(empty).toBeInstanceOf(AdsTokenError);
    expect(isAdsTokenError(empty, 'PROFILE_NOT_FOUND')).toBe(true);
    expect((empty as ProfileNotFoundError).profileId).toBe('999');
    expect((empty as Error).message).toMatch(/999.*empty/);
    await directory.refresh();
    const missing = await directory.grantFor(999n).catch((e: unknown) => e);
    expect((missing as Error).message).toContain('No grant has advertising profile 999');
    await expect(directory.grantFor('12a')).rejects.toMatchObject({ code: 'CONFIGURATION' });
  });

  it('is one directory for two pools over one store: the second lists nothing', async () => {
    world = await startProfileWorld(GRANTS);
    const first = new ProfileDirectory(world.pool(), { baseUrl: world.ads.url });
    await first.refresh();
    const listed = world.ads.count({ path: '/v2/profiles' });
    const second = new ProfileDirectory(world.pool(), { baseUrl: world.ads.url });
    expect(await second.grantFor(302)).toBe('agency-c');
    expect(await second.resolve(501)).toBe('agency-e');
    expect(world.ads.count({ path: '/v2/profiles' })).toBe(listed);
    const stored = await world.pool().readShared(PROFILE_DIRECTORY_RECORD);
    expect(stored?.value).toContain('"302"');
    for await (const key of world.store.list('')) expect((await world.store.get(key))?.data).not.toContain('agency-c');
  });

  it('merges when another pool writes the directory between its read and its write', async () => {
    world = await startProfileWorld(GRANTS);
    const other = new ProfileDirectory(world.pool(), { baseUrl: world.ads.url });
    const store = world.store;
    let interleaved = false;
    // The same store, with the other pool's refresh slipped in after this pool's first read of the directory.
    const racing: TokenStore = {
      get: async (key, options) => {
        const record = await store.get(key, options);
        if (!interleaved && key.includes(PROFILE_DIRECTORY_RECORD)) {
          interleaved = true;
          await other.refresh();
        }
        return record;
      },
      compareAndSet: (key, expected, record: StoredRecord, options) => store.compareAndSet(key, expected, record, options),
      delete: (key, expected, options) => store.delete(key, expected, options),
      list: (prefix, options) => store.list(prefix, options),
    };
    world.ads.setGrantProfiles(world.refreshTokens.get('agency-d') as string, [profile(401, 'JP', 'JPY', 'D JP'), profile(402, 'AU', 'AUD', 'D AU')]);
    const mine = new ProfileDirectory(world.pool({ store: racing }), { baseUrl: world.ads.url });
    const summary = await mine.refresh();
    expect(interleaved).toBe(true);
    expect(summary.conflicts).toBe(1);
    expect(summary.profiles).toBe(11);
    await other.load();
    expect(await other.grantFor(402)).toBe('agency-d');
  });

  it('treats an unreadable stored directory as a miss to refresh', async () => {
    world = await startProfileWorld(GRANTS);
    const pool = world.pool();
    expect(await pool.writeShared(PROFILE_DIRECTORY_RECORD, 'not json', undefined)).toBeDefined();
    const directory = new ProfileDirectory(pool, { baseUrl: world.ads.url });
    await expect(directory.grantFor(101)).rejects.toBeInstanceOf(CorruptRecordError);
    expect(await directory.resolve(101)).toBe('agency-a');
    expect(world.ads.count({ path: '/v2/profiles' })).toBe(5);
  });

  it('rejects with StoreUnavailableError when the store cannot list the grants', async () => {
    world = await startProfileWorld(GRANTS);
    const store = world.store;
    const broken: TokenStore = {
      get: (key, options) => store.get(key, options),
      compareAndSet: (key, expected, record, options) => store.compareAndSet(key, expected, record, options),
      delete: (key, expected, options) => store.delete(key, expected, options),
      // eslint-disable-next-line require-yield
      list: async function* () {
        throw new Error('connection reset');
      },
    };
    const directory = new ProfileDirectory(world.pool({ store: broken }), { baseUrl: world.ads.url });
    await expect(directory.refresh()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(world.ads.count({ path: '/v2/profiles' })).toBe(0);
  });

  it('checks its options', async () => {
    world = await startProfileWorld({});
    const pool = world.pool();
    expect(() => new ProfileDirectory(pool, { concurrency: 0 })).toThrow(/concurrency/);
    expect(() => new ProfileDirectory(pool, { baseUrl: 'nope' })).toThrow(/baseUrl/);
    expect(() => new ProfileDirectory({} as never)).toThrow(/TokenPool/);
    expect(await new ProfileDirectory(pool, { baseUrl: world.ads.url }).refresh()).toMatchObject({ grants: 0, listed: 0, profiles: 0 });
  });
});

describe('parseProfiles', () => {
  it('keeps profile ids above 2^53 exact and skips entries without an id', () => {
    const body = '[{"profileId": 12345678901234567890, "countryCode":"US","currencyCode":"USD","accountInfo":{"name":"big"}},{"countryCode":"US"}]';
    expect([...(parseProfiles(body) ?? [])]).toEqual([['12345678901234567890', { countryCode: 'US', currencyCode: 'USD', accountName: 'big' }]]);
    expect(parseProfiles('{"not":"a list"}')).toBeUndefined();
    expect(parseProfiles('<html>')).toBeUndefined();
  });
});
