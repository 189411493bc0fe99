import { mkdir } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import {
  AdsTokenError,
  ConfigurationError,
  LockTimeoutError,
  StoreUnavailableError,
  type Options,
  type StoredRecord,
  type TokenStore,
} from '@ads-token/core';
import { removeFileDurably, sweepTempFiles, writeFileAtomic } from './atomic-write.js';
import { HeartbeatWatch } from './heartbeat-watch.js';
import { acquireLockFile } from './lock-file.js';
import { sweepLockLeftovers } from './lock-leftovers.js';
import { SerialQueue } from './serial-queue.js';
import { serializeTokenFile, type TokenFileRecords } from './token-file-format.js';
import { readTokenFile, type FileTokenStoreWarning, type PermissionPolicy, type TokenFileSnapshot } from './token-file-reader.js';
import { TokenFileWatcher } from './token-file-watcher.js';

/** Default path of the token file (relative to the working directory), as in the Python library. */
export const DEFAULT_TOKEN_FILE = '.amazon_ads_tokens.json';

/** Options of {@link FileTokenStore}. */
export interface FileTokenStoreOptions {
  /**
   * Path of the token file, resolved against the working directory when the store is created.
   * @default '.amazon_ads_tokens.json'
   */
  path?: string;
  /**
   * What to do when the file is readable or writable by group or others: `'error'` throws
   * UnsafeTokenFileError; `'warn'` reports through `onWarning` and goes on (the next write
   * replaces the file with a 0600 one).
   * @default 'error'
   */
  permissions?: 'error' | 'warn';
  /**
   * Receives warnings (once per file version).
   * @default process.emitWarning
   */
  onWarning?: (warning: FileTokenStoreWarning) => void;
  /**
   * How long a write waits for the file's lock (`<path>.lock`) held by another process.
   * @default 10000
   */
  lockWaitMs?: number;
  /**
   * How often `subscribe` checks the file for changes made by other processes.
   * @default 500
   */
  watchIntervalMs?: number;
}

/** Lease of the short lock around one read-modify-write; renewed while held. */
const WRITE_LOCK_TTL_MS = 10_000;
/** Temp files older than this are leftovers of killed writers. */
const TEMP_FILE_MAX_AGE_MS = 60_000;

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key === '') throw new ConfigurationError('FileTokenStore: key must be a non-empty string');
}

function checkRecord(record: unknown): asserts record is StoredRecord {
  const r = record as Partial<StoredRecord> | null;
  if (typeof r !== 'object' || r === null || typeof r.version !== 'string' || r.version === '' || typeof r.data !== 'string') {
    throw new ConfigurationError('FileTokenStore: record must be { version: non-empty string, data: string }');
  }
}

/**
 * {@link TokenStore} in one local file holding any number of grants, shared safely by the processes
 * and worker threads of one host. Writes are compare-and-set under a short cross-process lock
 * (`<path>.lock`) and replace the file atomically and durably with a 0600 one. A symlink at the
 * path is refused; a corrupt or foreign file raises CorruptTokenFileError and is never
 * overwritten; a missing file is an empty store; deleting the last key removes the file.
 */
export class FileTokenStore implements TokenStore {
  readonly #path: string;
  readonly #policy: PermissionPolicy;
  readonly #lockWaitMs: number;
  readonly #queue = new SerialQueue();
  readonly #watcher: TokenFileWatcher;
  readonly #warned = new Set<string>();
  readonly #lockWatch = new HeartbeatWatch();
  #prepared = false;

  /** Creates a store over `options.path`; nothing is read or written until the first call. */
  constructor(options: FileTokenStoreOptions = {}) {
    this.#path = resolve(options.path ?? DEFAULT_TOKEN_FILE);
    const permissions = options.permissions ?? 'error';
    if (permissions !== 'error' && permissions !== 'warn') throw new ConfigurationError("FileTokenStore: permissions must be 'error' or 'warn'");
    const onWarning = options.onWarning ?? ((w: FileTokenStoreWarning) => process.emitWarning(w.message, { code: `ADS_TOKEN_${w.code}` }));
    this.#policy = {
      permissions,
      warn: (w) => {
        const id = `${w.code}:${w.mode}`;
        if (this.#warned.has(id)) return;
        this.#warned.add(id);
        onWarning(w);
      },
    };
    this.#lockWaitMs = options.lockWaitMs ?? 10_000;
    const watchIntervalMs = options.watchIntervalMs ?? 500;
    if (!(this.#lockWaitMs >= 0)) throw new ConfigurationError('FileTokenStore: lockWaitMs must be a number >= 0');
    if (!(watchIntervalMs >= 1)) throw new ConfigurationError('FileTokenStore: watchIntervalMs must be a number >= 1');
    this.#watcher = new TokenFileWatcher(this.#path, () => this.#read(), watchIntervalMs);
  }

  /** Absolute path of the token file. */
  get path(): string {
    return this.#path;
  }

  /** The record under `key`, or undefined. */
  async get(key: string, options?: Options): Promise<StoredRecord | undefined> {
    options?.signal?.throwIfAborted();
    checkKey(key);
    const record = (await this.#read()).records.get(key);
    return record === undefined ? undefined : { version: record.version, data: record.data };
  }

  /** Writes when the current version equals `expectedVersion` (undefined: key absent); false on conflict. */
  async compareAndSet(key: string, expectedVersion: string | undefined, record: StoredRecord, options?: Options): Promise<boolean> {
    options?.signal?.throwIfAborted();
    checkKey(key);
    checkRecord(record);
    const written = await this.#exclusive(options?.signal, async (records) => {
      if (records.get(key)?.version !== expectedVersion) return undefined;
      records.set(key, { version: record.version, data: record.data });
      return records;
    });
    if (written) this.#watcher.noteLocalChange(key, record.version);
    return written;
  }

  /** Deletes when the current version equals `expectedVersion`, when one is given; true when deleted. */
  async delete(key: string, expectedVersion?: string, options?: Options): Promise<boolean> {
    options?.signal?.throwIfAborted();
    checkKey(key);
    const deleted = await this.#exclusive(options?.signal, async (records) => {
      const current = records.get(key);
      if (current === undefined) return undefined;
      if (expectedVersion !== undefined && current.version !== expectedVersion) return undefined;
      records.delete(key);
      return records;
    });
    if (deleted) this.#watcher.noteLocalChange(key, undefined);
    return deleted;
  }

  /** Keys that start with `prefix`, in sorted order. */
  async *list(prefix: string, options?: Options): AsyncIterable<string> {
    options?.signal?.throwIfAborted();
    const { records } = await this.#read();
    for (const key of [...records.keys()].sort()) if (key.startsWith(prefix)) yield key;
  }

  /** Calls `onChange` when `key` changes in this process at once, in other processes within `watchIntervalMs`. */
  async subscribe(key: string, onChange: () => void): Promise<() => Promise<void>> {
    checkKey(key);
    return this.#watcher.subscribe(key, onChange);
  }

  /** Stops change polling and drops every listener. */
  async close(): Promise<void> {
    this.#watcher.close();
  }

  /** Plain description without the file's contents. */
  toJSON(): { type: string; path: string } {
    return { type: 'FileTokenStore', path: this.#path };
  }

  /** util.inspect shows only the path. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `FileTokenStore { path: ${JSON.stringify(this.#path)} }`;
  }

  #read(): Promise<TokenFileSnapshot> {
    return readTokenFile(this.#path, this.#policy);
  }

  /**
   * Read-modify-write under this instance's queue and the file's cross-process lock. `change`
   * returns the new records, or undefined to leave the file alone. True when the file changed.
   */
  async #exclusive(signal: AbortSignal | undefined, change: (records: TokenFileRecords) => Promise<TokenFileRecords | undefined>): Promise<boolean> {
    return this.#queue.run(async () => {
      await this.#prepare();
      let lease;
      try {
        lease = await acquireLockFile(`${this.#path}.lock`, {
          ttlMs: WRITE_LOCK_TTL_MS,
          waitMs: this.#lockWaitMs,
          signal,
          staleGraceMs: 1000,
          checkPid: true,
          maxPollMs: 20,
          label: `the lock of token file ${this.#path}`,
          watch: this.#lockWatch,
        });
      } catch (error) {
        if (error instanceof LockTimeoutError) {
          throw new StoreUnavailableError(`Timed out after ${this.#lockWaitMs} ms waiting for the lock of token file ${this.#path}`, { cause: error });
        }
        throw error;
      }
      try {
        const next = await change((await this.#read()).records);
        if (next === undefined) return false;
        lease.signal.throwIfAborted();
        try {
          if (next.size === 0) await removeFileDurably(this.#path);
          else await writeFileAtomic(this.#path, serializeTokenFile(next));
        } catch (error) {
          throw new StoreUnavailableError(`Cannot write token file ${this.#path}`, { cause: error });
        }
        return true;
      } finally {
        await lease.release();
      }
    }, signal);
  }

  async #prepare(): Promise<void> {
    if (this.#prepared) return;
    try {
      await mkdir(dirname(this.#path), { recursive: true, mode: 0o700 });
    } catch (error) {
      if (error instanceof AdsTokenError) throw error;
      throw new StoreUnavailableError(`Cannot create the directory of token file ${this.#path}`, { cause: error });
    }
    await sweepTempFiles(this.#path, TEMP_FILE_MAX_AGE_MS);
    await sweepLockLeftovers(dirname(this.#path), { checkPid: true, prefix: `${basename(this.#path)}.lock.` });
    this.#prepared = true;
  }
}
