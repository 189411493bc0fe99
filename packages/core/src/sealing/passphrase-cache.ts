import { decodeBase64url, encodeBase64url } from './base64.js';
import { SALT_BYTES } from './envelope.js';
import { deriveRecordKey, stretchPassphrase } from './key-derivation.js';
import type { RecordKey } from './key-derivation.js';

/** A passphrase as the cache knows it: an in-memory identity and a non-extractable PBKDF2 key. */
export interface PassphraseSource {
  /** HMAC of the passphrase with a fixed label; never leaves memory. */
  readonly id: string;
  /** The passphrase imported for PBKDF2. */
  readonly base: CryptoKey;
}

/** Most derived keys kept per process (a crafted record with a new salt costs one derivation, not memory). */
const MAX_ENTRIES = 64;

// Process-wide, unreachable from any exported object: derived keys by passphrase id, iterations and salt.
const derived = new Map<string, Promise<RecordKey>>();
// The one salt each passphrase (and iteration count) seals with in this process.
const sealSalts = new Map<string, string>();
let derivations = 0;

/** The record key for a passphrase, salt and iteration count: PBKDF2 runs once per process, later calls hit the cache. */
export function passphraseRecordKey(source: PassphraseSource, salt: Uint8Array<ArrayBuffer>, saltText: string, iterations: number): Promise<RecordKey> {
  const cacheKey = `${source.id}.${iterations}.${saltText}`;
  const hit = derived.get(cacheKey);
  if (hit !== undefined) {
    derived.delete(cacheKey);
    derived.set(cacheKey, hit);
    return hit;
  }
  derivations++;
  const promise = (async () => {
    const material = await stretchPassphrase(source.base, salt, iterations);
    try {
      return await deriveRecordKey(material, 'passphrase');
    } finally {
      material.fill(0);
    }
  })();
  derived.set(cacheKey, promise);
  promise.catch(() => {
    if (derived.get(cacheKey) === promise) derived.delete(cacheKey);
  });
  for (const oldest of derived.keys()) {
    if (derived.size <= MAX_ENTRIES) break;
    derived.delete(oldest);
  }
  return promise;
}

/**
 * The salt a passphrase seals with in this process: the one of the first record it opened with the
 * same iteration count, else a random one; fixed from then on, so sealing derives at most once.
 */
export function sealingSalt(source: PassphraseSource, iterations: number): { salt: Uint8Array<ArrayBuffer>; saltText: string } {
  const slot = `${source.id}.${iterations}`;
  let saltText = sealSalts.get(slot);
  if (saltText === undefined) {
    saltText = encodeBase64url(globalThis.crypto.getRandomValues(new Uint8Array(SALT_BYTES)));
    sealSalts.set(slot, saltText);
  }
  return { salt: decodeBase64url(saltText) as Uint8Array<ArrayBuffer>, saltText };
}

/** Records that a record with this salt opened, so sealing can reuse its derived key (only before the first seal). */
export function offerSealingSalt(source: PassphraseSource, iterations: number, saltText: string): void {
  const slot = `${source.id}.${iterations}`;
  if (!sealSalts.has(slot)) sealSalts.set(slot, saltText);
}

/** Test hooks; not exported from the package. */
export const passphraseCacheInternals = {
  /** PBKDF2 derivations started in this process. */
  derivations: (): number => derivations,
  /** Forgets every derived key and sealing salt. */
  reset: (): void => {
    derived.clear();
    sealSalts.clear();
    derivations = 0;
  },
};
