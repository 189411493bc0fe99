import { randomBytes } from 'node:crypto';
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errnoCode } from './errno.js';

/** Temp-file name prefix used for `path`. */
function tempPrefix(path: string): string {
  return `.${basename(path)}.`;
}

/** Flushes a directory entry change (rename, unlink) to disk; a no-op where directories cannot be fsynced. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch {
    return;
  }
  try {
    await handle.sync();
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Replaces `path` with `content` atomically and durably: a new temp file in the same directory
 * (exclusive create, mode 0600 whatever the umask), write, fsync, rename over `path`, fsync the
 * directory. A crash at any point leaves the old file or the new one, never a torn one.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `${tempPrefix(path)}${randomBytes(8).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    try {
      await handle.chmod(0o600);
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

/** Removes `path` and flushes the directory; false when it did not exist. */
export async function removeFileDurably(path: string): Promise<boolean> {
  try {
    await unlink(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
  await syncDirectory(dirname(path));
  return true;
}

/** Deletes temp files of `path` left behind by killed writers (older than `olderThanMs`). */
export async function sweepTempFiles(path: string, olderThanMs: number): Promise<void> {
  const dir = dirname(path);
  const prefix = tempPrefix(path);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const full = join(dir, name);
    const st = await stat(full).catch(() => undefined);
    if (st !== undefined && now - st.mtimeMs > olderThanMs) await unlink(full).catch(() => undefined);
  }
}
