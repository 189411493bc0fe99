/**
 * Seals records before any store sees them and opens them after a read. The store key is bound to
 * the sealed data, so a record moved to another key does not open.
 */
export interface RecordSealer {
  /** Seals `plaintext` for `storeKey`. */
  seal(storeKey: string, plaintext: string): Promise<string>;
  /** Opens data sealed for `storeKey`; throws `DecryptionError` when it does not open. */
  open(storeKey: string, data: string): Promise<string>;
}
