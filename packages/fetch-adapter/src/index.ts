export { FetchHttpClient } from './fetch-http-client.js';
export type { FetchHttpClientOptions } from './fetch-http-client.js';
export { HttpRedirectError } from './http-redirect-error.js';
export { createAdsFetch } from './ads-fetch.js';
export type { AdsFetch, AdsFetchInit, AdsFetchOptions, AdsFetchPool, AdsFetchRetryInfo, AdsFetchRetryOptions, AdsFetchTokenSource } from './ads-fetch-options.js';
export { ProfileDirectory } from './profile-directory.js';
export type { ProfileDirectoryEntry } from './profile-directory.js';
export type {
  ProfileDirectoryOptions,
  ProfileDirectoryPool,
  ProfileDirectoryRefreshSummary,
  ProfileEntry,
  ProfileListingFailure,
} from './profile-directory-options.js';
export { ProfileNotFoundError } from './profile-not-found-error.js';
export { PROFILE_DIRECTORY_RECORD } from './profile-directory-record.js';
