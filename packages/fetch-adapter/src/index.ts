export { FetchHttpClient } from './fetch-http-client.js';
export type { FetchHttpClientOptions } from './fetch-http-client.js';
export { HttpRedirectError } from './http-redirect-error.js';
export { createAdsFetch } from './ads-fetch.js';
export type { AdsFetch, AdsFetchInit, AdsFetchOptions, AdsFetchRetryInfo, AdsFetchRetryOptions, AdsFetchTokenSource } from './ads-fetch-options.js';
