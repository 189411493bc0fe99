/*
 * Sealed record format, version 1. One line of ASCII, fields joined by '.', binary fields in
 * base64url without padding:
 *
 *   ats1.h.<kid>.<iv>.<ct>                        key from HKDF-SHA256 ({ raw } or the client secret)
 *   ats1.p.<kid>.<iterations>.<salt>.<iv>.<ct>    key from PBKDF2-SHA256 ({ passphrase }) then HKDF
 *
 *   ats1        format and version; a later format gets a new prefix (ats2, ...)
 *   kid         key id, 8 bytes: HMAC-SHA256 of the key material with a fixed label
 *   iterations  PBKDF2 iteration count, decimal
 *   salt        PBKDF2 salt, 16 bytes
 *   iv          AES-GCM nonce, 12 random bytes
 *   ct          AES-256-GCM ciphertext of the UTF-8 plaintext followed by the 16-byte tag
 *
 * The associated data is UTF-8 of `<header>\n<storeKey>`, where header is everything before
 * `.<iv>`: the store key and every header field are authenticated.
 */
import { DecryptionError } from '../errors.js';
import { decodeBase64url, encodeBase64url } from './base64.js';
import { MAX_PASSPHRASE_ITERATIONS } from './encryption-key.js';

/** Prefix of every record sealed in format version 1. */
export const ENVELOPE_PREFIX = 'ats1';
/** Bytes of an AES-GCM nonce. */
export const IV_BYTES = 12;
/** Bytes of a PBKDF2 salt. */
export const SALT_BYTES = 16;
const KEY_ID_BYTES = 8;
const TAG_BYTES = 16;

/** How the key of a record was made. */
export type EnvelopeKdf = { kind: 'h' } | { kind: 'p'; iterations: number; salt: Uint8Array<ArrayBuffer>; saltText: string };

/** A parsed record. */
export interface Envelope {
  /** Key id the record names. */
  keyId: string;
  /** Key derivation and its parameters. */
  kdf: EnvelopeKdf;
  /** The authenticated header text. */
  header: string;
  /** AES-GCM nonce. */
  iv: Uint8Array<ArrayBuffer>;
  /** Ciphertext and tag. */
  ciphertext: Uint8Array<ArrayBuffer>;
}

/** The header of a record sealed with `keyId` under `kdf`. */
export function envelopeHeader(keyId: string, kdf: EnvelopeKdf): string {
  return kdf.kind === 'h'
    ? `${ENVELOPE_PREFIX}.h.${keyId}`
    : `${ENVELOPE_PREFIX}.p.${keyId}.${kdf.iterations}.${kdf.saltText}`;
}

/** Associated data binding a record to its header and store key. */
export function associatedData(header: string, storeKey: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${header}\n${storeKey}`);
}

/** The full record text. */
export function formatEnvelope(header: string, iv: Uint8Array, ciphertext: Uint8Array): string {
  return `${header}.${encodeBase64url(iv)}.${encodeBase64url(ciphertext)}`;
}

function bytesOf(text: string | undefined, length: number): Uint8Array<ArrayBuffer> | undefined {
  if (text === undefined) return undefined;
  const bytes = decodeBase64url(text) as Uint8Array<ArrayBuffer> | undefined;
  return bytes?.length === length ? bytes : undefined;
}

/** Parses a record; throws DecryptionError (naming at most the key id) when it is not a version 1 record. */
export function parseEnvelope(data: string): Envelope {
  if (typeof data !== 'string') throw new DecryptionError('Record is not in the ads-token sealed format');
  const parts = data.split('.');
  const version = parts[0] ?? '';
  if (version !== ENVELOPE_PREFIX) {
    if (/^ats[0-9]{1,4}$/.test(version) && parts.length > 1) {
      throw new DecryptionError(`Record is sealed in format ${version}, which this version of @ads-token/core does not read`);
    }
    throw new DecryptionError('Record is not in the ads-token sealed format');
  }
  const keyId = bytesOf(parts[2], KEY_ID_BYTES) === undefined ? undefined : parts[2];
  const malformed = (): DecryptionError =>
    new DecryptionError(
      keyId === undefined ? 'Sealed record is malformed (truncated or altered)' : `Sealed record with key id ${keyId} is malformed (truncated or altered)`,
      { keyId },
    );
  if (keyId === undefined) throw malformed();
  let kdf: EnvelopeKdf;
  let rest: string[];
  if (parts[1] === 'h' && parts.length === 5) {
    kdf = { kind: 'h' };
    rest = parts.slice(3);
  } else if (parts[1] === 'p' && parts.length === 7) {
    const iterationsText = parts[3]!;
    const iterations = /^[1-9][0-9]{0,7}$/.test(iterationsText) ? Number(iterationsText) : NaN;
    const salt = bytesOf(parts[4], SALT_BYTES);
    if (!(iterations <= MAX_PASSPHRASE_ITERATIONS) || salt === undefined) throw malformed();
    kdf = { kind: 'p', iterations, salt, saltText: parts[4]! };
    rest = parts.slice(5);
  } else {
    throw malformed();
  }
  const iv = bytesOf(rest[0], IV_BYTES);
  const ciphertext = rest[1] === undefined ? undefined : (decodeBase64url(rest[1]) as Uint8Array<ArrayBuffer> | undefined);
  if (iv === undefined || ciphertext === undefined || ciphertext.length < TAG_BYTES) throw malformed();
  return { keyId, kdf, header: envelopeHeader(keyId, kdf), iv, ciphertext };
}
