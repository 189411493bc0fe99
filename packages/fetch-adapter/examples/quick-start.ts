/**
 * Quick start and "Making API calls": authenticate once with a code, then call the Ads API with
 * fresh headers, by hand with `getHeaders()` + `fetch`, or with `createAdsFetch`, which also
 * refreshes on a 401 and backs off on 429/5xx. `with-simulators.ts` runs this against the loopback
 * simulators from @ads-token/testing; point it at Amazon by leaving out the URL overrides.
 */
import { TokenManager } from '@ads-token/core';
// In your app: import { FetchHttpClient, createAdsFetch } from '@ads-token/fetch-adapter';
import { FetchHttpClient, createAdsFetch } from '../src/index.js';

/** What the quick start needs. */
export interface QuickStartConfig {
  /** Your LWA client id (`amzn1.application-oa2-client...`). */
  clientId: string;
  /** Your LWA client secret. */
  clientSecret: string;
  /** The `code` from the consent redirect. */
  authorizationCode: string;
  /** LWA token endpoint override (simulators, proxies). @default the NA token endpoint */
  tokenUrl?: string;
  /** Ads API host override (simulators, proxies). @default https://advertising-api.amazon.com */
  adsApiUrl?: string;
  /** Where progress lines go (never a token). @default console.log */
  log?: (line: string) => void;
}

/** A profile, as far as the quick start reads it. */
export interface ProfileSummary {
  profileId: number;
  countryCode: string;
  accountInfo: { name: string; type: string };
}

/** Runs the quick start; returns the profiles listed. */
export async function quickStart(config: QuickStartConfig): Promise<ProfileSummary[]> {
  const log = config.log ?? console.log;

  // Initialize the manager (tokens live in memory here: see the store packages to keep them).
  const manager = new TokenManager({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    http: new FetchHttpClient(),
    ...(config.tokenUrl === undefined ? {} : { endpoints: { tokenUrl: config.tokenUrl } }),
  });
  try {
    // First-time authentication.
    const info = await manager.authenticateWithCode(config.authorizationCode);
    log(`authenticated: status ${info.status}, expires in ${info.expiresInSeconds} s`);

    // Get an access token (refreshed automatically when needed).
    const accessToken = await manager.getAccessToken();
    log(`access token: ${accessToken.length} characters`);

    // Making API calls, by hand: headers with a valid token, then any HTTP client.
    const apiUrl = config.adsApiUrl ?? 'https://advertising-api.amazon.com';
    const headers = await manager.getHeaders();
    const response = await fetch(`${apiUrl}/v2/profiles`, { headers });
    if (!response.ok) throw new Error(`GET /v2/profiles answered ${response.status}`);
    const profiles = (await response.json()) as ProfileSummary[];
    log(`fetch + getHeaders: ${profiles.length} profiles`);

    // Or let createAdsFetch add the headers, refresh on a 401 and back off on 429/5xx.
    const adsFetch = createAdsFetch(manager, {
      ...(config.adsApiUrl === undefined ? {} : { baseUrl: config.adsApiUrl }),
      onRetry: ({ status, delayMs, url }) => log(`retrying ${url} after ${status} in ${delayMs} ms`),
    });
    const listed = (await (await adsFetch('/v2/profiles')).json()) as ProfileSummary[];
    for (const profile of listed) log(`profile ${profile.profileId} ${profile.countryCode} ${profile.accountInfo.name}`);

    // Calls for one advertiser carry its profile id as Amazon-Advertising-API-Scope.
    const first = listed[0];
    if (first !== undefined) {
      const one = await adsFetch(`/v2/profiles/${first.profileId}`, { profileId: first.profileId });
      log(`profile ${first.profileId}: ${one.status}`);
      await one.body?.cancel();
    }
    return listed;
  } finally {
    await manager.close();
  }
}
