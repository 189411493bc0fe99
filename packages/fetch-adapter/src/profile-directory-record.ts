import { CorruptRecordError } from '@ads-token/core';
import type { ProfileEntry } from './profile-directory-options.js';

/** The name of the shared record that holds the directory. */
export const PROFILE_DIRECTORY_RECORD = 'profile-directory';

/** The directory as stored: one JSON document, profiles as compact tuples. */
export interface DirectoryContents {
  /** When some process last refreshed it (epoch ms). */
  refreshedAt: number;
  /** profileId (digits) -> where it is served from. */
  profiles: Map<string, ProfileEntry>;
}

type StoredTuple = [grantId: string, countryCode: string, currencyCode: string, accountName: string];

/** The JSON text of a directory. */
export function encodeDirectory(contents: DirectoryContents): string {
  const profiles: Record<string, StoredTuple> = {};
  for (const [id, e] of contents.profiles) profiles[id] = [e.grantId, e.countryCode, e.currencyCode, e.accountName];
  return JSON.stringify({ v: 1, refreshedAt: contents.refreshedAt, profiles });
}

/** Reads a directory's JSON text; throws CorruptRecordError when it is not one. */
export function decodeDirectory(text: string): DirectoryContents {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new CorruptRecordError('The stored profile directory is not JSON', { cause });
  }
  const doc = parsed as { v?: unknown; refreshedAt?: unknown; profiles?: unknown };
  if (typeof doc !== 'object' || doc === null || doc.v !== 1 || typeof doc.refreshedAt !== 'number' || typeof doc.profiles !== 'object' || doc.profiles === null) {
    throw new CorruptRecordError('The stored profile directory has an unknown format');
  }
  const profiles = new Map<string, ProfileEntry>();
  for (const [id, tuple] of Object.entries(doc.profiles as Record<string, unknown>)) {
    if (!Array.isArray(tuple) || tuple.length !== 4 || !tuple.every((part) => typeof part === 'string')) {
      throw new CorruptRecordError('The stored profile directory has an entry of an unknown format');
    }
    const [grantId, countryCode, currencyCode, accountName] = tuple as StoredTuple;
    profiles.set(id, { grantId, countryCode, currencyCode, accountName });
  }
  return { refreshedAt: doc.refreshedAt, profiles };
}

/** One refresh's findings: the grants that exist, and the profiles of those listed. */
export interface DirectoryFindings {
  /** Every grant stored for the client id. */
  grants: ReadonlySet<string>;
  /** Profiles of each grant listed successfully. */
  listed: ReadonlyMap<string, ReadonlyMap<string, Omit<ProfileEntry, 'grantId'>>>;
}

/**
 * Merges a refresh's findings into the stored directory: entries of grants listed now are replaced,
 * entries of grants whose listing failed are kept, entries of grants that no longer exist go. A profile
 * several grants reach is served by the grant that already served it when that grant still reaches
 * it, else by the smallest grant id, so every process picks the same one.
 */
export function mergeDirectory(base: DirectoryContents | undefined, findings: DirectoryFindings, refreshedAt: number): DirectoryContents {
  const profiles = new Map<string, ProfileEntry>();
  for (const [id, entry] of base?.profiles ?? []) {
    if (!findings.grants.has(entry.grantId)) continue;
    const relisted = findings.listed.get(entry.grantId);
    if (relisted === undefined || relisted.has(id)) profiles.set(id, entry);
  }
  const grantIds = [...findings.listed.keys()].sort();
  for (const grantId of grantIds) {
    for (const [id, details] of findings.listed.get(grantId) ?? []) {
      const current = profiles.get(id);
      if (current === undefined) profiles.set(id, { grantId, ...details });
      else if (current.grantId === grantId) profiles.set(id, { grantId, ...details });
    }
  }
  return { refreshedAt, profiles };
}
