export { FetchHttpClient } from './fetch-http-client.js';
export type { FetchHttpClientOptions } from './fetch-http-client.js';
