import {
  ConfigurationError,
  StoreUnavailableError,
  keepLease,
  raceSignal,
  waitForLock,
  type LeaseKeeper,
  type Lock,
  type LockAcquireOptions,
  type LockLease,
  type LockWaiter,
} from '@ads-token/core';
import { GetItemCommand, PutItemCommand, type GetItemCommandOutput } from '@aws-sdk/client-dynamodb';
import { deleteOwned } from './delete-owned.js';
import { leaseItem, parseLease, type LeaseState } from './lease-item.js';
import { isConditionFailed, sendCommand } from './operation.js';
import { ATTR, tableSettings, type DynamoDbTableOptions, type TableSettings } from './table.js';

/**
 * A held {@link DynamoDbLock} lease: renewed every ttl/3 by a PutItem conditional on the owner
 * token; `signal` aborts once no renewal has succeeded by the local deadline (monotonic clock,
 * counted from when the last successful write was sent), or the item has another owner.
 */
export type DynamoDbLockLease = LeaseKeeper;

/** Options for {@link DynamoDbLock}. */
export interface DynamoDbLockOptions extends DynamoDbTableOptions {
  /**
   * Longest wait between two looks at a held lock. Waiters start at 20 ms and double up to this,
   * with jitter; a release by this same instance wakes its own waiters at once.
   * @default 250
   */
  pollIntervalMs?: number;
  /**
   * How far apart two hosts' clocks may be. A lease whose expiry (written on its holder's clock)
   * is more than this behind this host's clock is taken over at once; a lease whose heartbeat this
   * process has watched stay unchanged for its lease time plus this margin, on its own monotonic
   * clock, is taken over whatever the clocks say.
   * @default 2000
   */
  clockSkewMarginMs?: number;
  /**
   * Take over a lease by its written expiry (see `clockSkewMarginMs`). With false, a lease is
   * judged stale only by watching its heartbeat: no two hosts' clocks are ever compared, and a
   * process that finds a dead holder's lease waits its lease time plus the margin.
   * @default true
   */
  trustWriterClock?: boolean;
  /**
   * This host's wall clock (epoch ms), written into lease items and compared with their expiry.
   * @default Date.now
   */
  clock?: { now(): number };
}

const FIRST_POLL_MS = 20;

/**
 * {@link Lock} in one DynamoDB table: a lease item per key with a random owner token, a heartbeat
 * and an expiry, taken by a PutItem conditional on the item being absent (or the stale heartbeat
 * a waiter saw), renewed every ttl/3 while held, deleted by owner on release. Waiters poll with
 * bounded backoff (strongly consistent GetItem). Can share the token store's table.
 */
export class DynamoDbLock implements Lock {
  readonly #table: TableSettings;
  readonly #pollMs: number;
  readonly #marginMs: number;
  readonly #trustWriterClock: boolean;
  readonly #wallClock: () => number;
  readonly #leases = new Set<DynamoDbLockLease>();
  readonly #waiters = new Map<string, Set<LockWaiter>>();
  readonly #closing = new AbortController();

  /** Wraps your client; sends nothing until the first acquire. */
  constructor(options: DynamoDbLockOptions) {
    this.#table = tableSettings(options);
    this.#pollMs = options.pollIntervalMs ?? 250;
    if (!(this.#pollMs > 0) || !Number.isFinite(this.#pollMs)) throw new ConfigurationError('pollIntervalMs must be a positive number of milliseconds');
    this.#marginMs = options.clockSkewMarginMs ?? 2000;
    if (!(this.#marginMs >= 0) || !Number.isFinite(this.#marginMs)) throw new ConfigurationError('clockSkewMarginMs must be a number of milliseconds, 0 or more');
    this.#trustWriterClock = options.trustWriterClock ?? true;
    const clock = options.clock;
    this.#wallClock = clock === undefined ? () => Date.now() : () => clock.now();
  }

  /** Takes `key`, waiting up to `waitMs`; LockTimeoutError after that, StoreUnavailableError when DynamoDB fails. */
  async acquire(key: string, options: LockAcquireOptions): Promise<LockLease> {
    const { waitMs, signal } = options;
    signal?.throwIfAborted();
    if (!(options.ttlMs >= 1) || !Number.isFinite(options.ttlMs)) throw new ConfigurationError('ttlMs must be a positive number of milliseconds');
    const ttlMs = Math.ceil(options.ttlMs);
    if (this.#closing.signal.aborted) throw new StoreUnavailableError('The DynamoDbLock was closed');
    const itemKey = this.#table.keyPrefix + key;
    const owner = crypto.randomUUID();
    const combined = signal === undefined ? this.#closing.signal : AbortSignal.any([signal, this.#closing.signal]);
    let waiters = this.#waiters.get(itemKey);
    if (waiters === undefined) this.#waiters.set(itemKey, (waiters = new Set()));
    const registered = waiters;
    let waiter: LockWaiter | undefined;
    // The PutItem in flight when a wait is abandoned may still succeed in DynamoDB.
    let inFlight: Promise<boolean> | undefined;
    let replace: string | undefined; // the stale heartbeat to take over, when there is one
    let watched: { beat: string; since: number } | undefined;
    try {
      return await waitForLock<LockLease>({
        key,
        waitMs,
        signal: combined,
        pollIntervalMs: this.#pollMs,
        firstPollMs: FIRST_POLL_MS,
        attempt: async (wait) => {
          if (waiter === undefined) {
            // A release by this instance wakes its own waiters at once.
            registered.add((waiter = wait));
          } else {
            const state = await this.#read(itemKey, combined);
            const seenAt = performance.now();
            if (state !== undefined) {
              if (watched?.beat !== state.beat) watched = { beat: state.beat, since: seenAt };
              if (!this.#isStale(state, seenAt - watched.since)) return undefined;
              replace = state.beat;
            }
          }
          const sentAt = performance.now();
          // Not aborted with the wait: a PutItem cut off mid-flight could take the lock unseen.
          const put = this.#put(itemKey, owner, ttlMs, replace);
          inFlight = put;
          const won = await raceSignal(put, combined);
          inFlight = undefined;
          replace = undefined;
          return won ? this.#keep(key, itemKey, owner, ttlMs, sentAt) : undefined;
        },
      });
    } catch (error) {
      // A PutItem this wait stopped waiting for may still take the lock (and one that timed out may
      // have): it must not leave a lease nobody holds. The delete is conditional on this acquire's owner.
      const release = (): Promise<boolean> => deleteOwned(this.#table, itemKey, owner);
      inFlight?.then((won) => (won === true ? release() : undefined), release).catch(() => undefined);
      if (this.#closing.signal.aborted && !(signal?.aborted ?? false)) throw new StoreUnavailableError('The DynamoDbLock was closed');
      throw error;
    } finally {
      if (waiter !== undefined) registered.delete(waiter);
      if (registered.size === 0 && this.#waiters.get(itemKey) === registered) this.#waiters.delete(itemKey);
    }
  }

  /**
   * Keeps a lease whose PutItem was sent at `sentAt`: renewed by a PutItem conditional on the
   * owner token (each renewal writes a new heartbeat), deleted by owner on release.
   */
  #keep(key: string, itemKey: string, owner: string, ttlMs: number, sentAt: number): DynamoDbLockLease {
    const { client, tableName, operationTimeoutMs } = this.#table;
    const lease: DynamoDbLockLease = keepLease({
      key,
      ttlMs,
      sentAt,
      renew: async (leftMs) => {
        try {
          await sendCommand(
            client,
            'PutItem (lock renewal)',
            new PutItemCommand({
              TableName: tableName,
              Item: leaseItem(itemKey, owner, ttlMs, this.#wallClock()),
              ConditionExpression: '#o = :owner',
              ExpressionAttributeNames: { '#o': ATTR.owner },
              ExpressionAttributeValues: { ':owner': { S: owner } },
            }),
            { timeoutMs: Math.max(1, Math.min(operationTimeoutMs, leftMs)) },
          );
          return true;
        } catch (error) {
          if (isConditionFailed(error)) return false;
          throw error;
        }
      },
      release: () => deleteOwned(this.#table, itemKey, owner),
      onEnd: () => {
        this.#leases.delete(lease);
        for (const waiter of this.#waiters.get(itemKey) ?? []) waiter.wake();
      },
    });
    this.#leases.add(lease);
    return lease;
  }

  /** Releases every lease this lock holds and ends pending waits (your client stays open). */
  async close(): Promise<void> {
    this.#closing.abort();
    await Promise.all([...this.#leases].map((lease) => lease.release()));
  }

  /** True when the holder of `state` can no longer believe it holds the lease. */
  #isStale(state: LeaseState, unchangedForMs: number): boolean {
    if (unchangedForMs >= state.leaseMs + this.#marginMs) return true;
    return this.#trustWriterClock && state.expiresAt + this.#marginMs < this.#wallClock();
  }

  /** One PutItem: on an absent item, or replacing the stale heartbeat `replace`. */
  async #put(itemKey: string, owner: string, ttlMs: number, replace: string | undefined): Promise<boolean> {
    const { client, tableName, operationTimeoutMs } = this.#table;
    try {
      await sendCommand(
        client,
        'PutItem (lock acquire)',
        new PutItemCommand({
          TableName: tableName,
          Item: leaseItem(itemKey, owner, ttlMs, this.#wallClock()),
          ...(replace === undefined
            ? { ConditionExpression: 'attribute_not_exists(#k)', ExpressionAttributeNames: { '#k': ATTR.key } }
            : {
                ConditionExpression: 'attribute_not_exists(#k) OR #b = :beat',
                ExpressionAttributeNames: { '#k': ATTR.key, '#b': ATTR.beat },
                ExpressionAttributeValues: { ':beat': { S: replace } },
              }),
        }),
        { timeoutMs: operationTimeoutMs },
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** The lease on `itemKey` now (strongly consistent), or undefined when it is free. */
  async #read(itemKey: string, signal: AbortSignal): Promise<LeaseState | undefined> {
    const { client, tableName, operationTimeoutMs } = this.#table;
    const output = await sendCommand<GetItemCommandOutput>(
      client,
      'GetItem (lock wait)',
      new GetItemCommand({ TableName: tableName, Key: { [ATTR.key]: { S: itemKey } }, ConsistentRead: true }),
      { timeoutMs: operationTimeoutMs, signal },
    );
    if (output.Item === undefined) return undefined;
    // An item that is not a lease (written by something else) is never taken over.
    return parseLease(output.Item) ?? { beat: '', expiresAt: Number.POSITIVE_INFINITY, leaseMs: Number.POSITIVE_INFINITY };
  }
}
