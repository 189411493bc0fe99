import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';

/** Who holds a lock file: host, process, thread and a random id unique to one acquisition. */
export interface LockOwner {
  /** `os.hostname()` of the holder. */
  host: string;
  /** Process id of the holder. */
  pid: number;
  /** Worker thread id of the holder (0 on the main thread). */
  threadId: number;
  /** Random id of this one acquisition. */
  id: string;
}

/** A new owner record for this process and thread. */
export function newOwner(): LockOwner {
  return { host: hostname(), pid: process.pid, threadId, id: randomBytes(12).toString('hex') };
}

/** True unless `pid` is certainly gone (ESRCH); a process of another user (EPERM) counts as alive. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** True when `owner` ran on this host in a process that no longer exists. */
export function isOwnerDead(owner: LockOwner): boolean {
  return owner.host === hostname() && !isProcessAlive(owner.pid);
}

/** Parses an owner record; undefined when the value is not one. */
export function parseOwner(value: unknown): LockOwner | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Record<string, unknown>;
  if (typeof o.host !== 'string' || typeof o.pid !== 'number' || typeof o.threadId !== 'number' || typeof o.id !== 'string') {
    return undefined;
  }
  return { host: o.host, pid: o.pid, threadId: o.threadId, id: o.id };
}
