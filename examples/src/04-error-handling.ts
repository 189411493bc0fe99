/**
 * Example 4, error handling: every error is an `AdsTokenError` with a stable `code`, and its
 * subclasses carry what you need to act (LWA's error and request id on a failed refresh). The
 * messages keep the Python library's phrases, so `"Not authenticated" in message` and
 * `"Token refresh failed" in message` checks still work while you migrate to `code`.
 *
 * Scenarios: no tokens yet; a refresh of the stored grant while LWA has trouble; a revoked refresh
 * token (re-consent); a wrong client secret. Only the second touches the token file (it refreshes
 * the stored grant, which is harmless); the others use throwaway in-memory stores.
 *
 *   ADS_CLIENT_ID=... ADS_CLIENT_SECRET=... node dist/04-error-handling.js
 */
import {
  AdsTokenError,
  InvalidClientError,
  InvalidGrantError,
  MemoryTokenStore,
  NotAuthenticatedError,
  TokenManager,
  TokenRefreshError,
} from '@ads-token/core';
import type { AdsTokenErrorCode } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { DEFAULT_TOKEN_FILE, FileLock, FileTokenStore } from '@ads-token/store-file';
import { isMain, lwaOptions, runMain } from './example-env.js';
import type { ExampleEnv } from './example-env.js';

/** How one scenario ended. */
export interface ErrorOutcome {
  /** What was tried. */
  scenario: string;
  /** The error's stable code, or `'OK'` when nothing failed. */
  code: AdsTokenErrorCode | 'OK' | 'UNEXPECTED';
  /** The error's message (never holds a token or secret), or what happened. */
  message: string;
  /** What an application should do about it. */
  advice: string;
  /** LWA's request id, for failed token requests (quote it to Amazon support). */
  requestId?: string;
}

/** What to do about an error, by its stable code. */
export function adviceFor(error: unknown): string {
  if (!(error instanceof AdsTokenError)) return 'Not from the token library: handle it as any other error.';
  switch (error.code) {
    case 'NOT_AUTHENTICATED':
      return 'Authenticate first: run 01-first-authentication, or boot from a refresh token (ADS_REFRESH_TOKEN).';
    case 'INVALID_GRANT':
      return 'The advertiser revoked access (or the code was bad): send them through consent again.';
    case 'INVALID_CLIENT':
      return 'Check ADS_CLIENT_ID and ADS_CLIENT_SECRET against the app in the Amazon developer console.';
    case 'TOKEN_REFRESH_FAILED':
    case 'INVALID_RESPONSE':
    case 'HTTP_TRANSPORT':
      return 'Login with Amazon could not refresh the token just now (already retried): try again later.';
    case 'LOCK_TIMEOUT':
    case 'STORE_UNAVAILABLE':
      return 'The token file or its lock was not available in time: check the disk and other processes, then retry.';
    case 'DECRYPTION_FAILED':
      return 'The stored tokens were sealed with another key: set the same ADS_ENCRYPTION_KEY (or client secret) as the writer.';
    case 'CORRUPT_RECORD':
      return 'The token file is damaged or foreign: move it aside and authenticate again.';
    case 'STATE_MISMATCH':
    case 'AUTHORIZATION_DENIED':
      return 'The consent did not complete: start the authorization again.';
    case 'CONFIGURATION':
      return 'Fix the options or input named in the message.';
  }
  return 'Unknown error code: treat it as a failure.';
}

/** The Python library's check, unchanged: its phrases are still in the messages. */
export function seedStyleCheck(error: unknown): 'needs initial authentication' | 'refresh token might be invalid' | 'other error' {
  const text = String(error);
  if (text.includes('Not authenticated')) return 'needs initial authentication';
  if (text.includes('Token refresh failed')) return 'refresh token might be invalid';
  return 'other error';
}

/** Runs one scenario and reports how it ended, logging what a user would want to know. */
async function attempt(scenario: string, log: (line: string) => void, action: () => Promise<string>): Promise<ErrorOutcome> {
  log(`${scenario}:`);
  try {
    const message = await action();
    log(`  no error: ${message}`);
    return { scenario, code: 'OK', message, advice: 'Nothing to do.' };
  } catch (error) {
    const advice = adviceFor(error);
    if (!(error instanceof AdsTokenError)) {
      log(`  unexpected: ${String(error)}`);
      return { scenario, code: 'UNEXPECTED', message: String(error), advice };
    }
    log(`  ${error.name} (${error.code}): ${error.message}`);
    // Specific classes first: InvalidGrantError and InvalidClientError are TokenRefreshErrors too.
    if (error instanceof NotAuthenticatedError) log('  nothing stored for this grant in any process yet');
    else if (error instanceof InvalidGrantError) log('  the refresh token is revoked: every process stops calling LWA for it');
    else if (error instanceof InvalidClientError) log('  LWA refused the app credentials; nothing was written');
    if (error instanceof TokenRefreshError) {
      log(`  LWA said: HTTP ${error.status ?? 'none'}, error ${error.lwaError ?? 'none'}, request id ${error.requestId ?? 'none'}`);
    }
    log(`  seed-style check: ${seedStyleCheck(error)}`);
    log(`  what to do: ${advice}`);
    const requestId = error instanceof TokenRefreshError ? error.requestId : undefined;
    return { scenario, code: error.code, message: error.message, advice, ...(requestId === undefined ? {} : { requestId }) };
  }
}

/** Runs the error scenarios; resolves with how each ended. */
export async function run(env: ExampleEnv): Promise<ErrorOutcome[]> {
  const log = env.log ?? console.log;
  const throwaway = (clientSecret: string): TokenManager =>
    new TokenManager({
      clientId: env.clientId,
      clientSecret,
      http: new FetchHttpClient(),
      store: new MemoryTokenStore(),
      ...lwaOptions(env),
    });
  const outcomes: ErrorOutcome[] = [];

  // 1. Nothing stored yet.
  const empty = throwaway(env.clientSecret);
  outcomes.push(await attempt('No tokens yet', log, async () => `got a ${(await empty.getAccessToken()).length}-character token`));
  await empty.close();

  // 2. A refresh of the stored grant: fails with TokenRefreshError when LWA keeps answering 5xx.
  const store = new FileTokenStore({ path: env.tokenFile ?? DEFAULT_TOKEN_FILE });
  const lock = new FileLock(env.lockDirectory === undefined ? { tokenFile: store.path } : { directory: env.lockDirectory });
  const stored = new TokenManager({ clientId: env.clientId, clientSecret: env.clientSecret, http: new FetchHttpClient(), store, lock, ...lwaOptions(env) });
  try {
    if (env.refreshToken !== undefined) await stored.setRefreshToken(env.refreshToken, { ifAbsent: true });
    outcomes.push(
      await attempt('Refresh the stored grant now', log, async () => {
        await stored.refreshAccessToken();
        return 'LWA answered; the new access token is stored';
      }),
    );
  } finally {
    await stored.close();
    await store.close();
    await lock.close();
  }

  // 3. A revoked (or unknown) refresh token: InvalidGrantError, then re-consent.
  const revoked = throwaway(env.clientSecret);
  await revoked.setRefreshToken('Atzr|IwEBexample-revoked-refresh-token');
  outcomes.push(await attempt('Refresh token revoked', log, async () => `got a ${(await revoked.getAccessToken()).length}-character token`));
  const info = await revoked.getTokenInfo();
  log(`  Status: ${info.status}`);
  if (info.status === 'revoked') {
    const { url } = await revoked.createAuthorizationUrl({ pkce: true });
    log(`  re-consent: send the advertiser to ${new URL(url).origin}${new URL(url).pathname} (as in example 1)`);
  }
  await revoked.close();

  // 4. A wrong client secret: InvalidClientError.
  const wrongSecret = throwaway(`${env.clientSecret}-not-this-one`);
  await wrongSecret.setRefreshToken('Atzr|IwEBexample-refresh-token');
  outcomes.push(await attempt('Wrong client secret', log, async () => `got a ${(await wrongSecret.getAccessToken()).length}-character token`));
  await wrongSecret.close();

  return outcomes;
}

if (isMain(import.meta.url)) await runMain(run);
