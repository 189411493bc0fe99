import { resolve } from 'node:path';
import { ConfigurationError, REGIONS, isRegion, type Region } from '@ads-token/core';
import { loadConfigFile } from './config-file.js';
import { checkEncryptionKey } from './encryption-key.js';
import { parseStoreTarget, type StoreTarget } from './store-target.js';

/** Values given on the command line (parsed flags). */
export type CliFlags = Readonly<Record<string, string | boolean | undefined>>;

/** Everything a command needs to reach LWA, the Ads API and the store. */
export interface CliConfig {
  clientId: string;
  clientSecret: string;
  region: Region;
  store: StoreTarget;
  /** Absolute refresh lock directory for a token file store; undefined: `<token file>.locks`. */
  lockDir: string | undefined;
  /** base64 raw key (ADS_ENCRYPTION_KEY); the client secret derives the key when absent. */
  encryptionKey: string | undefined;
  tokenUrl: string | undefined;
  authorizationUrl: string | undefined;
  apiUrl: string;
  redirectUri: string | undefined;
  scope: string | undefined;
  grant: string;
  /** A warning about the config file to show the user. */
  warning: string | undefined;
}

function env(environment: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = environment[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function flag(flags: CliFlags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

function checkUrl(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new ConfigurationError(`${name} must be an http or https URL, got "${value}"`);
  }
  return value;
}

/**
 * Resolves the configuration: flags first, then environment variables, then the config file
 * (`--config PATH`, or ./ads-token.config.json when present). Secrets come from the environment
 * or the file only, never from flags.
 */
export async function resolveConfig(flags: CliFlags, environment: Readonly<Record<string, string | undefined>>, cwd: string): Promise<CliConfig> {
  const file = await loadConfigFile(flag(flags, 'config'), cwd);
  const fromFile = file?.values ?? {};
  const pick = (flagName: string | undefined, envName: string, fileValue: string | undefined): string | undefined =>
    (flagName === undefined ? undefined : flag(flags, flagName)) ?? env(environment, envName) ?? (fileValue?.trim() === '' ? undefined : fileValue?.trim());

  const clientId = pick('client-id', 'ADS_CLIENT_ID', fromFile.clientId);
  if (clientId === undefined) {
    throw new ConfigurationError('Missing client id: pass --client-id, set ADS_CLIENT_ID, or set "clientId" in ads-token.config.json');
  }
  const clientSecret = pick(undefined, 'ADS_CLIENT_SECRET', fromFile.clientSecret);
  if (clientSecret === undefined) {
    throw new ConfigurationError('Missing client secret: set ADS_CLIENT_SECRET, or set "clientSecret" in the config file (it is never taken from a flag)');
  }
  const regionText = (pick('region', 'ADS_REGION', fromFile.region) ?? 'NA').toUpperCase();
  if (!isRegion(regionText)) throw new ConfigurationError(`Unknown region "${regionText}": use NA, EU or FE`);
  const region: Region = regionText;

  const storeFlag = flag(flags, 'store');
  const storeEnv = env(environment, 'ADS_TOKEN_STORE');
  const store =
    storeFlag !== undefined || storeEnv !== undefined || fromFile.store === undefined
      ? parseStoreTarget(storeFlag ?? storeEnv, cwd)
      : parseStoreTarget(fromFile.store, file?.dir ?? cwd);

  const lockDirFlag = flag(flags, 'lock-dir') ?? env(environment, 'ADS_LOCK_DIR');
  const lockDirText = lockDirFlag ?? (fromFile.lockDir?.trim() === '' ? undefined : fromFile.lockDir?.trim());
  const lockDir = lockDirText === undefined ? undefined : resolve(lockDirFlag === undefined ? (file?.dir ?? cwd) : cwd, lockDirText);
  if (lockDir !== undefined && store.kind !== 'file') {
    throw new ConfigurationError('--lock-dir (ADS_LOCK_DIR, "lockDir") applies to a token file store only; Redis, PostgreSQL and DynamoDB stores take their lock in that backend');
  }

  const grant = pick('grant', 'ADS_GRANT', fromFile.grant) ?? 'default';
  return {
    clientId,
    clientSecret,
    region,
    store,
    lockDir,
    encryptionKey: checkEncryptionKey(
      pick(undefined, 'ADS_ENCRYPTION_KEY', fromFile.encryptionKey),
      env(environment, 'ADS_ENCRYPTION_KEY') === undefined ? `"encryptionKey" in ${file?.path ?? 'the config file'}` : 'ADS_ENCRYPTION_KEY',
      clientSecret,
    ),
    tokenUrl: checkUrl('The token URL', pick('token-url', 'ADS_TOKEN_URL', fromFile.tokenUrl)),
    authorizationUrl: checkUrl('The authorization URL', pick('authorization-url', 'ADS_AUTHORIZATION_URL', fromFile.authorizationUrl)),
    apiUrl: checkUrl('The Ads API URL', pick('api-url', 'ADS_API_URL', fromFile.apiUrl)) ?? REGIONS[region].apiUrl,
    redirectUri: checkUrl('The redirect URI', pick('redirect-uri', 'ADS_REDIRECT_URI', fromFile.redirectUri)),
    scope: pick('scope', 'ADS_SCOPE', fromFile.scope),
    grant,
    warning: file?.warning,
  };
}
