/**
 * What every example needs: credentials, where tokens live, and endpoint overrides (so the tests
 * can point the examples at loopback simulators). `readExampleEnv` reads them from `ADS_*`
 * environment variables when an example runs as a program.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdsTokenError, ConfigurationError, isRegion } from '@ads-token/core';
import type { Region, TokenManagerOptions } from '@ads-token/core';

/** Credentials, token file and endpoints shared by the examples. */
export interface ExampleEnv {
  /** LWA client id (`ADS_CLIENT_ID`). */
  clientId: string;
  /** LWA client secret (`ADS_CLIENT_SECRET`). */
  clientSecret: string;
  /** LWA and Ads API region (`ADS_REGION`). @default 'NA' */
  region?: Region;
  /** Token file shared by every process (`ADS_TOKEN_STORE`, a path). @default '.amazon_ads_tokens.json' */
  tokenFile?: string;
  /** Directory of the refresh lock files (`ADS_LOCK_DIR`). @default FileLock's per-user temp directory */
  lockDirectory?: string;
  /** Base64 32-byte key that seals the stored records (`ADS_ENCRYPTION_KEY`). @default a key derived from the client secret */
  encryptionKey?: string;
  /** An existing refresh token to boot from when the store has none (`ADS_REFRESH_TOKEN`). */
  refreshToken?: string;
  /** LWA consent page override (`ADS_AUTHORIZATION_URL`). @default the region's */
  authorizationUrl?: string;
  /** LWA token endpoint override (`ADS_TOKEN_URL`). @default the region's */
  tokenUrl?: string;
  /** Ads API host override (`ADS_API_URL`). @default the region's Ads API host */
  apiUrl?: string;
  /** Redirect URI registered for the app (`ADS_REDIRECT_URI`). @default 'https://localhost' */
  redirectUri?: string;
  /** Where the examples print (never a token or secret). @default console.log */
  log?: (line: string) => void;
}

/** The TokenManager options that come from the environment: region, endpoints, redirect URI, key. */
export function lwaOptions(env: ExampleEnv): Pick<TokenManagerOptions, 'region' | 'endpoints' | 'redirectUri' | 'encryptionKey'> {
  const endpoints = {
    ...(env.authorizationUrl === undefined ? {} : { authorizationUrl: env.authorizationUrl }),
    ...(env.tokenUrl === undefined ? {} : { tokenUrl: env.tokenUrl }),
  };
  return {
    ...(env.region === undefined ? {} : { region: env.region }),
    ...(Object.keys(endpoints).length === 0 ? {} : { endpoints }),
    ...(env.redirectUri === undefined ? {} : { redirectUri: env.redirectUri }),
    ...(env.encryptionKey === undefined ? {} : { encryptionKey: { raw: env.encryptionKey } }),
  };
}

function value(environment: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const text = environment[name]?.trim();
  return text === undefined || text === '' ? undefined : text;
}

/** Reads an {@link ExampleEnv} from `ADS_*` variables. Throws ConfigurationError when a required one is missing. */
export function readExampleEnv(environment: Readonly<Record<string, string | undefined>> = process.env): ExampleEnv {
  const clientId = value(environment, 'ADS_CLIENT_ID');
  const clientSecret = value(environment, 'ADS_CLIENT_SECRET');
  if (clientId === undefined || clientSecret === undefined) {
    throw new ConfigurationError('Set ADS_CLIENT_ID and ADS_CLIENT_SECRET to your Login with Amazon app credentials');
  }
  const region = value(environment, 'ADS_REGION');
  if (region !== undefined && !isRegion(region)) throw new ConfigurationError(`ADS_REGION must be NA, EU or FE, not ${region}`);
  const tokenFile = value(environment, 'ADS_TOKEN_STORE');
  if (tokenFile !== undefined && /^rediss?:\/\//i.test(tokenFile)) {
    throw new ConfigurationError('These examples keep tokens in a file: set ADS_TOKEN_STORE to a path (see @ads-token/store-redis for Redis)');
  }
  const optional = {
    region,
    tokenFile,
    lockDirectory: value(environment, 'ADS_LOCK_DIR'),
    encryptionKey: value(environment, 'ADS_ENCRYPTION_KEY'),
    refreshToken: value(environment, 'ADS_REFRESH_TOKEN'),
    authorizationUrl: value(environment, 'ADS_AUTHORIZATION_URL'),
    tokenUrl: value(environment, 'ADS_TOKEN_URL'),
    apiUrl: value(environment, 'ADS_API_URL'),
    redirectUri: value(environment, 'ADS_REDIRECT_URI'),
  };
  const env: ExampleEnv = { clientId, clientSecret };
  for (const [name, text] of Object.entries(optional)) {
    if (text !== undefined) Object.assign(env, { [name]: text });
  }
  return env;
}

/** True when the module at `moduleUrl` is the program node was started with. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(fileURLToPath(moduleUrl)) === realpathSync(resolve(entry));
  } catch {
    return false;
  }
}

/** Runs an example as a program: reads the environment, prints a failure as `Code: message`, sets the exit code. */
export async function runMain(example: (env: ExampleEnv) => Promise<unknown>): Promise<void> {
  try {
    await example(readExampleEnv());
  } catch (error) {
    const label = error instanceof AdsTokenError ? `${error.name} (${error.code})` : 'Error';
    console.error(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
