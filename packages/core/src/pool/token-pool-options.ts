import type { TokenManagerOptions } from '../token-manager-options.js';

/** Options of {@link TokenPool}: a manager's options without `grantId`, plus the refresh cap. */
export interface TokenPoolOptions extends Omit<TokenManagerOptions, 'grantId'> {
  /** Refreshes running at once across every grant of the pool; a refresh a caller waits for goes first. @default 4 */
  maxConcurrentRefreshes?: number;
}
