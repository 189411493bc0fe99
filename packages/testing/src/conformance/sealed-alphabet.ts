/**
 * Every character a sealed record (`StoredRecord.data`) can contain: base64url fields joined by
 * `.`, so one line of printable ASCII. See the envelope format in core's sealing module.
 */
export const SEALED_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
