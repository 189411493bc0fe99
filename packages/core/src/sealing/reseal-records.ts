import { DecryptionError } from '../errors.js';
import { randomId } from '../random.js';
import type { RecordSealer } from '../record-sealer.js';
import { STORE_KEY_PREFIX } from '../store-key.js';
import type { Options, TokenStore } from '../token-store.js';

/** Options of {@link resealRecords}. */
export interface ResealOptions extends Options {
  /** Only keys under this prefix are resealed. @default STORE_KEY_PREFIX (every record core writes) */
  prefix?: string;
  /** Opens the existing records, when `sealer` cannot. @default the `sealer` itself */
  oldSealer?: RecordSealer;
}

/** A record that did not open; it was left as it was. */
export interface ResealFailure {
  /** Its store key. */
  key: string;
  /** Why it did not open (names at most a key id). */
  error: DecryptionError;
}

/** What {@link resealRecords} did. */
export interface ResealReport {
  /** Records opened and written back sealed with the sealer's first key. */
  resealed: number;
  /** Records changed or deleted by someone else meanwhile; left as they were (the writer sealed them). */
  skipped: number;
  /** Records that did not open; left as they were. */
  failed: ResealFailure[];
}

/**
 * Re-seals every record under `prefix` with `sealer`'s first key, for key rotation: deploy
 * `encryptionKey: [newKey, oldKey]` everywhere, run this once, check `failed` is empty, then drop
 * `oldKey`. Each record is opened (with `oldSealer` or `sealer`), sealed again and written with
 * compare-and-set under a new random version, so a concurrent write is never overwritten.
 * Store failures are thrown; records that do not open are reported, not changed.
 */
export async function resealRecords(store: TokenStore, sealer: RecordSealer, options: ResealOptions = {}): Promise<ResealReport> {
  const { prefix = STORE_KEY_PREFIX, oldSealer = sealer, signal } = options;
  const keys = new Set<string>();
  for await (const key of store.list(prefix, { signal })) if (key.startsWith(prefix)) keys.add(key);
  const report: ResealReport = { resealed: 0, skipped: 0, failed: [] };
  for (const key of keys) {
    signal?.throwIfAborted();
    const record = await store.get(key, { signal });
    if (record === undefined) {
      report.skipped++;
      continue;
    }
    let plaintext: string;
    try {
      plaintext = await oldSealer.open(key, record.data);
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      report.failed.push({ key, error });
      continue;
    }
    const data = await sealer.seal(key, plaintext);
    const written = await store.compareAndSet(key, record.version, { version: randomId(), data }, { signal });
    if (written) report.resealed++;
    else report.skipped++;
  }
  return report;
}
