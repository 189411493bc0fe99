import { encodeBase64url } from './base64.js';

/** An AES-256-GCM key (non-extractable) and its public id. */
export interface RecordKey {
  /** Seals and opens records. */
  readonly aesKey: CryptoKey;
  /** base64url of the first 8 bytes of HMAC-SHA256(material, label): names the key, reveals nothing of it. */
  readonly keyId: string;
}

/** Which kind of material a key came from: each has its own labels, so equal bytes never make equal keys. */
export type KeyDomain = 'raw' | 'client-secret' | 'passphrase';

const encoder = new TextEncoder();
const RECORD_KEY_INFO = encoder.encode('ads-token record key AES-256-GCM');
const KEY_ID_BYTES = 8;

function subtle(): SubtleCrypto {
  return globalThis.crypto.subtle;
}

/** Expands key material with HKDF-SHA256 into the record key, and makes its id with HMAC-SHA256. */
export async function deriveRecordKey(material: Uint8Array<ArrayBuffer>, domain: KeyDomain): Promise<RecordKey> {
  const label = `ads-token/v1/${domain}`;
  const hkdf = await subtle().importKey('raw', material, 'HKDF', false, ['deriveKey']);
  const aesKey = await subtle().deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode(label), info: RECORD_KEY_INFO },
    hkdf,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
  const hmac = await subtle().importKey('raw', material, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await subtle().sign('HMAC', hmac, encoder.encode(`${label}/key-id`)));
  return { aesKey, keyId: encodeBase64url(mac.subarray(0, KEY_ID_BYTES)) };
}

/** A passphrase imported for PBKDF2 (non-extractable), so the string need not be kept. */
export async function importPassphrase(passphrase: string): Promise<CryptoKey> {
  return subtle().importKey('raw', encoder.encode(passphrase), 'PBKDF2', false, ['deriveBits']);
}

/** An in-memory identity of a passphrase for the derivation cache (HMAC with a fixed label; never stored). */
export async function passphraseIdentity(passphrase: string): Promise<string> {
  const hmac = await subtle().importKey('raw', encoder.encode(passphrase), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return encodeBase64url(new Uint8Array(await subtle().sign('HMAC', hmac, encoder.encode('ads-token/v1/passphrase/cache-id'))));
}

/** PBKDF2-SHA256 of an imported passphrase: 32 bytes of key material. */
export async function stretchPassphrase(base: CryptoKey, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await subtle().deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, 256));
}
