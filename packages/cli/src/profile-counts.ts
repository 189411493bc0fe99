import type { TokenPool } from '@ads-token/core';

/** Name of the record, shared by every grant of a client id, that maps profile ids to grants. */
export const PROFILE_DIRECTORY_RECORD = 'profile-directory';

const grantOf = (entry: unknown): string | undefined => {
  const grantId = (entry as { grantId?: unknown } | null)?.grantId;
  return typeof grantId === 'string' ? grantId : undefined;
};

/**
 * Profiles per grant from the profile directory's JSON: `{ "<profileId>": { "grantId": ... }, ... }`,
 * also wrapped as `{ "profiles": ... }` (an object like that, or an array of `{ profileId, grantId }`).
 * Entries without a grant id are skipped; undefined when the text is not such JSON.
 */
export function countProfiles(json: string): Map<string, number> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const wrapped = (value as { profiles?: unknown }).profiles;
  const entries: unknown[] = Array.isArray(value)
    ? value
    : typeof wrapped === 'object' && wrapped !== null
      ? Object.values(wrapped)
      : Object.values(value);
  const counts = new Map<string, number>();
  for (const entry of entries) {
    const grantId = grantOf(entry);
    if (grantId !== undefined) counts.set(grantId, (counts.get(grantId) ?? 0) + 1);
  }
  return counts;
}

/** What the profile directory says: counts per grant, none stored, or a reason it could not be read. */
export type ProfileCounts = { kind: 'counts'; counts: Map<string, number> } | { kind: 'absent' } | { kind: 'unreadable'; reason: string };

/** Reads the pool's shared profile directory and counts profiles per grant. Store failures reject. */
export async function readProfileCounts(pool: TokenPool, signal: AbortSignal): Promise<ProfileCounts> {
  let record;
  try {
    record = await pool.readShared(PROFILE_DIRECTORY_RECORD, { signal });
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'DECRYPTION_FAILED' || code === 'CORRUPT_RECORD') return { kind: 'unreadable', reason: `the profile directory does not open (${code})` };
    throw error;
  }
  if (record === undefined) return { kind: 'absent' };
  const counts = countProfiles(record.value);
  return counts === undefined ? { kind: 'unreadable', reason: 'the profile directory is not valid JSON' } : { kind: 'counts', counts };
}
