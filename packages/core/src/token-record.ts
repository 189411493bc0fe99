import { CorruptRecordError } from './errors.js';
import { base64url } from './random.js';

/** Why a grant is marked revoked: which refresh token LWA refused, so no host sends it again. */
export interface RevocationMark {
  /** Fingerprint of the refused refresh token (see `refreshTokenId`). */
  refreshTokenId: string;
  /** When LWA refused it (epoch ms). */
  at: number;
  /** LWA's error_description. */
  description?: string;
  /** LWA's request id. */
  requestId?: string;
}

/** The plaintext of one grant's record; core seals it before a store sees it. */
export interface TokenRecord {
  /** Record format version. */
  v: 1;
  /** Current access token (`Atza|...`). */
  accessToken?: string;
  /** When the access token expires (epoch ms), counted from when its request was sent. */
  expiresAt?: number;
  /** When the access token was requested (epoch ms). */
  obtainedAt?: number;
  /** Refresh token (`Atzr|...`). */
  refreshToken?: string;
  /** When the advertiser consented (code exchange time, epoch ms), when known. */
  consentedAt?: number;
  /** Set when LWA refused the refresh token: re-consent needed. */
  revoked?: RevocationMark;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Serialises a record. */
export function encodeTokenRecord(record: TokenRecord): string {
  return JSON.stringify(record);
}

/** Parses and validates a record; throws {@link CorruptRecordError} naming the key (never a token). */
export function decodeTokenRecord(text: string, key: string): TokenRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new CorruptRecordError(`The stored record for ${key} is not valid JSON`, { cause });
  }
  const bad = (what: string): never => {
    throw new CorruptRecordError(`The stored record for ${key} is malformed: ${what}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('not an object');
  const r = value as Record<string, unknown>;
  if (r.v !== 1) return bad(`unknown record version ${JSON.stringify(r.v)}`);
  if (r.accessToken !== undefined && !isStr(r.accessToken)) bad('accessToken');
  if (r.expiresAt !== undefined && !isNum(r.expiresAt)) bad('expiresAt');
  if (r.obtainedAt !== undefined && !isNum(r.obtainedAt)) bad('obtainedAt');
  if (r.refreshToken !== undefined && !isStr(r.refreshToken)) bad('refreshToken');
  if (r.consentedAt !== undefined && !isNum(r.consentedAt)) bad('consentedAt');
  if (r.accessToken !== undefined && r.expiresAt === undefined) bad('accessToken without expiresAt');
  if (r.revoked !== undefined) {
    const m = r.revoked as Record<string, unknown> | null;
    if (typeof m !== 'object' || m === null || !isStr(m.refreshTokenId) || !isNum(m.at)) bad('revoked');
  }
  return value as TokenRecord;
}

/** A short fingerprint of a refresh token (SHA-256, base64url, 22 chars): identifies it without holding it. */
export async function refreshTokenId(refreshToken: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(`ads-token refresh token id\0${refreshToken}`));
  return base64url(new Uint8Array(digest).subarray(0, 16));
}
