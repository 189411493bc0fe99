import type { TokenRecord } from '../token-record.js';
import type { Snapshot } from './snapshot.js';

/**
 * Tokens LWA answered that the store has not taken yet. They are served from memory and every
 * refresh in this process starts from them until the write lands or another write supersedes them.
 */
export interface PendingCommit {
  /** The version the write expects. */
  base: string | undefined;
  record: TokenRecord;
  /** `refresh`: a refresh's result (a newer write by another holder wins); `replace`: new credentials. */
  mode: 'refresh' | 'replace';
  /**
   * The refresh tokens exchanged to get here (mode `refresh`): the last one, and those of earlier
   * pending results this one builds on. A stored record holding any of them is older than this.
   */
  consumed: string[];
  /** Earlier pending records of this process that this one builds on (one of them may have landed unseen). */
  supersedes: TokenRecord[];
  /** When the first write failed (epoch ms), or undefined before any failure. */
  since: number | undefined;
  /** Failed write attempts. */
  failures: number;
}

/** How one write of a pending commit ended: it landed, or another write took its place. */
export type SettleResult = { outcome: 'landed'; snapshot: Snapshot } | { outcome: 'superseded'; snapshot: Snapshot | undefined };

/** True when two records hold the same tokens (a write that was reported failed may have landed). */
export function sameTokens(a: TokenRecord, b: TokenRecord): boolean {
  return a.refreshToken === b.refreshToken && a.accessToken === b.accessToken && a.expiresAt === b.expiresAt && a.revoked === undefined;
}
