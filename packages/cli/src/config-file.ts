import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigurationError } from '@ads-token/core';

/** Fields a config file may set (all optional). */
export interface ConfigFileValues {
  clientId?: string;
  clientSecret?: string;
  region?: string;
  store?: string;
  lockDir?: string;
  encryptionKey?: string;
  tokenUrl?: string;
  authorizationUrl?: string;
  apiUrl?: string;
  redirectUri?: string;
  scope?: string;
  grant?: string;
}

/** A loaded config file. */
export interface LoadedConfigFile {
  /** Absolute path. */
  path: string;
  /** Its directory (relative store and lock paths in the file are resolved against it). */
  dir: string;
  /** Its values. */
  values: ConfigFileValues;
  /** Set when the file holds a secret and group or others can read it. */
  warning: string | undefined;
}

/** Name of the config file looked for in the working directory. */
export const DEFAULT_CONFIG_FILE = 'ads-token.config.json';

const FIELDS: readonly (keyof ConfigFileValues)[] = [
  'clientId',
  'clientSecret',
  'region',
  'store',
  'lockDir',
  'encryptionKey',
  'tokenUrl',
  'authorizationUrl',
  'apiUrl',
  'redirectUri',
  'scope',
  'grant',
];

function errno(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Loads `explicitPath` (which must exist), else `./ads-token.config.json` when present; undefined
 * when neither. Unknown fields and non-string values are refused, so typos do not go unnoticed.
 */
export async function loadConfigFile(explicitPath: string | undefined, cwd: string): Promise<LoadedConfigFile | undefined> {
  const path = resolve(cwd, explicitPath ?? DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (explicitPath === undefined && errno(error) === 'ENOENT') return undefined;
    throw new ConfigurationError(`Cannot read the config file ${path}: ${errno(error) ?? String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigurationError(`The config file ${path} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigurationError(`The config file ${path} must hold a JSON object`);
  }
  const values: ConfigFileValues = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!(FIELDS as readonly string[]).includes(name)) {
      throw new ConfigurationError(`Unknown field "${name}" in the config file ${path} (known: ${FIELDS.join(', ')})`);
    }
    if (typeof value !== 'string') throw new ConfigurationError(`Field "${name}" in the config file ${path} must be a string`);
    values[name as keyof ConfigFileValues] = value;
  }
  let warning: string | undefined;
  if (values.clientSecret !== undefined || values.encryptionKey !== undefined) {
    const mode = (await stat(path)).mode;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      warning = `Warning: the config file ${path} holds a secret and group or others can read it; run chmod 600 on it.`;
    }
  }
  return { path, dir: dirname(path), values, warning };
}
