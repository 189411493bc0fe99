import { CorruptRecordError, DecryptionError, type StoredRecord } from '@ads-token/core';
import { CliError } from './cli-error.js';
import { EXIT_CODES } from './exit-codes.js';
import type { Session } from './session.js';

/** What a grant's stored record is: none, revoked, readable and holding a refresh token, or not readable. */
export type GrantState = 'absent' | 'revoked' | 'working' | 'unreadable';

/** A grant's state together with the version of the record it was judged from. */
export interface StoredGrant {
  state: GrantState;
  version: string | undefined;
}

const ATTEMPTS = 10;

/**
 * The state of the record under `key`, and its version: the record is read before and after the
 * manager judges it, and the answer is kept only when both reads saw one version (versions are
 * unique per write, so the judgement is of that version).
 */
export async function storedGrant(session: Session, key: string, signal: AbortSignal): Promise<StoredGrant> {
  const manager = session.manager();
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const before = await session.store.get(key, { signal });
    if (before === undefined) return { state: 'absent', version: undefined };
    let state: GrantState;
    try {
      const info = await manager.getTokenInfo({ signal });
      state = info.status === 'revoked' ? 'revoked' : info.status === 'not_authenticated' ? 'absent' : 'working';
    } catch (error) {
      if (!(error instanceof DecryptionError || error instanceof CorruptRecordError)) throw error;
      state = 'unreadable';
    }
    const after = await session.store.get(key, { signal });
    if (after?.version === before.version) return { state, version: before.version };
  }
  throw new CliError(`Grant '${manager.grantId}' kept changing while it was read; try again`, EXIT_CODES.storeUnavailable);
}

/**
 * Replaces the configured grant with `token` when its stored state is one of `replaceable`, writing
 * by compare-and-set against the version that was judged. With `verify`, the token is first refreshed
 * once in a scratch manager (an LWA refusal throws and nothing is written), and what LWA answered (a
 * rotated refresh token included) is what gets stored. False when the state is not replaceable.
 */
export async function replaceGrant(session: Session, token: string, replaceable: readonly GrantState[], verify: boolean, signal: AbortSignal): Promise<boolean> {
  const manager = session.manager();
  const { manager: scratch, store: scratchStore } = session.scratchManager();
  await scratch.setRefreshToken(token, { signal });
  if (verify) await scratch.refreshAccessToken({ signal });
  const record = (await scratchStore.get(scratch.key, { signal })) as StoredRecord;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await storedGrant(session, manager.key, signal);
    if (!replaceable.includes(current.state)) return false;
    if (await session.store.compareAndSet(manager.key, current.version, record, { signal })) return true;
  }
  throw new CliError(`Grant '${manager.grantId}' kept changing while the new token was stored; try again`, EXIT_CODES.storeUnavailable);
}
