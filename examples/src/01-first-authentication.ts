/**
 * Example 1, initial authentication: send the advertiser to the Login with Amazon consent page
 * (with PKCE), take the URL the browser was redirected to, exchange its code for tokens and keep
 * them, sealed, in a token file every later process can use.
 *
 *   ADS_CLIENT_ID=... ADS_CLIENT_SECRET=... node dist/01-first-authentication.js
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { TokenManager } from '@ads-token/core';
import type { TokenInfo } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { DEFAULT_TOKEN_FILE, FileLock, FileTokenStore } from '@ads-token/store-file';
import { isMain, lwaOptions, runMain } from './example-env.js';
import type { ExampleEnv } from './example-env.js';

/** Example 1's input: the shared env plus how to get the redirect back from the user. */
export interface FirstAuthenticationEnv extends ExampleEnv {
  /** Resolves with the full URL the browser landed on after consent. @default asks on the terminal */
  waitForRedirect?: (consentUrl: string) => Promise<string>;
}

/** Asks on the terminal for the URL the browser was redirected to. */
async function askOnTerminal(): Promise<string> {
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await terminal.question('Paste the full URL your browser was redirected to: ')).trim();
  } finally {
    terminal.close();
  }
}

/** Runs the first authentication; resolves with the stored grant's status (never a token). */
export async function run(env: FirstAuthenticationEnv): Promise<TokenInfo> {
  const log = env.log ?? console.log;
  const tokenFile = resolve(env.tokenFile ?? DEFAULT_TOKEN_FILE);
  const store = new FileTokenStore({ path: tokenFile });
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
    // Step 1: the consent URL, with a random state and a PKCE challenge. Keep state and verifier.
    const { url, state, codeVerifier } = await manager.createAuthorizationUrl({ pkce: true });
    log('Open this URL in a browser and sign in with the advertiser account:');
    log(url);

    // Step 2: LWA sends the browser to the redirect URI with ?code=...&state=...
    const redirectedTo = await (env.waitForRedirect ?? askOnTerminal)(url);

    // Step 3: check state, exchange the code (with the PKCE verifier) and store the tokens.
    const info = await manager.authenticateWithRedirect(redirectedTo, {
      state,
      ...(codeVerifier === undefined ? {} : { codeVerifier }),
    });
    log('Authenticated.');
    log(`Status: ${info.status}`);
    log(`Expires in: ${info.expiresInSeconds} seconds`);
    log(`Tokens stored, sealed, in ${tokenFile}`);
    return info;
  } finally {
    await manager.close();
    await store.close();
    await lock.close();
  }
}

if (isMain(import.meta.url)) await runMain(run);
