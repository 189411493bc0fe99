export { TokenPool } from './token-pool.js';
export type { SharedRecord } from './token-pool.js';
export type { TokenPoolOptions } from './token-pool-options.js';
export { CONSENT_LIMIT_DAYS, CONSENT_WARNING_DAYS } from './grant-status.js';
export type { GrantStatus } from './grant-status.js';
