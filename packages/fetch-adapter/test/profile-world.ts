import { MemoryTokenStore, TokenPool } from '@ads-token/core';
import type { TokenPoolOptions, TokenStore } from '@ads-token/core';
import { AdsApiSimulator, LwaSimulator } from '@ads-token/testing';
import type { AdsProfile } from '@ads-token/testing';
import { FetchHttpClient } from '../src/index.js';

/** A profile the simulated Ads API lists. */
export function profile(profileId: number, countryCode: string, currencyCode: string, name: string): AdsProfile {
  return {
    profileId,
    countryCode,
    currencyCode,
    timezone: 'UTC',
    accountInfo: { marketplaceStringId: 'ATVPDKIKX0DER', id: `A${profileId}`, type: 'seller', name },
  };
}

/** LWA and Ads API simulators, grants with their own profiles, and pools over one store; stop() ends them all. */
export interface ProfileWorld {
  lwa: LwaSimulator;
  ads: AdsApiSimulator;
  store: MemoryTokenStore;
  /** grant id -> its first refresh token (the simulator's name for the grant). */
  refreshTokens: Map<string, string>;
  /** A pool over the world's store (or `store`), holding no grant of its own until it reads the store. */
  pool(options?: Partial<TokenPoolOptions> & { store?: TokenStore }): TokenPool;
  /** A fetch that counts requests in flight to `/v2/profiles`. */
  countingFetch: typeof fetch & { peak: number; inFlight: number };
  stop(): Promise<void>;
}

/** Starts a world where each grant of `grants` lists the given profiles. */
export async function startProfileWorld(grants: Record<string, AdsProfile[]>, options: { latencyMs?: number; requireScope?: string[] } = {}): Promise<ProfileWorld> {
  const lwa = await LwaSimulator.start();
  const ads = await AdsApiSimulator.start({ lwa, latencyMs: options.latencyMs ?? 0, requireScope: options.requireScope ?? ['/echo/'] });
  const store = new MemoryTokenStore();
  const pools: TokenPool[] = [];
  const refreshTokens = new Map<string, string>();
  const make = (extra: Partial<TokenPoolOptions> & { store?: TokenStore } = {}): TokenPool => {
    const pool = new TokenPool({
      clientId: lwa.clientId,
      clientSecret: lwa.clientSecret,
      http: new FetchHttpClient({ timeoutMs: 5000 }),
      store,
      endpoints: { tokenUrl: lwa.tokenUrl },
      retry: { baseDelayMs: 5, maxDelayMs: 50 },
      ...extra,
    });
    pools.push(pool);
    return pool;
  };
  const seeder = make();
  for (const [grantId, profiles] of Object.entries(grants)) {
    const token = lwa.issueRefreshToken();
    refreshTokens.set(grantId, token);
    ads.setGrantProfiles(token, profiles);
    await seeder.manager(grantId).setRefreshToken(token);
  }
  const counting = Object.assign(
    async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = input instanceof Request ? input.url : String(input);
      const listing = url.includes('/v2/profiles');
      if (listing) counting.peak = Math.max(counting.peak, ++counting.inFlight);
      try {
        return await fetch(input, init);
      } finally {
        if (listing) counting.inFlight--;
      }
    },
    { peak: 0, inFlight: 0 },
  );
  return {
    lwa,
    ads,
    store,
    refreshTokens,
    pool: make,
    countingFetch: counting,
    async stop() {
      await Promise.all(pools.map((p) => p.close()));
      await ads.stop();
      await lwa.stop();
    },
  };
}
