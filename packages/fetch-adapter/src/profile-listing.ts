import { AdsTokenError } from '@ads-token/core';
import type { AdsFetch } from './ads-fetch-options.js';
import type { ProfileEntry, ProfileListingFailure } from './profile-directory-options.js';

/** The path that lists a grant's advertising profiles. */
export const PROFILES_PATH = '/v2/profiles';

/** The profiles of one grant, or why they could not be listed. */
export type GrantListing =
  | { ok: true; profiles: Map<string, Omit<ProfileEntry, 'grantId'>> }
  | { ok: false; failure: Omit<ProfileListingFailure, 'grantId'> };

/** Profile ids as JSON strings, so ids above 2^53 are not rounded by JSON.parse. */
function quoteProfileIds(text: string): string {
  return text.replace(/("profileId"\s*:\s*)(\d+)/g, '$1"$2"');
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Reads a `/v2/profiles` answer; undefined when it is not a list of profiles. */
export function parseProfiles(body: string): Map<string, Omit<ProfileEntry, 'grantId'>> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(quoteProfileIds(body));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const profiles = new Map<string, Omit<ProfileEntry, 'grantId'>>();
  for (const item of parsed) {
    if (typeof item !== 'object' || item === null) continue;
    const p = item as { profileId?: unknown; countryCode?: unknown; currencyCode?: unknown; accountInfo?: { name?: unknown } };
    if (typeof p.profileId !== 'string' || !/^\d{1,20}$/.test(p.profileId)) continue;
    profiles.set(p.profileId, { countryCode: text(p.countryCode), currencyCode: text(p.currencyCode), accountName: text(p.accountInfo?.name) });
  }
  return profiles;
}

/** Lists one grant's profiles through an Ads fetch bound to that grant; never throws except for an abort of `signal`. */
export async function listGrantProfiles(adsFetch: AdsFetch, signal: AbortSignal | undefined): Promise<GrantListing> {
  try {
    const response = await adsFetch(PROFILES_PATH, { method: 'GET', profileId: null, headers: { accept: 'application/json' }, signal });
    const body = await response.text();
    if (response.status !== 200) return { ok: false, failure: { status: response.status, message: `${PROFILES_PATH} answered ${response.status}` } };
    const profiles = parseProfiles(body);
    if (profiles === undefined) return { ok: false, failure: { status: 200, message: `${PROFILES_PATH} answered with something that is not a list of profiles` } };
    return { ok: true, profiles };
  } catch (error) {
    signal?.throwIfAborted();
    if (error instanceof AdsTokenError) return { ok: false, failure: { code: error.code, message: error.message } };
    return { ok: false, failure: { message: `${PROFILES_PATH} failed: ${error instanceof Error ? error.message : String(error)}` } };
  }
}
