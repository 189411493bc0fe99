import { ConfigurationError } from '../errors.js';
import { decodeBase64Any, encodeBase64 } from './base64.js';
import { redactWith } from './redaction.js';

/** PBKDF2-SHA256 iterations of a `{ passphrase }` key unless it sets `iterations`. */
export const DEFAULT_PASSPHRASE_ITERATIONS = 600_000;
/** Fewest PBKDF2 iterations a `{ passphrase }` key may ask for (also the most Cloudflare Workers allow). */
export const MIN_PASSPHRASE_ITERATIONS = 100_000;
/** Most PBKDF2 iterations configured or accepted from a record (bounds the work a crafted record can cause). */
export const MAX_PASSPHRASE_ITERATIONS = 10_000_000;

/** A 32-byte key: a `Uint8Array`, or base64 (standard or url-safe) as kept in an env var. Expanded with HKDF-SHA256. */
export interface RawEncryptionKey {
  /** 32 bytes, or their base64 (make one with `generateEncryptionKey()`). */
  raw: string | Uint8Array;
}

/** A passphrase, stretched with PBKDF2-SHA256 once per process and salt, then cached. */
export interface PassphraseEncryptionKey {
  /** Any non-empty string; use a long random one. */
  passphrase: string;
  /**
   * PBKDF2-SHA256 iterations for records this key seals (records keep their own count).
   * Cloudflare Workers allow at most 100 000: set that there, or use a `{ raw }` key.
   * @default 600000
   */
  iterations?: number;
}

/** The key derived from an LWA client secret with HKDF-SHA256: the default; see {@link clientSecretKey}. */
export interface ClientSecretEncryptionKey {
  /** The LWA client secret. */
  readonly clientSecret: string;
}

/** One key that seals and opens records. */
export type EncryptionKey = RawEncryptionKey | PassphraseEncryptionKey | ClientSecretEncryptionKey;

/** One key, or a list for rotation: records are sealed with the first and opened with any. */
export type EncryptionKeyOption = EncryptionKey | readonly EncryptionKey[];

/** A validated key, ready for derivation. Internal. */
export type KeySpec =
  | { kind: 'raw'; material: Uint8Array }
  | { kind: 'client-secret'; material: Uint8Array }
  | { kind: 'passphrase'; passphrase: string; iterations: number };

/** 32 random bytes as standard base64: a value for an `{ raw }` key's env var. */
export function generateEncryptionKey(): string {
  return encodeBase64(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * The key that is used when no `encryptionKey` is given, for `secret`. After rotating the client
 * secret, list the old one so existing records still open:
 * `encryptionKey: [clientSecretKey(newSecret), clientSecretKey(oldSecret)]`.
 * The returned object hides the secret from JSON.stringify and inspection.
 */
export function clientSecretKey(secret: string): ClientSecretEncryptionKey {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new ConfigurationError('clientSecretKey needs a non-empty client secret');
  }
  const key = {} as ClientSecretEncryptionKey;
  Object.defineProperty(key, 'clientSecret', { value: secret, enumerable: false, writable: false, configurable: false });
  return Object.freeze(redactWith(key, () => ({ clientSecret: '[redacted]' })));
}

const KINDS = ['raw', 'passphrase', 'clientSecret'] as const;

function checkOne(key: unknown, where: string): KeySpec {
  if (typeof key !== 'object' || key === null) {
    throw new ConfigurationError(`${where} must be { raw }, { passphrase } or { clientSecret }`);
  }
  const present = KINDS.filter((k) => k in key);
  if (present.length !== 1) {
    throw new ConfigurationError(`${where} must have exactly one of raw, passphrase or clientSecret`);
  }
  const k = key as Partial<RawEncryptionKey & PassphraseEncryptionKey & ClientSecretEncryptionKey>;
  if (present[0] === 'raw') {
    const raw = k.raw;
    const bytes = typeof raw === 'string' ? decodeBase64Any(raw.trim()) : raw instanceof Uint8Array ? new Uint8Array(raw) : undefined;
    if (bytes?.length !== 32) {
      throw new ConfigurationError(
        `${where}.raw must be 32 bytes, as a Uint8Array or base64 (make one with generateEncryptionKey())`,
      );
    }
    return { kind: 'raw', material: bytes };
  }
  if (present[0] === 'passphrase') {
    if (typeof k.passphrase !== 'string' || k.passphrase.length === 0) {
      throw new ConfigurationError(`${where}.passphrase must be a non-empty string`);
    }
    const iterations = k.iterations ?? DEFAULT_PASSPHRASE_ITERATIONS;
    if (!Number.isSafeInteger(iterations) || iterations < MIN_PASSPHRASE_ITERATIONS || iterations > MAX_PASSPHRASE_ITERATIONS) {
      throw new ConfigurationError(
        `${where}.iterations must be an integer from ${MIN_PASSPHRASE_ITERATIONS} to ${MAX_PASSPHRASE_ITERATIONS}`,
      );
    }
    return { kind: 'passphrase', passphrase: k.passphrase, iterations };
  }
  if (typeof k.clientSecret !== 'string' || k.clientSecret.length === 0) {
    throw new ConfigurationError(`${where}.clientSecret must be a non-empty string`);
  }
  return { kind: 'client-secret', material: new TextEncoder().encode(k.clientSecret) };
}

/** Validates `encryptionKey` (or the client-secret default) synchronously; throws ConfigurationError. */
export function checkEncryptionKeys(option: EncryptionKeyOption | undefined, clientSecret: unknown): KeySpec[] {
  if (option === undefined) {
    if (typeof clientSecret !== 'string' || clientSecret.length === 0) {
      throw new ConfigurationError('Sealing needs encryptionKey or a non-empty clientSecret');
    }
    return [{ kind: 'client-secret', material: new TextEncoder().encode(clientSecret) }];
  }
  if (Array.isArray(option)) {
    if (option.length === 0) throw new ConfigurationError('encryptionKey must not be an empty list');
    return option.map((key: unknown, i) => checkOne(key, `encryptionKey[${i}]`));
  }
  return [checkOne(option, 'encryptionKey')];
}
