import { ConfigurationError, DecryptionError } from '../errors.js';
import type { RecordSealer } from '../record-sealer.js';
import { checkEncryptionKeys } from './encryption-key.js';
import type { EncryptionKeyOption, KeySpec } from './encryption-key.js';
import { IV_BYTES, associatedData, envelopeHeader, formatEnvelope, parseEnvelope } from './envelope.js';
import type { Envelope, EnvelopeKdf } from './envelope.js';
import { deriveRecordKey, importPassphrase, passphraseIdentity } from './key-derivation.js';
import type { KeyDomain, RecordKey } from './key-derivation.js';
import { offerSealingSalt, passphraseRecordKey, sealingSalt } from './passphrase-cache.js';
import type { PassphraseSource } from './passphrase-cache.js';

/** Options of {@link createRecordSealer}. */
export interface RecordSealerOptions {
  /** Key(s) that seal records; a list seals with the first and opens with any. @default the key derived from `clientSecret` */
  encryptionKey?: EncryptionKeyOption | undefined;
  /** The LWA client secret: the key material when `encryptionKey` is not given. */
  clientSecret: string;
}

const noop = (): void => {};
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const DENO_INSPECT = Symbol.for('Deno.customInspect');

function kept<T>(promise: Promise<T>): Promise<T> {
  promise.catch(noop); // awaited later; a failure is reported there
  return promise;
}

/** A key made with HKDF from `{ raw }` bytes or a client secret, derived once when the sealer is made. */
class HkdfKeySlot {
  readonly kind: 'raw' | 'client-secret';
  readonly #key: Promise<RecordKey>;

  constructor(kind: 'raw' | 'client-secret', material: Uint8Array<ArrayBuffer>) {
    this.kind = kind;
    const domain: KeyDomain = kind;
    this.#key = kept(deriveRecordKey(material, domain).finally(() => material.fill(0)));
  }

  key(): Promise<RecordKey> {
    return this.#key;
  }
}

/** A passphrase key: keeps only a non-extractable PBKDF2 key; derived keys live in the process-wide cache. */
class PassphraseKeySlot {
  readonly kind = 'passphrase';
  readonly iterations: number;
  readonly #source: Promise<PassphraseSource>;

  constructor(passphrase: string, iterations: number) {
    this.iterations = iterations;
    this.#source = kept(
      Promise.all([passphraseIdentity(passphrase), importPassphrase(passphrase)]).then(([id, base]) => ({ id, base })),
    );
  }

  async sealingKey(): Promise<{ key: RecordKey; kdf: EnvelopeKdf }> {
    const source = await this.#source;
    const { salt, saltText } = sealingSalt(source, this.iterations);
    return { key: await passphraseRecordKey(source, salt, saltText, this.iterations), kdf: { kind: 'p', iterations: this.iterations, salt, saltText } };
  }

  async keyFor(kdf: Extract<EnvelopeKdf, { kind: 'p' }>): Promise<RecordKey> {
    return passphraseRecordKey(await this.#source, kdf.salt, kdf.saltText, kdf.iterations);
  }

  async opened(kdf: Extract<EnvelopeKdf, { kind: 'p' }>): Promise<void> {
    if (kdf.iterations === this.iterations) offerSealingSalt(await this.#source, kdf.iterations, kdf.saltText);
  }
}

type KeySlot = HkdfKeySlot | PassphraseKeySlot;

function slotOf(spec: KeySpec): KeySlot {
  return spec.kind === 'passphrase' ? new PassphraseKeySlot(spec.passphrase, spec.iterations) : new HkdfKeySlot(spec.kind, spec.material as Uint8Array<ArrayBuffer>);
}

/** {@link RecordSealer} with AES-256-GCM through Web Crypto; the envelope format is described in envelope.ts. */
class AesGcmRecordSealer implements RecordSealer {
  readonly #slots: readonly KeySlot[];

  constructor(specs: KeySpec[]) {
    this.#slots = specs.map(slotOf);
  }

  /** Seals `plaintext` for `storeKey` with the first key. */
  async seal(storeKey: string, plaintext: string): Promise<string> {
    const slot = this.#slots[0]!;
    let key: RecordKey;
    let kdf: EnvelopeKdf;
    try {
      ({ key, kdf } = slot instanceof HkdfKeySlot ? { key: await slot.key(), kdf: { kind: 'h' } } : await slot.sealingKey());
    } catch (cause) {
      throw new ConfigurationError(
        slot.kind === 'passphrase'
          ? `This runtime could not derive the encryption key (PBKDF2 with ${slot.iterations} iterations; Cloudflare Workers allow at most 100000)`
          : 'This runtime could not derive the encryption key (Web Crypto HKDF, HMAC and AES-GCM are needed)',
        { cause },
      );
    }
    const header = envelopeHeader(key.keyId, kdf);
    const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const ciphertext = await globalThis.crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: associatedData(header, storeKey), tagLength: 128 },
      key.aesKey,
      new TextEncoder().encode(plaintext),
    );
    return formatEnvelope(header, iv, new Uint8Array(ciphertext));
  }

  /** Opens `data` sealed for `storeKey` with any configured key; DecryptionError names only the record's key id. */
  async open(storeKey: string, data: string): Promise<string> {
    const envelope = parseEnvelope(data);
    const { keyId, kdf } = envelope;
    if (kdf.kind === 'h') {
      for (const slot of this.#slots) {
        if (!(slot instanceof HkdfKeySlot)) continue;
        const key = await slot.key().catch(noop);
        if (key?.keyId === keyId) return decrypt(key, envelope, storeKey);
      }
      throw new DecryptionError(
        `Record was sealed with key id ${keyId}, which is not among the configured encryption keys (wrong key, or a key rotated out too early)`,
        { keyId },
      );
    }
    let refused: unknown;
    for (const slot of this.#slots) {
      if (!(slot instanceof PassphraseKeySlot)) continue;
      let key: RecordKey;
      try {
        key = await slot.keyFor(kdf);
      } catch (cause) {
        refused ??= cause;
        continue;
      }
      if (key.keyId !== keyId) continue;
      const plaintext = await decrypt(key, envelope, storeKey);
      await slot.opened(kdf);
      return plaintext;
    }
    throw new DecryptionError(
      refused === undefined
        ? `Record was sealed with key id ${keyId}, which no configured passphrase matches (wrong passphrase, or a key rotated out too early)`
        : `Record sealed with key id ${keyId} could not be opened: this runtime refused PBKDF2 with ${kdf.iterations} iterations`,
      { keyId, cause: refused },
    );
  }

  /** What JSON.stringify shows: the algorithm and the kinds of keys, never key material. */
  toJSON(): Record<string, unknown> {
    return { sealer: 'AES-256-GCM', keys: this.#slots.map((s) => s.kind) };
  }

  /** What util.inspect shows. */
  [INSPECT](): string {
    return `AesGcmRecordSealer ${JSON.stringify(this.toJSON())}`;
  }

  /** What Deno.inspect shows. */
  [DENO_INSPECT](): string {
    return this[INSPECT]();
  }
}

async function decrypt(key: RecordKey, envelope: Envelope, storeKey: string): Promise<string> {
  let plaintext: ArrayBuffer;
  try {
    plaintext = await globalThis.crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: envelope.iv, additionalData: associatedData(envelope.header, storeKey), tagLength: 128 },
      key.aesKey,
      envelope.ciphertext,
    );
  } catch {
    throw new DecryptionError(
      `Record sealed with key id ${envelope.keyId} does not open: it was altered, or moved from another store key`,
      { keyId: envelope.keyId },
    );
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
}

/**
 * Makes the sealer core uses for every record: AES-256-GCM, the store key as associated data, the
 * key id in the envelope. Checks the keys now and throws ConfigurationError for bad ones.
 */
export function createRecordSealer(options: RecordSealerOptions): RecordSealer {
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('createRecordSealer needs options');
  return new AesGcmRecordSealer(checkEncryptionKeys(options.encryptionKey, options.clientSecret));
}
