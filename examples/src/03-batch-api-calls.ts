/**
 * Example 3, batch API operations: list the advertiser's profiles, then make many calls for
 * several profiles at once, at most `concurrency` in flight. `createAdsFetch` adds fresh headers
 * to each call; when the access token nears expiry mid-batch it is refreshed once, in the
 * background, while calls go on, and a 401 triggers one shared refresh and a retry.
 *
 *   ADS_CLIENT_ID=... ADS_CLIENT_SECRET=... node dist/03-batch-api-calls.js
 */
import { TokenManager } from '@ads-token/core';
import { FetchHttpClient, createAdsFetch } from '@ads-token/fetch-adapter';
import { DEFAULT_TOKEN_FILE, FileLock, FileTokenStore } from '@ads-token/store-file';
import { isMain, lwaOptions, runMain } from './example-env.js';
import type { ExampleEnv } from './example-env.js';

/** Example 3's input: the shared env plus the size of the batch. */
export interface BatchApiCallsEnv extends ExampleEnv {
  /** How many profiles to call. @default 3 */
  profiles?: number;
  /** Calls per profile. @default 5 */
  callsPerProfile?: number;
  /** Calls in flight at once. @default 4 */
  concurrency?: number;
}

/** A profile as `/v2/profiles` lists it (the fields this example reads). */
interface Profile {
  profileId: number;
  countryCode: string;
  accountInfo: { name: string };
}

/** What example 3 did. */
export interface BatchApiCallsResult {
  /** Profiles listed. */
  profilesListed: number;
  /** Profiles called in the batch. */
  profilesCalled: number;
  /** Calls made in the batch. */
  calls: number;
  /** Calls answered 2xx. */
  succeeded: number;
  /** Statuses of the calls that were not 2xx, by status. */
  failedByStatus: Record<number, number>;
  /** Token refreshes made by this process during the run (LWA calls). */
  refreshes: number;
  /** Most calls that were in flight at once. */
  maxInFlight: number;
}

/** Runs `task` over `items` with at most `limit` running at once. */
async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Runs example 3; resolves with the batch's figures. */
export async function run(env: BatchApiCallsEnv): Promise<BatchApiCallsResult> {
  const log = env.log ?? console.log;
  const concurrency = env.concurrency ?? 4;
  let refreshes = 0;
  const store = new FileTokenStore({ path: env.tokenFile ?? DEFAULT_TOKEN_FILE });
  const lock = new FileLock(env.lockDirectory === undefined ? { tokenFile: store.path } : { directory: env.lockDirectory });
  const manager = new TokenManager({
    clientId: env.clientId,
    clientSecret: env.clientSecret,
    http: new FetchHttpClient(),
    store,
    lock,
    ...lwaOptions(env),
    onEvent: (event) => {
      if (event.type === 'refreshed' && event.source === 'lwa') refreshes++;
    },
  });
  try {
    if (env.refreshToken !== undefined) await manager.setRefreshToken(env.refreshToken, { ifAbsent: true });

    const adsFetch = createAdsFetch(manager, {
      ...(env.apiUrl === undefined ? {} : { baseUrl: env.apiUrl }),
      onRetry: ({ status, delayMs, url }) => log(`Retrying ${url} after HTTP ${status} in ${delayMs} ms`),
    });

    // 1. List the profiles (no profile scope needed).
    const listing = await adsFetch('/v2/profiles');
    if (!listing.ok) throw new Error(`GET /v2/profiles answered HTTP ${listing.status}`);
    const profiles = (await listing.json()) as Profile[];
    log(`Found ${profiles.length} profiles: ${profiles.map((p) => `${p.profileId} (${p.countryCode})`).join(', ')}`);

    // 2. Many calls for several profiles, each with its profile id as Amazon-Advertising-API-Scope.
    const chosen = profiles.slice(0, env.profiles ?? 3);
    const jobs = chosen.flatMap((profile) => Array.from({ length: env.callsPerProfile ?? 5 }, () => profile));
    let succeeded = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const failedByStatus: Record<number, number> = {};
    await forEachLimited(jobs, concurrency, async (profile) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const response = await adsFetch(`/v2/profiles/${profile.profileId}`, { profileId: profile.profileId });
        await response.body?.cancel();
        if (response.ok) succeeded++;
        else failedByStatus[response.status] = (failedByStatus[response.status] ?? 0) + 1;
      } finally {
        inFlight--;
      }
    });
    const failed = jobs.length - succeeded;
    log(`Made ${jobs.length} calls for ${chosen.length} profiles, at most ${concurrency} at a time: ${succeeded} succeeded, ${failed} failed`);
    log(`Token refreshes during the run: ${refreshes}`);
    return { profilesListed: profiles.length, profilesCalled: chosen.length, calls: jobs.length, succeeded, failedByStatus, refreshes, maxInFlight };
  } finally {
    await manager.close();
    await store.close();
    await lock.close();
  }
}

if (isMain(import.meta.url)) await runMain(run);
