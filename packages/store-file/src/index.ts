export { FileTokenStore, DEFAULT_TOKEN_FILE } from './file-token-store.js';
export type { FileTokenStoreOptions } from './file-token-store.js';
export type { FileTokenStoreWarning } from './token-file-reader.js';
export { FileLock } from './file-lock.js';
export type { FileLockOptions } from './file-lock.js';
export { CorruptTokenFileError, UnsafeTokenFileError } from './errors.js';
export type { TokenFileProblem, UnsafeTokenFileReason } from './errors.js';
export type { LockOwner } from './owner.js';
