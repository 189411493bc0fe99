import { resolve } from 'node:path';
import { ConfigurationError, type Lock, type LockAcquireOptions, type LockLease } from '@ads-token/core';
import { HeartbeatWatch } from './heartbeat-watch.js';
import { defaultLockDirectory, ensureLockDirectory, tokenFileLockDirectory } from './lock-directory.js';
import { lockFileName } from './lock-file-name.js';
import { acquireLockFile } from './lock-file.js';
import { sweepLockLeftovers } from './lock-leftovers.js';

/** Options of {@link FileLock}. */
export interface FileLockOptions {
  /**
   * Directory of the lock files (one per key); created with mode 0700 when missing. Every process
   * and thread that must exclude each other uses the same directory on the same host.
   * @default `<tokenFile>.locks` when `tokenFile` is given, else `<os.tmpdir()>/ads-token-locks-<uid>`
   */
  directory?: string;
  /**
   * Path of the token file whose refreshes this lock serialises (for example `store.path` of a
   * FileTokenStore). Without `directory`, the lock files then live in `<tokenFile>.locks` next to
   * it, so processes sharing that file share the lock and apps with other token files never wait
   * on it. Without either option every app of this user shares one directory.
   */
  tokenFile?: string;
  /**
   * Extra time, past a lease's ttlMs, that a waiter must see the holder's heartbeat (the lock
   * file's times, changed on every renewal) unchanged before it takes the lock over; measured on
   * the waiter's monotonic clock, never by comparing wall clocks. A holder whose process is gone
   * (same host) is taken over at once.
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
 * exclusively, renewed every ttlMs/3 while held, taken over when its holder died (its process is
 * gone, or its heartbeat stopped for ttlMs + staleAfterMs as seen on the waiter's monotonic clock).
 * Local file systems only: network file systems (NFS, SMB) are not supported.
 */
export class FileLock implements Lock {
  readonly #directory: string;
  readonly #strict: boolean;
  readonly #staleAfterMs: number;
  readonly #checkPid: boolean;
  readonly #maxPollMs: number;
  #ready: Promise<void> | undefined;
  readonly #held = new Set<LockLease>();
  readonly #watch = new HeartbeatWatch();

  /** Creates a lock over `options.directory`. */
  constructor(options: FileLockOptions = {}) {
    if (options.tokenFile !== undefined && (typeof options.tokenFile !== 'string' || options.tokenFile === '')) {
      throw new ConfigurationError('FileLock: tokenFile must be a non-empty path');
    }
    this.#strict = options.directory === undefined;
    this.#directory = resolve(options.directory ?? (options.tokenFile === undefined ? defaultLockDirectory() : tokenFileLockDirectory(options.tokenFile)));
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
    this.#ready ??= this.#prepare().catch((error: unknown) => {
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
      watch: this.#watch,
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

  /** Creates the directory and removes temp files that killed processes left in it. */
  async #prepare(): Promise<void> {
    await ensureLockDirectory(this.#directory, this.#strict);
    await sweepLockLeftovers(this.#directory, { checkPid: this.#checkPid });
  }

  /** Releases every lease this instance still holds (and so stops their renewal timers). */
  async close(): Promise<void> {
    await Promise.all([...this.#held].map((lease) => lease.release()));
  }
}
