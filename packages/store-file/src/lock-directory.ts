import { lstat, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { StoreUnavailableError } from '@ads-token/core';
import { UnsafeTokenFileError } from './errors.js';

/** The default lock directory: one per user under the system temp directory. */
export function defaultLockDirectory(): string {
  const uid = typeof process.getuid === 'function' ? String(process.getuid()) : 'user';
  return join(tmpdir(), `ads-token-locks-${uid}`);
}

/** The lock directory derived from a token file: `<token file>.locks`, next to it, so exactly the processes sharing that file share it. */
export function tokenFileLockDirectory(tokenFile: string): string {
  return `${resolve(tokenFile)}.locks`;
}

/**
 * Creates `dir` (mode 0700) when missing. With `strict` (a default directory) it must be a
 * real directory owned by this user and writable by no one else, or UnsafeTokenFileError is thrown.
 */
export async function ensureLockDirectory(dir: string, strict: boolean): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StoreUnavailableError(`Cannot create lock directory ${dir}`, { cause: error });
  }
  if (!strict) return;
  const st = await lstat(dir);
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (st.isSymbolicLink() || !st.isDirectory()) {
    throw new UnsafeTokenFileError(dir, 'directory', `Lock directory ${dir} is not a plain directory; pass FileLock({ directory }) to use another one`);
  }
  if ((uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) {
    throw new UnsafeTokenFileError(dir, 'directory', `Lock directory ${dir} is owned or writable by another user; pass FileLock({ directory }) to use another one`);
  }
}
