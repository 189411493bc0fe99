/**
 * Example 2, re-authentication with existing tokens: a new process (or a new manager) over the
 * same token file picks the stored tokens up, with no consent and no code. A worker of a fleet can
 * boot from a refresh token it was given (ADS_REFRESH_TOKEN) with `setRefreshToken(token,
 * { ifAbsent: true })`, which never overwrites a newer (or rotated) token already stored.
 *
 *   ADS_CLIENT_ID=... ADS_CLIENT_SECRET=... node dist/02-reuse-stored-tokens.js
 */
import { TokenManager } from '@ads-token/core';
import type { TokenInfo } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { DEFAULT_TOKEN_FILE, FileLock, FileTokenStore } from '@ads-token/store-file';
import { isMain, lwaOptions, runMain } from './example-env.js';
import type { ExampleEnv } from './example-env.js';

/** What example 2 saw. */
export interface ReuseStoredTokensResult {
  /** Whether `env.refreshToken` was written (`undefined` when none was given). */
  storedRefreshToken: boolean | undefined;
  /** The grant's status before the first access token was asked for. */
  info: TokenInfo;
  /** Names of the headers `getHeaders` gave for an Ads API call. */
  headerNames: string[];
}

/** Runs example 2; resolves with what it saw (never a token). */
export async function run(env: ExampleEnv): Promise<ReuseStoredTokensResult> {
  const log = env.log ?? console.log;
  const store = new FileTokenStore({ path: env.tokenFile ?? DEFAULT_TOKEN_FILE });
  const lock = new FileLock(env.lockDirectory === undefined ? { tokenFile: store.path } : { directory: env.lockDirectory });
  const manager = new TokenManager({
    clientId: env.clientId,
    clientSecret: env.clientSecret,
    http: new FetchHttpClient(),
    store,
    lock,
    ...lwaOptions(env),
  });
  try {
    // Fleet boot: store the given refresh token only if this grant has nothing stored yet.
    let storedRefreshToken: boolean | undefined;
    if (env.refreshToken !== undefined) {
      storedRefreshToken = await manager.setRefreshToken(env.refreshToken, { ifAbsent: true });
      log(
        storedRefreshToken
          ? 'Stored the given refresh token: the token file had none for this grant.'
          : 'Kept the stored tokens: the given refresh token was not written over them.',
      );
    }

    // The tokens another process stored are there: check their status (never a token).
    const info = await manager.getTokenInfo();
    log(`Status: ${info.status}`);
    log(`Expires in: ${info.expiresInSeconds} seconds`);
    log(`Is expired: ${info.isExpired}`);
    log(`Has refresh token: ${info.hasRefreshToken}`);

    // A valid access token: the stored one while fresh, else refreshed (once, under the lock).
    const accessToken = await manager.getAccessToken();
    log(`Access token ready (${accessToken.length} characters; never print it).`);

    // Headers for an Ads API call.
    const headers = await manager.getHeaders();
    const headerNames = Object.keys(headers);
    log(`Headers for API calls: ${headerNames.join(', ')}`);
    return { storedRefreshToken, info, headerNames };
  } finally {
    await manager.close();
    await store.close();
    await lock.close();
  }
}

if (isMain(import.meta.url)) await runMain(run);
