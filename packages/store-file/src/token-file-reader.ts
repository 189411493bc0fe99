import { constants } from 'node:fs';
import { type FileHandle, lstat, open } from 'node:fs/promises';
import { StoreUnavailableError } from '@ads-token/core';
import { errnoCode } from './errno.js';
import { UnsafeTokenFileError } from './errors.js';
import { parseTokenFile, type TokenFileRecords } from './token-file-format.js';

/** A warning FileTokenStore reports instead of throwing (see its `permissions` option). */
export interface FileTokenStoreWarning {
  /** `INSECURE_PERMISSIONS`: the file is readable or writable by group or others. */
  code: 'INSECURE_PERMISSIONS';
  /** Absolute path of the file. */
  path: string;
  /** The file's permission bits (e.g. 0o644). */
  mode: number;
  /** Human-readable description. */
  message: string;
}

/** How a read treats a file that group or others can access. */
export interface PermissionPolicy {
  permissions: 'error' | 'warn';
  warn: (warning: FileTokenStoreWarning) => void;
}

/** Identity of one version of the file (changes on every atomic replace). */
export interface FileSignature {
  ino: number;
  size: number;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/** Result of reading the token file. */
export interface TokenFileSnapshot {
  records: TokenFileRecords;
  /** Undefined when the file does not exist. */
  signature: FileSignature | undefined;
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

function describeMode(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

/**
 * Reads and parses the token file without following a symlink. A missing file is an empty store.
 * Throws UnsafeTokenFileError (symlink, not a regular file, group/other access when
 * `permissions: 'error'`), CorruptTokenFileError, or StoreUnavailableError for I/O failures.
 */
export async function readTokenFile(path: string, policy: PermissionPolicy): Promise<TokenFileSnapshot> {
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return { records: new Map(), signature: undefined };
    if (code === 'ELOOP' || code === 'EMLINK') {
      throw new UnsafeTokenFileError(path, 'symlink', `Token file ${path} is a symbolic link, which is refused; point FileTokenStore at the real file`);
    }
    throw new StoreUnavailableError(`Cannot open token file ${path}`, { cause: error });
  }
  try {
    let text: string;
    let signature: FileSignature;
    try {
      const st = await handle.stat({ bigint: true });
      if (!st.isFile()) {
        throw new UnsafeTokenFileError(path, 'not-a-file', `Token file ${path} is not a regular file`);
      }
      const mode = Number(st.mode & 0o777n);
      if ((mode & 0o077) !== 0) {
        const message = `Token file ${path} has mode ${describeMode(mode)}: group or others can access it; run chmod 600 on it`;
        if (policy.permissions === 'error') throw new UnsafeTokenFileError(path, 'permissions', message);
        policy.warn({ code: 'INSECURE_PERMISSIONS', path, mode, message });
      }
      signature = { ino: Number(st.ino), size: Number(st.size), mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
      text = await handle.readFile('utf8');
    } catch (error) {
      if (error instanceof UnsafeTokenFileError) throw error;
      throw new StoreUnavailableError(`Cannot read token file ${path}`, { cause: error });
    }
    return { records: parseTokenFile(path, text), signature };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** The file's current signature without reading it; undefined when missing or unreadable. */
export async function statTokenFile(path: string): Promise<FileSignature | undefined> {
  try {
    const st = await lstat(path, { bigint: true });
    return { ino: Number(st.ino), size: Number(st.size), mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
  } catch {
    return undefined;
  }
}

/** True when two signatures name the same file version. */
export function sameSignature(a: FileSignature | undefined, b: FileSignature | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}
