import { AdsTokenError, ConfigurationError, CorruptRecordError, REGIONS, StoreUnavailableError, profileIdHeader, raceSignal } from '@ads-token/core';
import type { Options } from '@ads-token/core';
import { createAdsFetch } from './ads-fetch.js';
import type { AdsFetchRetryOptions } from './ads-fetch-options.js';
import { PROFILE_DIRECTORY_RECORD, decodeDirectory, encodeDirectory, mergeDirectory } from './profile-directory-record.js';
import type { DirectoryContents } from './profile-directory-record.js';
import type {
  ProfileDirectoryOptions,
  ProfileDirectoryPool,
  ProfileDirectoryRefreshSummary,
  ProfileEntry,
  ProfileListingFailure,
} from './profile-directory-options.js';
import { listGrantProfiles } from './profile-listing.js';
import { ProfileNotFoundError } from './profile-not-found-error.js';

/** Writes of the shared record tried before giving up when other processes keep winning. */
const MAX_WRITE_ATTEMPTS = 10;

/** One profile of the directory, with its id. */
export interface ProfileDirectoryEntry extends ProfileEntry {
  /** The profile id, as digits. */
  profileId: string;
}

/**
 * Which grant of a `TokenPool` reaches each advertising profile. {@link refresh} lists
 * `GET /v2/profiles` for every stored grant (a few at once, each with that grant's token) and keeps
 * `profileId -> { grantId, countryCode, currencyCode, accountName }` as one record sealed in the pool's
 * store, so every process of the fleet shares one directory; {@link grantFor} answers from it.
 */
export class ProfileDirectory {
  readonly #pool: ProfileDirectoryPool;
  readonly #baseUrl: string;
  readonly #concurrency: number;
  readonly #fetch: typeof fetch | undefined;
  readonly #retry: AdsFetchRetryOptions | undefined;
  readonly #minRefreshIntervalMs: number;
  #loaded: DirectoryContents | undefined;
  #missRefresh: Promise<ProfileDirectoryRefreshSummary> | undefined;

  /** Creates a directory over `pool`; does no I/O. Throws ConfigurationError for bad options. */
  constructor(pool: ProfileDirectoryPool, options: ProfileDirectoryOptions = {}) {
    if (typeof pool?.grants !== 'function' || typeof pool.readShared !== 'function' || typeof pool.manager !== 'function') {
      throw new ConfigurationError('ProfileDirectory needs a TokenPool');
    }
    const region = options.region ?? pool.region ?? 'NA';
    const endpoints = REGIONS[region] as (typeof REGIONS)[keyof typeof REGIONS] | undefined;
    if (endpoints === undefined) throw new ConfigurationError(`region must be 'NA', 'EU' or 'FE'`);
    this.#baseUrl = options.baseUrl ?? endpoints.apiUrl;
    try {
      new URL(this.#baseUrl);
    } catch (cause) {
      throw new ConfigurationError('baseUrl is not a valid URL', { cause });
    }
    const concurrency = options.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new ConfigurationError('concurrency must be an integer >= 1');
    const interval = options.minRefreshIntervalMs ?? 60_000;
    if (typeof interval !== 'number' || !(interval >= 0)) throw new ConfigurationError('minRefreshIntervalMs must be a number of ms >= 0');
    this.#pool = pool;
    this.#concurrency = concurrency;
    this.#fetch = options.fetch;
    this.#retry = options.retry;
    this.#minRefreshIntervalMs = interval;
  }

  /** The pool this directory routes for. */
  get pool(): ProfileDirectoryPool {
    return this.#pool;
  }

  /** When the directory this process holds was last refreshed by any process (epoch ms); undefined before it is read. */
  get refreshedAt(): number | undefined {
    return this.#loaded?.refreshedAt;
  }

  /**
   * Lists `GET /v2/profiles` for every stored grant of the pool, `concurrency` grants at once, each with
   * its own token (a 401 refreshes it once, 429 and 5xx back off), and stores the result as the shared
   * directory. A grant whose listing fails is reported in the summary and keeps its earlier entries.
   * When another process wrote the directory meanwhile, its record is re-read and merged. Rejects with
   * StoreUnavailableError when the store fails, or when the signal aborts.
   */
  async refresh(options?: Options): Promise<ProfileDirectoryRefreshSummary> {
    const signal = options?.signal;
    const grants: string[] = [];
    try {
      for await (const grantId of this.#pool.grants({ signal })) grants.push(grantId);
    } catch (error) {
      signal?.throwIfAborted();
      if (error instanceof AdsTokenError) throw error;
      throw new StoreUnavailableError('The grants of the pool could not be listed', { cause: error });
    }
    const listed = new Map<string, Map<string, Omit<ProfileEntry, 'grantId'>>>();
    const failures: ProfileListingFailure[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < grants.length) {
        signal?.throwIfAborted();
        const grantId = grants[next++] as string;
        const adsFetch = createAdsFetch(this.#pool.manager(grantId), {
          baseUrl: this.#baseUrl,
          ...(this.#fetch === undefined ? {} : { fetch: this.#fetch }),
          ...(this.#retry === undefined ? {} : { retry: this.#retry }),
        });
        const listing = await listGrantProfiles(adsFetch, signal);
        if (listing.ok) listed.set(grantId, listing.profiles);
        else failures.push({ grantId, ...listing.failure });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, grants.length) }, worker));
    failures.sort((a, b) => (a.grantId < b.grantId ? -1 : a.grantId > b.grantId ? 1 : 0));

    const findings = { grants: new Set(grants), listed };
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const stored = await this.#pool.readShared(PROFILE_DIRECTORY_RECORD, { signal });
      let base: DirectoryContents | undefined;
      try {
        base = stored === undefined ? undefined : decodeDirectory(stored.value);
      } catch (error) {
        if (!(error instanceof CorruptRecordError)) throw error;
        base = undefined; // a refresh replaces a record it cannot read
      }
      const refreshedAt = Date.now();
      const merged = mergeDirectory(base, findings, refreshedAt);
      const version = await this.#pool.writeShared(PROFILE_DIRECTORY_RECORD, encodeDirectory(merged), stored?.version, { signal });
      if (version !== undefined) {
        this.#loaded = merged;
        return { grants: grants.length, listed: listed.size, profiles: merged.profiles.size, failures, conflicts: attempt, refreshedAt };
      }
    }
    throw new StoreUnavailableError(`The profile directory could not be written: other processes wrote it ${MAX_WRITE_ATTEMPTS} times in a row`);
  }

  /** Reads the shared directory into this process (what other processes refreshed); false when none is stored yet. */
  async load(options?: Options): Promise<boolean> {
    const stored = await this.#pool.readShared(PROFILE_DIRECTORY_RECORD, options);
    if (stored === undefined) return false;
    this.#loaded = decodeDirectory(stored.value);
    return true;
  }

  /** Where `profileId` is served from, reading the shared directory when this process does not know it; undefined when no grant has it. */
  async lookup(profileId: string | number | bigint, options?: Options): Promise<ProfileEntry | undefined> {
    const id = profileIdHeader(profileId);
    const known = this.#loaded?.profiles.get(id);
    if (known !== undefined) return { ...known };
    await this.load(options);
    const entry = this.#loaded?.profiles.get(id);
    return entry === undefined ? undefined : { ...entry };
  }

  /**
   * The grant that reaches `profileId`. Reads the shared directory when this process does not know the
   * profile (never lists profiles: see {@link resolve}). Throws ProfileNotFoundError when no grant has it,
   * CorruptRecordError when the stored directory is unreadable, ConfigurationError for a bad profile id.
   */
  async grantFor(profileId: string | number | bigint, options?: Options): Promise<string> {
    const entry = await this.lookup(profileId, options);
    if (entry !== undefined) return entry.grantId;
    const id = profileIdHeader(profileId);
    throw new ProfileNotFoundError(id, this.#loaded === undefined ? 'the profile directory is empty: refresh it' : 'it is not in the profile directory');
  }

  /**
   * {@link grantFor}, refreshing the directory once when the profile is missing (or the stored directory
   * unreadable), unless some process refreshed it less than `minRefreshIntervalMs` ago. Concurrent
   * misses share one refresh. Throws ProfileNotFoundError when no grant has the profile after that.
   */
  async resolve(profileId: string | number | bigint, options?: Options): Promise<string> {
    const id = profileIdHeader(profileId);
    try {
      return await this.grantFor(id, options);
    } catch (error) {
      if (!(error instanceof ProfileNotFoundError) && !(error instanceof CorruptRecordError)) throw error;
      const age = this.#loaded === undefined ? Infinity : Date.now() - this.#loaded.refreshedAt;
      if (error instanceof ProfileNotFoundError && age < this.#minRefreshIntervalMs) {
        throw new ProfileNotFoundError(id, `it is not in the profile directory, refreshed ${Math.round(age / 1000)} s ago`);
      }
    }
    const summary = await this.#refreshOnce(options);
    const entry = this.#loaded?.profiles.get(id);
    if (entry !== undefined) return entry.grantId;
    const failed = summary.failures.length === 0 ? '' : ` (${summary.failures.length} of ${summary.grants} grants could not be listed)`;
    throw new ProfileNotFoundError(id, `no grant lists it in ${summary.grants === 1 ? '1 grant' : `${summary.grants} grants`}${failed}`);
  }

  /** Every profile of the directory, read from the shared record when this process holds none yet. */
  async entries(options?: Options): Promise<ProfileDirectoryEntry[]> {
    if (this.#loaded === undefined) await this.load(options);
    return [...(this.#loaded?.profiles ?? [])].map(([profileId, entry]) => ({ profileId, ...entry }));
  }

  /** One refresh shared by every concurrent miss; a caller's signal ends only that caller's wait. */
  #refreshOnce(options?: Options): Promise<ProfileDirectoryRefreshSummary> {
    if (this.#missRefresh === undefined) {
      const shared = this.refresh().finally(() => {
        if (this.#missRefresh === shared) this.#missRefresh = undefined;
      });
      shared.catch(() => undefined);
      this.#missRefresh = shared;
    }
    return raceSignal(this.#missRefresh, options?.signal);
  }
}
