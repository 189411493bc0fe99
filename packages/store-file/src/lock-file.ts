import { randomBytes } from 'node:crypto';
import { type FileHandle, link, open, rename, stat, unlink } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { LockTimeoutError, StoreUnavailableError, abortableSleep } from '@ads-token/core';
import { errnoCode } from './errno.js';
import type { HeartbeatWatch } from './heartbeat-watch.js';
import { lockTempFileName } from './lock-leftovers.js';
import { isOwnerDead, newOwner, parseOwner, type LockOwner } from './owner.js';

/** Options of one lock-file acquisition. */
export interface LockFileOptions {
  /** Lease length; renewed every ttlMs/3 while held. */
  ttlMs: number;
  /** How long to wait before throwing LockTimeoutError. */
  waitMs: number;
  /** Aborts the wait. */
  signal?: AbortSignal | undefined;
  /** Extra time past a lease's allowance (ttlMs without a renewal seen) before it may be taken over. */
  staleGraceMs: number;
  /** Take over at once when the holder's process is gone (same host). */
  checkPid: boolean;
  /** Longest pause between two attempts while waiting. */
  maxPollMs: number;
  /** Names the lock in messages. */
  label: string;
  /** This process's observations of lock files' heartbeats (kept across attempts). */
  watch: HeartbeatWatch;
}

/** A held lock file. */
export interface HeldLockFile {
  /** Aborts when the lock file was taken over or could not be renewed in time. */
  readonly signal: AbortSignal;
  /** Removes the lock file if it is still this holder's; harmless when already lost. */
  release(): Promise<void>;
}

interface Inspection {
  ino: bigint;
  stale: boolean;
}

/** Content written into every lock file. */
interface LockFileContent {
  owner: LockOwner;
  ttlMs: number;
  acquiredAt: string;
}

/** A lock file whose content cannot be read is stale once seen unchanged this long. */
const UNREADABLE_STALE_MS = 30_000;
/** A takeover guard is stale once seen unchanged this long (or at once when its process is gone). */
const GUARD_STALE_MS = 5_000;

function uniqueSuffix(): string {
  return randomBytes(8).toString('hex');
}

/** What {@link createExclusive} achieved. */
type Created = { handle: FileHandle } | 'taken' | 'retry';

/**
 * Creates `path` holding `content` atomically and exclusively: the content is written to a unique
 * temp file which is then hard-linked to `path` (fails with EEXIST when taken), so no reader ever
 * sees a half-written lock file. Returns an open handle on the new inode, `'taken'`, or `'retry'`
 * when the temp file vanished before it was linked (swept as a leftover by another process).
 */
async function createExclusive(path: string, content: string): Promise<Created> {
  const temp = lockTempFileName(path);
  const handle = await open(temp, 'wx', 0o600);
  let result: Created | undefined;
  try {
    await handle.writeFile(content, 'utf8');
    await link(temp, path);
    result = { handle };
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') result = 'taken';
    else if (code === 'ENOENT' && (await stat(temp).catch(() => undefined)) === undefined) result = 'retry';
    else {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }
  await unlink(temp).catch(() => undefined);
  if (result !== undefined && typeof result === 'object') return result;
  await handle.close().catch(() => undefined);
  return result;
}

/**
 * Reads a lock file's inode, heartbeat and owner consistently (through one open handle) and judges
 * it by what this process has observed of its heartbeat on its own monotonic clock.
 */
async function inspect(path: string, options: Pick<LockFileOptions, 'staleGraceMs' | 'checkPid' | 'watch'>, guard = false): Promise<Inspection | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') {
      options.watch.forget(path);
      return undefined;
    }
    throw error;
  }
  try {
    const st = await handle.stat({ bigint: true });
    const text = await handle.readFile('utf8');
    let content: Partial<LockFileContent> | undefined;
    try {
      content = JSON.parse(text) as Partial<LockFileContent>;
    } catch {
      content = undefined;
    }
    const owner = parseOwner(content?.owner);
    const ttlMs = typeof content?.ttlMs === 'number' && content.ttlMs > 0 ? content.ttlMs : undefined;
    const unchanged = options.watch.unchangedFor(path, { ino: st.ino, beat: `${st.mtimeNs}:${st.ctimeNs}:${st.size}` });
    let stale: boolean;
    if (owner === undefined) stale = unchanged > UNREADABLE_STALE_MS;
    else if (guard) stale = unchanged > GUARD_STALE_MS || isOwnerDead(owner);
    else stale = (ttlMs === undefined ? unchanged > UNREADABLE_STALE_MS : unchanged > ttlMs + options.staleGraceMs) || (options.checkPid && isOwnerDead(owner));
    return { ino: st.ino, stale };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Inode of `path`, or undefined when it does not exist. */
async function inodeOf(path: string): Promise<bigint | undefined> {
  try {
    return (await stat(path, { bigint: true })).ino;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Removes `path` only if it is still the inode `ino`: renames it to a unique tombstone, checks the
 * tombstone, and puts it back (by hard link, never over another file) if it was a newer file.
 */
async function removeIfSame(path: string, ino: bigint): Promise<boolean> {
  const tomb = `${path}.${uniqueSuffix()}.stale`;
  try {
    await rename(path, tomb);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
  const st = await stat(tomb, { bigint: true });
  if (st.ino !== ino) await link(tomb, path).catch(() => undefined);
  await unlink(tomb).catch(() => undefined);
  return st.ino === ino;
}

/**
 * Removes the stale lock file `path` (inode `ino`). Contenders first take a second-level guard
 * file (`<path>.takeover`, exclusive create), then re-check under it, so when several contenders
 * race for the same stale lock exactly one removes it and the rest find a new holder.
 */
async function takeOver(path: string, ino: bigint, options: LockFileOptions): Promise<boolean> {
  const guardPath = `${path}.takeover`;
  const created = await createExclusive(guardPath, JSON.stringify({ owner: newOwner(), acquiredAt: new Date().toISOString() }));
  if (created === 'retry') return false;
  if (created === 'taken') {
    const g = await inspect(guardPath, options, true);
    if (g?.stale) await removeIfSame(guardPath, g.ino);
    return false;
  }
  const guard = created.handle;
  try {
    const guardIno = (await guard.stat({ bigint: true })).ino;
    try {
      const again = await inspect(path, options);
      if (again === undefined || again.ino !== ino || !again.stale) return false;
      await unlink(path);
      options.watch.forget(path);
      return true;
    } finally {
      if ((await inodeOf(guardPath).catch(() => undefined)) === guardIno) await unlink(guardPath).catch(() => undefined);
    }
  } finally {
    await guard.close().catch(() => undefined);
  }
}

function lost(label: string, why: string, cause?: unknown): StoreUnavailableError {
  return new StoreUnavailableError(`Lost the lease on ${label}: ${why}`, cause === undefined ? undefined : { cause });
}

/**
 * Starts lease renewal for a created lock file and returns the lease. Each renewal changes the
 * file's times (the heartbeat waiters watch); the holder measures its own lease on the monotonic
 * clock, so a wall-clock step changes nothing.
 */
function hold(path: string, handle: FileHandle, ino: bigint, options: LockFileOptions): HeldLockFile {
  const controller = new AbortController();
  let lastRenewed = performance.now();
  let lastStamp = Date.now();
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
    const started = performance.now();
    try {
      // The stamp only has to differ from the previous one: waiters compare, never read it as a time.
      let stamp = Date.now();
      if (stamp === lastStamp) stamp += 1;
      lastStamp = stamp;
      const d = new Date(stamp);
      await handle.utimes(d, d);
      const current = await inodeOf(path);
      if (current === undefined) {
        lose(lost(options.label, 'the lock file was removed by another holder'));
        return;
      }
      if (current !== ino) {
        lose(lost(options.label, 'the lock file was taken over by another holder'));
        return;
      }
      lastRenewed = started;
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') lose(lost(options.label, 'the lock file was removed by another holder', error));
      else if (performance.now() - lastRenewed >= options.ttlMs) lose(lost(options.label, 'renewal failed until the lease expired', error));
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
        // Only our own inode is removed, and only while no waiter can have judged our lease stale.
        if (!controller.signal.aborted && performance.now() - lastRenewed < options.ttlMs + options.staleGraceMs) {
          if ((await inodeOf(path).catch(() => undefined)) === ino) await unlink(path).catch(() => undefined);
        }
      } finally {
        await closeHandle();
      }
    },
  };
}

/**
 * Acquires the lock file `path`: exclusive create, lease renewal while held, takeover of a stale
 * lock (a heartbeat this process saw unchanged for the lease's ttl plus grace, or, on this host, a
 * holder process that no longer exists), bounded polling while waiting. Throws LockTimeoutError
 * after `waitMs`, the signal's reason when aborted, and StoreUnavailableError when the file system
 * fails. Every duration is measured on the monotonic clock.
 */
export async function acquireLockFile(path: string, options: LockFileOptions): Promise<HeldLockFile> {
  const { signal } = options;
  signal?.throwIfAborted();
  const deadline = performance.now() + Math.max(0, options.waitMs);
  let delay = 2;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const owner = newOwner();
      const content: LockFileContent = { owner, ttlMs: options.ttlMs, acquiredAt: new Date().toISOString() };
      const created = await createExclusive(path, JSON.stringify(content));
      if (typeof created === 'object') {
        const ino = (await created.handle.stat({ bigint: true })).ino;
        if (signal?.aborted) {
          await unlink(path).catch(() => undefined);
          await created.handle.close().catch(() => undefined);
          signal.throwIfAborted();
        }
        options.watch.forget(path);
        return hold(path, created.handle, ino, options);
      }
      if (created === 'taken') {
        const current = await inspect(path, options);
        if (current === undefined) continue;
        if (current.stale && (await takeOver(path, current.ino, options))) continue;
      }
    } catch (error) {
      if (signal?.aborted && error === signal.reason) throw error;
      throw new StoreUnavailableError(`Cannot use lock file ${path} for ${options.label}`, { cause: error });
    }
    const left = deadline - performance.now();
    if (left <= 0) throw new LockTimeoutError(`Timed out after ${options.waitMs} ms waiting for ${options.label}`);
    const pause = Math.min(left, delay * (0.5 + Math.random() / 2));
    await abortableSleep(pause, signal, { keepAlive: true });
    delay = Math.min(delay * 2, options.maxPollMs);
  }
}
