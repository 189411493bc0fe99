import { LockTimeoutError, type LockLease } from '@ads-token/core';
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { leaseItem } from './lease-item.js';
import { isConditionFailed, sendCommand } from './operation.js';
import { ATTR, type TableSettings } from './table.js';
import { unref } from './unref.js';

/** What a lease needs from the lock that granted it. */
export interface LeaseContext {
  readonly table: TableSettings;
  /** The writer's wall clock, for the expiry written into the item. */
  readonly wallClock: () => number;
  /** Called once when the lease ends (released or lost). */
  readonly onEnd: (lease: DynamoDbLockLease) => void;
}

/**
 * A held {@link DynamoDbLock} lease: renewed every ttl/3 by a PutItem conditional on the owner
 * token (each renewal writes a new heartbeat); `signal` aborts once no renewal has succeeded by
 * the local deadline (monotonic clock, counted from when the last successful write was sent), or
 * the item has another owner.
 */
export class DynamoDbLockLease implements LockLease {
  readonly #context: LeaseContext;
  readonly #key: string;
  readonly #itemKey: string;
  readonly #owner: string;
  readonly #ttlMs: number;
  readonly #controller = new AbortController();
  #deadline: number;
  #renewTimer: ReturnType<typeof setTimeout> | undefined;
  #deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  #ended = false;
  #released = false;

  /** Starts renewal of a lease whose PutItem was sent at `sentAt` (performance.now()). */
  constructor(context: LeaseContext, key: string, itemKey: string, owner: string, ttlMs: number, sentAt: number) {
    this.#context = context;
    this.#key = key;
    this.#itemKey = itemKey;
    this.#owner = owner;
    this.#ttlMs = ttlMs;
    this.#deadline = sentAt + ttlMs;
    this.#armDeadline();
    this.#scheduleRenew(ttlMs / 3);
  }

  /** Aborts when the lease is lost. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The item key this lease holds (with the lock's key prefix). */
  get itemKey(): string {
    return this.#itemKey;
  }

  /** Deletes the lease item if this lease still owns it. Never throws: a failed release is taken over after the lease time. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#end();
    await deleteOwned(this.#context.table, this.#itemKey, this.#owner).catch(() => undefined);
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#renewTimer);
    clearTimeout(this.#deadlineTimer);
    this.#context.onEnd(this);
  }

  #lose(cause?: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#end();
    this.#controller.abort(new LockTimeoutError(`Lock lease for ${this.#key} was lost`, cause === undefined ? undefined : { cause }));
  }

  #armDeadline(): void {
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = setTimeout(() => this.#lose(), Math.max(0, this.#deadline - performance.now()));
    unref(this.#deadlineTimer);
  }

  #scheduleRenew(delayMs: number): void {
    if (this.#ended) return;
    this.#renewTimer = setTimeout(() => {
      this.#renew().catch((error: unknown) => this.#lose(error));
    }, Math.max(1, delayMs));
    unref(this.#renewTimer);
  }

  async #renew(): Promise<void> {
    if (this.#ended) return;
    const { client, tableName, operationTimeoutMs } = this.#context.table;
    const sentAt = performance.now();
    const left = this.#deadline - sentAt;
    try {
      await sendCommand(
        client,
        'PutItem (lock renewal)',
        new PutItemCommand({
          TableName: tableName,
          Item: leaseItem(this.#itemKey, this.#owner, this.#ttlMs, this.#context.wallClock()),
          ConditionExpression: '#o = :owner',
          ExpressionAttributeNames: { '#o': ATTR.owner },
          ExpressionAttributeValues: { ':owner': { S: this.#owner } },
        }),
        { timeoutMs: Math.max(1, Math.min(operationTimeoutMs, left)) },
      );
      if (this.#ended) return;
      this.#deadline = sentAt + this.#ttlMs;
      this.#armDeadline();
      this.#scheduleRenew(this.#ttlMs / 3);
    } catch (error) {
      if (this.#ended) return;
      if (isConditionFailed(error)) {
        this.#lose();
        return;
      }
      const remaining = this.#deadline - performance.now();
      if (remaining <= 0) this.#lose(error);
      else this.#scheduleRenew(Math.min(this.#ttlMs / 6, remaining / 2));
    }
  }
}

/** Deletes the lease item only while `owner` holds it; true when deleted. */
export async function deleteOwned(table: TableSettings, itemKey: string, owner: string): Promise<boolean> {
  try {
    await sendCommand(
      table.client,
      'DeleteItem (lock release)',
      new DeleteItemCommand({
        TableName: table.tableName,
        Key: { [ATTR.key]: { S: itemKey } },
        ConditionExpression: '#o = :owner',
        ExpressionAttributeNames: { '#o': ATTR.owner },
        ExpressionAttributeValues: { ':owner': { S: owner } },
      }),
      { timeoutMs: table.operationTimeoutMs },
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}
