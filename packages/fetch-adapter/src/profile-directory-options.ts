import type { AdsTokenErrorCode, Region, TokenPool } from '@ads-token/core';
import type { AdsFetchRetryOptions } from './ads-fetch-options.js';

/** What a {@link ProfileDirectory} needs from a `TokenPool` (a TokenPool fits). */
export type ProfileDirectoryPool = Pick<TokenPool, 'clientId' | 'region' | 'manager' | 'grants' | 'readShared' | 'writeShared'>;

/** Where one advertising profile is served from, as the directory keeps it. */
export interface ProfileEntry {
  /** The grant whose tokens reach the profile. */
  grantId: string;
  /** Two-letter country code of the profile's marketplace. */
  countryCode: string;
  /** ISO currency code. */
  currencyCode: string;
  /** The name of the account behind the profile (`accountInfo.name`). */
  accountName: string;
}

/** Options of {@link ProfileDirectory}. */
export interface ProfileDirectoryOptions {
  /** The Ads API region to list profiles in. @default the pool's region */
  region?: Region;
  /** Where `/v2/profiles` is asked (a path prefix is kept). @default the region's Ads API host */
  baseUrl?: string;
  /** Grants listed at once by {@link ProfileDirectory.refresh}. @default 4 */
  concurrency?: number;
  /** The fetch that sends requests. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Backoff for 429 and 5xx answers to a listing (as `createAdsFetch`'s `retry`). */
  retry?: AdsFetchRetryOptions;
  /**
   * A miss (a profile the directory does not know) refreshes the directory at most once in this
   * many ms, counted from the stored directory's last refresh by any process. @default 60000
   */
  minRefreshIntervalMs?: number;
}

/** Why one grant's profiles could not be listed. */
export interface ProfileListingFailure {
  /** The grant. */
  grantId: string;
  /** The Ads API's HTTP status, when it answered. */
  status?: number;
  /** The error's stable code, when the token side failed (`INVALID_GRANT`, `NOT_AUTHENTICATED`, ...). */
  code?: AdsTokenErrorCode;
  /** What went wrong, without any token. */
  message: string;
}

/** What {@link ProfileDirectory.refresh} did. */
export interface ProfileDirectoryRefreshSummary {
  /** Grants stored for the pool's client id. */
  grants: number;
  /** Grants whose profiles were listed. */
  listed: number;
  /** Profiles the directory holds after the refresh (entries of grants that failed are kept). */
  profiles: number;
  /** Grants whose listing failed; their earlier entries stay in the directory. */
  failures: ProfileListingFailure[];
  /** Writes of the shared record lost to another process and retried after merging. */
  conflicts: number;
  /** When the refresh finished (epoch ms). */
  refreshedAt: number;
}
