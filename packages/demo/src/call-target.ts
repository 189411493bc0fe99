import type { TokenManager, TokenPool } from '@ads-token/core';
import { ProfileDirectory, createAdsFetch, type AdsFetch } from '@ads-token/fetch-adapter';
import type { DemoGrant, WorkerStats } from './protocol.js';

/** What a worker's call loops call: the next Ads API request, and how to let go. */
export interface CallTarget {
  /** Sends the next Ads API call. */
  call(signal: AbortSignal): Promise<Response>;
  /** Closes the manager or pool. */
  close(): Promise<void>;
}

const RETRY = { maxAttempts: 3, maxTotalMs: 5000 } as const;

/** One grant through a TokenManager: `GET /v2/profiles`. */
export function managerTarget(manager: TokenManager, adsUrl: string): CallTarget {
  const adsFetch = createAdsFetch(manager, { baseUrl: adsUrl, retry: RETRY });
  return { call: (signal) => adsFetch('/v2/profiles', { signal }), close: () => manager.close() };
}

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) for (let i = 0; i < 3; i += 1) gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Many grants through one TokenPool, each call named by its profile id only: a ProfileDirectory
 * (`/v2/profiles` of every grant, shared through the store) finds the grant. Opens the pool, asks it for one token per grant and records the heap that cost per grant
 * (`stats.heapPerGrantBytes`; exact when the process runs with --expose-gc).
 */
export async function poolTarget(openPool: () => TokenPool, grants: readonly DemoGrant[], adsUrl: string, stats: WorkerStats, start = 0): Promise<CallTarget> {
  const before = heapUsed();
  const pool = openPool();
  for (let i = 0; i < grants.length; i += 20) await Promise.all(grants.slice(i, i + 20).map((g) => pool.getAccessToken(g.grantId)));
  stats.heapPerGrantBytes = Math.round((heapUsed() - before) / grants.length);
  stats.grants = grants.length;

  const directory = new ProfileDirectory(pool, { baseUrl: adsUrl });
  const listed = await directory.refresh();
  if (listed.failures.length > 0) throw new Error(`the profile directory could not list ${listed.failures.length} grants`);
  const adsFetch: AdsFetch = createAdsFetch(pool, { baseUrl: adsUrl, retry: RETRY, directory });
  const profiles = interleavedProfiles(grants);
  // Each worker starts at its own place in the profile list (`start`) and walks it round.
  let next = start % profiles.length;
  return {
    call: (signal) => {
      const profileId = profiles[(next = (next + 1) % profiles.length)]!;
      const response = adsFetch(`/v2/profiles/${profileId}`, { profileId, signal });
      stats.peakRefreshes = pool.peakConcurrentRefreshes;
      return response;
    },
    close: () => pool.close(),
  };
}

/** Every grant's first profile, then every grant's second, ...: walking it reaches every grant once per `grants.length` calls. */
function interleavedProfiles(grants: readonly DemoGrant[]): number[] {
  const out: number[] = [];
  const most = Math.max(...grants.map((g) => g.profileIds.length));
  for (let k = 0; k < most; k += 1) for (const grant of grants) if (k < grant.profileIds.length) out.push(grant.profileIds[k]!);
  return out;
}
