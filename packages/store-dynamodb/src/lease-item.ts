import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ATTR } from './table.js';

/** Extra life of the optional DynamoDB TTL attribute past a lease's expiry: one day, in seconds. */
const TTL_GRACE_SECONDS = 86_400;

/** What a waiter reads from a lease item. */
export interface LeaseState {
  /** Random per write (acquire and every renewal): the heartbeat a waiter watches. */
  readonly beat: string;
  /** The lease's end on the writer's clock (epoch ms). */
  readonly expiresAt: number;
  /** The lease time the holder asked for, in ms. */
  readonly leaseMs: number;
}

/** The item a holder writes on acquire and on every renewal; `beat` is new each time. */
export function leaseItem(itemKey: string, owner: string, ttlMs: number, wallNow: number): Record<string, AttributeValue> {
  const expiresAt = Math.round(wallNow + ttlMs);
  return {
    [ATTR.key]: { S: itemKey },
    [ATTR.owner]: { S: owner },
    [ATTR.beat]: { S: crypto.randomUUID() },
    [ATTR.expiresAt]: { N: String(expiresAt) },
    [ATTR.leaseMs]: { N: String(ttlMs) },
    [ATTR.ttl]: { N: String(Math.ceil(expiresAt / 1000) + TTL_GRACE_SECONDS) },
  };
}

/** The lease state of an item read back, or undefined when it is not a lease item. */
export function parseLease(item: Record<string, AttributeValue> | undefined): LeaseState | undefined {
  if (item === undefined) return undefined;
  const beat = item[ATTR.beat]?.S;
  const expiresAt = Number(item[ATTR.expiresAt]?.N);
  const leaseMs = Number(item[ATTR.leaseMs]?.N);
  if (typeof beat !== 'string' || !Number.isFinite(expiresAt) || !Number.isFinite(leaseMs)) return undefined;
  return { beat, expiresAt, leaseMs };
}
