import { resolve } from 'node:path';
import { ConfigurationError, type Lock, type LockAcquireOptions, type LockLease } from '@ads-token/core';
import { defaultLockDirectory, ensureLockDirectory } from './lock-directory.js';
import { lockFileName } from './lock-file-name.js';
import { acquireLockFile } from './lock-file.js';

/** Options of {@link FileLock}. */
export interface FileLockOptions {
  /**
   * Directory of the lock files (one per key); created with mode 0700 when missing. Every process
   * and thread that must exclude each other uses the same directory on the same host.
   * @default `<os.tmpdir()>/ads-token-locks-<uid>`
   */
  directory?: string;
  /**
   * Extra time after a lease's expiry (ttlMs since its last renewal) before another process may
   * take the lock over. A holder whose process is gone (same host) is taken over at once.
   * @default 1000
   */
  staleAfterMs?: number;
  /**
   * Take a lock over as soon as its holder's process no longer exists (checked with signal 0,
   * same host only). Set false when processes do not share a PID namespace (containers).
   * @default true
   */
  checkPid?: boolean;
  /**
   * Longest pause between two attempts while waiting (backoff starts at 2 ms and doubles).
   * @default 50
   */
  maxPollMs?: number;
}

/**
 * {@link Lock} for the processes and worker threads of one host: one lock file per key, created
 * exclusively, renewed every ttlMs/3 while held, taken over when its holder died. Local file
 * systems only: network file systems (NFS, SMB) are not supported.
 */
export class FileLock implements Lock {
  readonly #directory: string;
  readonly #strict: boolean;
  readonly #staleAfterMs: number;
  readonly #checkPid: boolean;
  readonly #maxPollMs: number;
  #ready: Promise<void> | undefined;
  readonly #held = new Set<LockLease>();

  /** Creates a lock over `options.directory`. */
  constructor(options: FileLockOptions = {}) {
    this.#strict = options.directory === undefined;
    this.#directory = resolve(options.directory ?? defaultLockDirectory());
    this.#staleAfterMs = options.staleAfterMs ?? 1000;
    this.#checkPid = options.checkPid ?? true;
    this.#maxPollMs = options.maxPollMs ?? 50;
    if (!(this.#staleAfterMs >= 0)) throw new ConfigurationError('FileLock: staleAfterMs must be a number >= 0');
    if (!(this.#maxPollMs >= 1)) throw new ConfigurationError('FileLock: maxPollMs must be a number >= 1');
  }

  /** Absolute path of the lock directory. */
  get directory(): string {
    return this.#directory;
  }

  /** Absolute path of the lock file used for `key`. */
  pathFor(key: string): string {
    return resolve(this.#directory, lockFileName(key));
  }

  /** Waits up to `waitMs` for `key`; throws LockTimeoutError after that. */
  async acquire(key: string, options: LockAcquireOptions): Promise<LockLease> {
    options.signal?.throwIfAborted();
    if (!(options.ttlMs > 0)) throw new ConfigurationError('FileLock.acquire: ttlMs must be a number > 0');
    if (!(options.waitMs >= 0)) throw new ConfigurationError('FileLock.acquire: waitMs must be a number >= 0');
    this.#ready ??= ensureLockDirectory(this.#directory, this.#strict).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    await this.#ready;
    const held = await acquireLockFile(this.pathFor(key), {
      ttlMs: options.ttlMs,
      waitMs: options.waitMs,
      signal: options.signal,
      staleGraceMs: this.#staleAfterMs,
      checkPid: this.#checkPid,
      maxPollMs: this.#maxPollMs,
      label: `lock ${JSON.stringify(key)}`,
    });
    const lease: LockLease = {
      signal: held.signal,
      release: async () => {
        this.#held.delete(lease);
        await held.release();
      },
    };
    this.#held.add(lease);
    return lease;
  }

  /** Releases every lease this instance still holds (and so stops their renewal timers). */
  async close(): Promise<void> {
    await Promise.all([...this.#held].map((lease) => lease.release()));
  }
}
