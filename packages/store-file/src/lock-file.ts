import { randomBytes } from 'node:crypto';
import { type FileHandle, link, open, rename, stat, unlink } from 'node:fs/promises';
import { LockTimeoutError, StoreUnavailableError, abortableSleep } from '@ads-token/core';
import { errnoCode } from './errno.js';
import { isOwnerDead, newOwner, parseOwner, type LockOwner } from './owner.js';

/** Options of one lock-file acquisition. */
export interface LockFileOptions {
  /** Lease length; renewed every ttlMs/3 while held. */
  ttlMs: number;
  /** How long to wait before throwing LockTimeoutError. */
  waitMs: number;
  /** Aborts the wait. */
  signal?: AbortSignal | undefined;
  /** Extra time past a lease's expiry before it may be taken over. */
  staleGraceMs: number;
  /** Take over at once when the holder's process is gone (same host). */
  checkPid: boolean;
  /** Longest pause between two attempts while waiting. */
  maxPollMs: number;
  /** Names the lock in messages. */
  label: string;
}

/** A held lock file. */
export interface HeldLockFile {
  /** Aborts when the lock file was taken over or could not be renewed in time. */
  readonly signal: AbortSignal;
  /** Removes the lock file if it is still this holder's; harmless when already lost. */
  release(): Promise<void>;
}

interface Inspection {
  ino: number;
  stale: boolean;
}

/** Content written into every lock file. */
interface LockFileContent {
  owner: LockOwner;
  ttlMs: number;
  acquiredAt: string;
}

/** A lock file whose content cannot be read is stale this long after its last modification. */
const UNREADABLE_STALE_MS = 30_000;
/** A takeover guard is stale after this long (or at once when its process is gone). */
const GUARD_STALE_MS = 5_000;

function uniqueSuffix(): string {
  return randomBytes(8).toString('hex');
}

/**
 * Creates `path` holding `content` atomically and exclusively: the content is written to a unique
 * temp file which is then hard-linked to `path` (fails with EEXIST when taken), so no reader ever
 * sees a half-written lock file. Returns an open handle on the new inode, or undefined when taken.
 */
async function createExclusive(path: string, content: string): Promise<FileHandle | undefined> {
  const temp = `${path}.${uniqueSuffix()}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  let linked = false;
  try {
    await handle.writeFile(content, 'utf8');
    await link(temp, path);
    linked = true;
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  } finally {
    if (linked) await unlink(temp).catch(() => undefined);
  }
  if (!linked) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    return undefined;
  }
  return handle;
}

/** Reads a lock file's inode, age and owner consistently (through one open handle). */
async function inspect(path: string, now: number, options: Pick<LockFileOptions, 'staleGraceMs' | 'checkPid'>, guard = false): Promise<Inspection | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const st = await handle.stat();
    const text = await handle.readFile('utf8');
    let content: Partial<LockFileContent> | undefined;
    try {
      content = JSON.parse(text) as Partial<LockFileContent>;
    } catch {
      content = undefined;
    }
    const owner = parseOwner(content?.owner);
    const ttlMs = typeof content?.ttlMs === 'number' && content.ttlMs > 0 ? content.ttlMs : undefined;
    const age = now - st.mtimeMs;
    let stale: boolean;
    if (owner === undefined) stale = age > UNREADABLE_STALE_MS;
    else if (guard) stale = age > GUARD_STALE_MS || isOwnerDead(owner);
    else stale = (ttlMs === undefined ? age > UNREADABLE_STALE_MS : age > ttlMs + options.staleGraceMs) || (options.checkPid && isOwnerDead(owner));
    return { ino: st.ino, stale };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Removes `path` only if it is still the inode `ino`: renames it to a unique tombstone, checks the
 * tombstone, and puts it back (by hard link, never over another file) if it was a newer file.
 */
async function removeIfSame(path: string, ino: number): Promise<boolean> {
  const tomb = `${path}.${uniqueSuffix()}.stale`;
  try {
    await rename(path, tomb);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
  const st = await stat(tomb);
  if (st.ino !== ino) await link(tomb, path).catch(() => undefined);
  await unlink(tomb).catch(() => undefined);
  return st.ino === ino;
}

/**
 * Removes the stale lock file `path` (inode `ino`). Contenders first take a second-level guard
 * file (`<path>.takeover`, exclusive create), then re-check under it, so when several contenders
 * race for the same stale lock exactly one removes it and the rest find a new holder.
 */
async function takeOver(path: string, ino: number, options: LockFileOptions): Promise<boolean> {
  const guardPath = `${path}.takeover`;
  const guard = await createExclusive(guardPath, JSON.stringify({ owner: newOwner(), acquiredAt: new Date().toISOString() }));
  if (guard === undefined) {
    const g = await inspect(guardPath, Date.now(), options, true);
    if (g?.stale) await removeIfSame(guardPath, g.ino);
    return false;
  }
  try {
    const guardIno = (await guard.stat()).ino;
    try {
      const again = await inspect(path, Date.now(), options);
      if (again === undefined || again.ino !== ino || !again.stale) return false;
      await unlink(path);
      return true;
    } finally {
      const st = await stat(guardPath).catch(() => undefined);
      if (st?.ino === guardIno) await unlink(guardPath).catch(() => undefined);
    }
  } finally {
    await guard.close().catch(() => undefined);
  }
}

function lost(label: string, why: string, cause?: unknown): StoreUnavailableError {
  return new StoreUnavailableError(`Lost the lease on ${label}: ${why}`, cause === undefined ? undefined : { cause });
}

/** Starts lease renewal for a created lock file and returns the lease. */
function hold(path: string, handle: FileHandle, ino: number, options: LockFileOptions): HeldLockFile {
  const controller = new AbortController();
  let lastRenewed = Date.now();
  let released = false;
  let renewing: Promise<void> | undefined;
  let closed = false;
  const closeHandle = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await handle.close().catch(() => undefined);
  };
  const lose = (reason: StoreUnavailableError): void => {
    clearInterval(timer);
    if (!controller.signal.aborted) controller.abort(reason);
    void closeHandle();
  };
  const renew = async (): Promise<void> => {
    const started = Date.now();
    try {
      const d = new Date(started);
      await handle.utimes(d, d);
      const st = await stat(path);
      if (st.ino !== ino) {
        lose(lost(options.label, 'the lock file was taken over by another holder'));
        return;
      }
      lastRenewed = started;
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') lose(lost(options.label, 'the lock file was removed by another holder', error));
      else if (Date.now() - lastRenewed >= options.ttlMs) lose(lost(options.label, 'renewal failed until the lease expired', error));
    }
  };
  const timer = setInterval(() => {
    if (released || renewing !== undefined) return;
    renewing = renew().finally(() => {
      renewing = undefined;
    });
  }, Math.max(1, Math.floor(options.ttlMs / 3)));
  timer.unref();
  return {
    signal: controller.signal,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(timer);
      await renewing;
      try {
        // Only our own inode is removed, and only while our lease cannot have been judged stale.
        if (!controller.signal.aborted && Date.now() - lastRenewed < options.ttlMs + options.staleGraceMs) {
          const st = await stat(path).catch(() => undefined);
          if (st?.ino === ino) await unlink(path).catch(() => undefined);
        }
      } finally {
        await closeHandle();
      }
    },
  };
}

/**
 * Acquires the lock file `path`: exclusive create, lease renewal while held, takeover of a stale
 * lock (expired lease or, on this host, a holder process that no longer exists), bounded polling
 * while waiting. Throws LockTimeoutError after `waitMs`, the signal's reason when aborted, and
 * StoreUnavailableError when the file system fails.
 */
export async function acquireLockFile(path: string, options: LockFileOptions): Promise<HeldLockFile> {
  const { signal } = options;
  signal?.throwIfAborted();
  const deadline = Date.now() + Math.max(0, options.waitMs);
  let delay = 2;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const owner = newOwner();
      const content: LockFileContent = { owner, ttlMs: options.ttlMs, acquiredAt: new Date().toISOString() };
      const handle = await createExclusive(path, JSON.stringify(content));
      if (handle !== undefined) {
        const ino = (await handle.stat()).ino;
        if (signal?.aborted) {
          await unlink(path).catch(() => undefined);
          await handle.close().catch(() => undefined);
          signal.throwIfAborted();
        }
        return hold(path, handle, ino, options);
      }
      const current = await inspect(path, Date.now(), options);
      if (current === undefined) continue;
      if (current.stale && (await takeOver(path, current.ino, options))) continue;
    } catch (error) {
      if (signal?.aborted && error === signal.reason) throw error;
      throw new StoreUnavailableError(`Cannot use lock file ${path} for ${options.label}`, { cause: error });
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new LockTimeoutError(`Timed out after ${options.waitMs} ms waiting for ${options.label}`);
    const pause = Math.min(left, delay * (0.5 + Math.random() / 2));
    await abortableSleep(pause, signal, { keepAlive: true });
    delay = Math.min(delay * 2, options.maxPollMs);
  }
}
