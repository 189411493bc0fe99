import type { StoredRecord } from '@ads-token/core';
import { CorruptTokenFileError } from './errors.js';

/** Marker of a file written by FileTokenStore. */
export const TOKEN_FILE_FORMAT = 'ads-token-file';
/** Layout version of the file. */
export const TOKEN_FILE_FORMAT_VERSION = 1;

/** Parsed contents of a token file: key -> record. */
export type TokenFileRecords = Map<string, StoredRecord>;

const FERNET_PREFIX = /^\s*gAAAAA[A-Za-z0-9_-]/;

/** Serialises records to the file's JSON text. */
export function serializeTokenFile(records: TokenFileRecords): string {
  const out: Record<string, StoredRecord> = {};
  for (const key of [...records.keys()].sort()) {
    const r = records.get(key)!;
    out[key] = { version: r.version, data: r.data };
  }
  return `${JSON.stringify({ format: TOKEN_FILE_FORMAT, formatVersion: TOKEN_FILE_FORMAT_VERSION, records: out }, null, 2)}\n`;
}

/**
 * Parses a token file's text. Throws CorruptTokenFileError, naming what is wrong, for an empty or
 * truncated file, a foreign file (the Python library's encrypted or plain JSON file) or a bad record.
 */
export function parseTokenFile(path: string, text: string): TokenFileRecords {
  if (text.trim() === '') throw new CorruptTokenFileError(path, 'empty', 'the file is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (FERNET_PREFIX.test(text)) {
      throw new CorruptTokenFileError(
        path,
        'encrypted-foreign',
        'it holds data encrypted by another program (it looks like the Python amazon_ads_token_manager file), which this library does not read',
        { cause: error },
      );
    }
    throw new CorruptTokenFileError(path, 'not-json', 'it is not valid JSON (truncated or edited by hand?)', { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CorruptTokenFileError(path, 'foreign-json', 'it is JSON but not a token file of this library');
  }
  const obj = value as Record<string, unknown>;
  if (obj.format !== TOKEN_FILE_FORMAT) {
    if ('access_token' in obj || 'refresh_token' in obj || 'encrypted_data' in obj || 'tokens' in obj) {
      throw new CorruptTokenFileError(
        path,
        'python-plain',
        'it looks like a token file of the Python amazon_ads_token_manager library, which this library does not read',
      );
    }
    throw new CorruptTokenFileError(path, 'foreign-json', 'it is JSON but not a token file of this library (no "format" marker)');
  }
  if (obj.formatVersion !== TOKEN_FILE_FORMAT_VERSION) {
    throw new CorruptTokenFileError(path, 'newer-format', `it has format version ${String(obj.formatVersion)}, which this version does not read (upgrade the package)`);
  }
  const records = obj.records;
  if (typeof records !== 'object' || records === null || Array.isArray(records)) {
    throw new CorruptTokenFileError(path, 'bad-record', 'its "records" field is not an object');
  }
  const map: TokenFileRecords = new Map();
  for (const [key, r] of Object.entries(records as Record<string, unknown>)) {
    const rec = r as Partial<StoredRecord> | null;
    if (typeof rec !== 'object' || rec === null || typeof rec.version !== 'string' || typeof rec.data !== 'string') {
      throw new CorruptTokenFileError(path, 'bad-record', `the record under ${JSON.stringify(key)} is malformed`);
    }
    map.set(key, { version: rec.version, data: rec.data });
  }
  return map;
}
