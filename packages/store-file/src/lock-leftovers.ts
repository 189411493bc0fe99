import { randomBytes } from 'node:crypto';
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from './owner.js';

/** Temp files of lock files: `<name>.lock.<id>.tmp` and `<name>.lock.takeover.<id>.tmp`; a newer id starts with the creator's pid. */
const LEFTOVER = /\.lock(?:\.takeover)?\.(?:(\d+)-)?[0-9a-f]{8,}\.tmp$/;

/** A temp file this old is a leftover whatever its name says. */
export const LOCK_LEFTOVER_MAX_AGE_MS = 60_000;

/** A unique temp-file name next to the lock file `path`, naming this process. */
export function lockTempFileName(path: string): string {
  return `${path}.${process.pid}-${randomBytes(8).toString('hex')}.tmp`;
}

/** Options of {@link sweepLockLeftovers}. */
export interface SweepOptions {
  /** Remove at once a temp file whose creator (named in it) no longer exists on this host. */
  checkPid: boolean;
  /** Only names starting with this are considered. */
  prefix?: string;
}

/**
 * Deletes the temp files of lock files in `dir` left by killed processes (often empty: a process
 * killed between creating one and writing it): at once when the pid in its name is gone (with
 * `checkPid`), else once it is older than {@link LOCK_LEFTOVER_MAX_AGE_MS}. A live temp file lives
 * for one create-and-link; should a misjudged one be deleted (its creator's clock or this one
 * stepped), its creator only tries again. Returns the names removed; never throws.
 */
export async function sweepLockLeftovers(dir: string, options: SweepOptions): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  const now = Date.now();
  for (const name of names) {
    if (options.prefix !== undefined && !name.startsWith(options.prefix)) continue;
    const match = LEFTOVER.exec(name);
    if (match === null) continue;
    const full = join(dir, name);
    const st = await stat(full).catch(() => undefined);
    if (st === undefined || !st.isFile()) continue;
    const pid = match[1] === undefined ? undefined : Number(match[1]);
    const creatorGone = options.checkPid && pid !== undefined && !isProcessAlive(pid);
    if (!creatorGone && !(now - st.mtimeMs > LOCK_LEFTOVER_MAX_AGE_MS)) continue;
    try {
      await unlink(full);
      removed.push(name);
    } catch {
      // Gone already, or not ours to remove.
    }
  }
  return removed;
}
