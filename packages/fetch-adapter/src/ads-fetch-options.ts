import type { TokenManager } from '@ads-token/core';
import type { ProfileDirectory } from './profile-directory.js';
import type { ProfileDirectoryPool } from './profile-directory-options.js';

/** What `createAdsFetch` needs from a {@link TokenManager} (a TokenManager fits). */
export type AdsFetchTokenSource = Pick<TokenManager, 'clientId' | 'region' | 'getHeaders' | 'refreshAccessToken'>;

/** What `createAdsFetch` needs from a `TokenPool` to route calls by profile (a TokenPool fits). */
export type AdsFetchPool = ProfileDirectoryPool;

/** `fetch`'s second argument, plus the advertising profile to act for. */
export type AdsFetchInit = RequestInit & {
  /** Sent as `Amazon-Advertising-API-Scope` for this call; `null` sends none. @default the `profileId` option */
  profileId?: string | number | bigint | null;
  /** With a pool: the grant to call for, instead of finding it by profile. @default the `grantId` option */
  grantId?: string;
};

/** A `fetch` for Ads API calls, as made by `createAdsFetch`. */
export type AdsFetch = (input: string | URL | Request, init?: AdsFetchInit) => Promise<Response>;

/** How `createAdsFetch` retries 429 and 5xx answers. */
export interface AdsFetchRetryOptions {
  /** Requests in all for one call, the first and the one retry after a 401 included; 1 turns retries off. @default 5 */
  maxAttempts?: number;
  /** First backoff in ms, doubled each retry, jittered between half and all of it. @default 500 */
  baseDelayMs?: number;
  /** Largest backoff in ms (a longer `Retry-After` is still honoured within `maxTotalMs`). @default 8000 */
  maxDelayMs?: number;
  /** No retry is started when its wait would end later than this many ms after the call began. @default 60000 */
  maxTotalMs?: number;
}

/** What `onRetry` is told before each retry. */
export interface AdsFetchRetryInfo {
  /** The 1-based number of the attempt that got `status`. */
  attempt: number;
  /** The status that caused the retry: 401 (after the token was refreshed), 429 or 5xx. */
  status: number;
  /** How long the retry waits, in ms (0 after a 401). */
  delayMs: number;
  /** The request's origin and path, without the query. */
  url: string;
}

/** Options of `createAdsFetch`. */
export interface AdsFetchOptions {
  /** Profile sent as `Amazon-Advertising-API-Scope` on every call that names none: digits, a safe integer or a bigint. @default none */
  profileId?: string | number | bigint;
  /** Where relative paths go (a path prefix is kept). @default the manager's region's Ads API host, e.g. `https://advertising-api.amazon.com` */
  baseUrl?: string;
  /** The fetch that sends requests. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Backoff for 429 and 5xx answers. */
  retry?: AdsFetchRetryOptions;
  /** Called before each retry (for logging throttling); never given a token. Errors it throws are ignored. */
  onRetry?: (info: AdsFetchRetryInfo) => void;
  /** With a pool: the grant every call is made for, instead of finding it by profile. @default none */
  grantId?: string;
  /** With a pool: the directory that finds a profile's grant (share one across fetches). @default a new ProfileDirectory over the pool, with this fetch's `baseUrl` and `fetch` */
  directory?: ProfileDirectory;
}

/** Retry options with every default filled in. */
export type ResolvedAdsFetchRetry = Required<AdsFetchRetryOptions>;
