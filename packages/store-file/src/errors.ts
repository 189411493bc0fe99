import { ConfigurationError, CorruptRecordError } from '@ads-token/core';

/** What is wrong with a token file that cannot be read. */
export type TokenFileProblem = 'empty' | 'not-json' | 'encrypted-foreign' | 'python-plain' | 'foreign-json' | 'bad-record' | 'newer-format';

/**
 * The token file exists but is corrupt, truncated or belongs to another program (the Python
 * library's file included). Code `CORRUPT_RECORD`. The file is never overwritten.
 */
export class CorruptTokenFileError extends CorruptRecordError {
  /** Absolute path of the file. */
  readonly path: string;
  /** What is wrong. */
  readonly problem: TokenFileProblem;

  /** Creates the error; the message names the path, the problem and what to do. */
  constructor(path: string, problem: TokenFileProblem, detail: string, options?: { cause?: unknown }) {
    super(
      `Token file ${path} cannot be used: ${detail}. It was left untouched. ` +
        'Move it aside (or point FileTokenStore at another path) and authenticate again with ' +
        'authenticateWithCode() or setRefreshToken().',
      options,
    );
    this.path = path;
    this.problem = problem;
  }
}

/** Why a token file path is refused. */
export type UnsafeTokenFileReason = 'symlink' | 'not-a-file' | 'permissions' | 'directory';

/**
 * The token file (or lock directory) is not safe to use: a symlink, not a regular file, or readable
 * by group or others. Code `CONFIGURATION`.
 */
export class UnsafeTokenFileError extends ConfigurationError {
  /** Absolute path that was refused. */
  readonly path: string;
  /** Why it was refused. */
  readonly reason: UnsafeTokenFileReason;

  /** Creates the error. */
  constructor(path: string, reason: UnsafeTokenFileReason, message: string) {
    super(message);
    this.path = path;
    this.reason = reason;
  }
}
