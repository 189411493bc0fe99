import type { AdsApiFault } from './types.js';

/** Faults waiting for the next matching requests, each for `times` requests. */
export class AdsFaultQueue {
  private readonly queue: { fault: AdsApiFault; left: number }[] = [];

  /** Queues a fault after the ones already waiting. */
  push(fault: AdsApiFault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new RangeError('fault.times must be a positive integer');
    if (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599) throw new RangeError('fault.status must be an HTTP status');
    this.queue.push({ fault: { ...fault }, left: times });
  }

  /** The first waiting fault that matches `path` and `grant` (undefined: unknown), if any (uses one of its `times`). */
  take(path: string, grant: string | undefined): AdsApiFault | undefined {
    const index = this.queue.findIndex(
      (entry) => (entry.fault.path === undefined || path.startsWith(entry.fault.path)) && (entry.fault.grant === undefined || entry.fault.grant === grant),
    );
    const entry = this.queue[index];
    if (entry === undefined) return undefined;
    entry.left -= 1;
    if (entry.left === 0) this.queue.splice(index, 1);
    return entry.fault;
  }

  /** Forgets every waiting fault. */
  clear(): void {
    this.queue.length = 0;
  }
}

/** The `Retry-After` header text for a fault's `retryAfter`. */
export function retryAfterHeader(value: number | Date | string): string {
  if (typeof value === 'number') return String(value);
  if (value instanceof Date) return value.toUTCString();
  return value;
}

/** The Ads API-like error code for a status. */
export function errorCodeFor(status: number): string {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'THROTTLED';
  if (status === 503) return 'SERVICE_UNAVAILABLE';
  if (status >= 500) return 'INTERNAL_ERROR';
  return 'INVALID_ARGUMENT';
}
