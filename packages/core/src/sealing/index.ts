export { createRecordSealer } from './aes-gcm-record-sealer.js';
export type { RecordSealerOptions } from './aes-gcm-record-sealer.js';
export {
  DEFAULT_PASSPHRASE_ITERATIONS,
  MAX_PASSPHRASE_ITERATIONS,
  MIN_PASSPHRASE_ITERATIONS,
  clientSecretKey,
  generateEncryptionKey,
} from './encryption-key.js';
export type {
  ClientSecretEncryptionKey,
  EncryptionKey,
  EncryptionKeyOption,
  PassphraseEncryptionKey,
  RawEncryptionKey,
} from './encryption-key.js';
export { resealRecords } from './reseal-records.js';
export type { ResealFailure, ResealOptions, ResealReport } from './reseal-records.js';
