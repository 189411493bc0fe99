/**
 * Many advertisers: one TokenPool for every grant of the app, a ProfileDirectory that finds which
 * grant reaches a profile, and createAdsFetch calls by profile id alone. `many-advertisers.test.ts`
 * runs this against the loopback simulators from @ads-token/testing.
 */
import { MemoryTokenStore, TokenPool, isAdsTokenError } from '@ads-token/core';
import type { TokenStore } from '@ads-token/core';
// In your app: import { FetchHttpClient, ProfileDirectory, createAdsFetch } from '@ads-token/fetch-adapter';
import { FetchHttpClient, ProfileDirectory, createAdsFetch } from '../src/index.js';

/** What the example needs. */
export interface ManyAdvertisersConfig {
  /** Your LWA client id. */
  clientId: string;
  /** Your LWA client secret. */
  clientSecret: string;
  /** Refresh tokens by grant id (your advertiser ids), e.g. from your consent flow. */
  grants: Record<string, string>;
  /** The profiles to call, by id only. */
  profileIds: string[];
  /** Where tokens live; a shared store (Redis, PostgreSQL, ...) in a fleet. @default a MemoryTokenStore */
  store?: TokenStore;
  /** LWA token endpoint override (simulators, proxies). @default the NA token endpoint */
  tokenUrl?: string;
  /** Ads API host override (simulators, proxies). @default https://advertising-api.amazon.com */
  adsApiUrl?: string;
  /** Where progress lines go (never a token). @default console.log */
  log?: (line: string) => void;
}

/** Runs the example; returns the grant each profile was called with (undefined: no grant has it). */
export async function manyAdvertisers(config: ManyAdvertisersConfig): Promise<Record<string, string | undefined>> {
  const log = config.log ?? console.log;
  const pool = new TokenPool({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    http: new FetchHttpClient(),
    store: config.store ?? new MemoryTokenStore(),
    ...(config.tokenUrl === undefined ? {} : { endpoints: { tokenUrl: config.tokenUrl } }),
  });
  try {
    // Store each grant once; ifAbsent never overwrites a newer (rotated) token another process stored.
    for (const [grantId, refreshToken] of Object.entries(config.grants)) {
      await pool.manager(grantId).setRefreshToken(refreshToken, { ifAbsent: true });
    }

    // Which grant reaches which profile, shared through the store by every process of the fleet.
    const directory = new ProfileDirectory(pool, config.adsApiUrl === undefined ? {} : { baseUrl: config.adsApiUrl });
    const summary = await directory.refresh();
    log(`directory: ${summary.profiles} profiles from ${summary.listed} of ${summary.grants} grants`);
    for (const failure of summary.failures) log(`  grant ${failure.grantId} not listed: ${failure.code ?? failure.status ?? ''} ${failure.message}`);

    // Calls by profile id only: the grant is found through the directory.
    const adsFetch = createAdsFetch(pool, { directory, ...(config.adsApiUrl === undefined ? {} : { baseUrl: config.adsApiUrl }) });
    const routed: Record<string, string | undefined> = {};
    for (const profileId of config.profileIds) {
      try {
        const response = await adsFetch(`/v2/profiles/${profileId}`, { profileId });
        routed[profileId] = await directory.grantFor(profileId);
        log(`profile ${profileId}: ${response.status} via grant ${routed[profileId]}`);
      } catch (error) {
        if (!isAdsTokenError(error, 'PROFILE_NOT_FOUND')) throw error;
        routed[profileId] = undefined;
        log(`profile ${profileId}: no grant has it`);
      }
    }

    // Which grants need attention.
    for (const grant of await pool.status()) {
      log(`grant ${grant.grantId}: ${grant.status}, expires in ${grant.expiresInSeconds} s${grant.consentExpiringSoon ? ', consent expiring soon' : ''}`);
    }
    return routed;
  } finally {
    await pool.close();
  }
}
