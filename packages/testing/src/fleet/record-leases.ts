import type { Lock, LockLease } from '@ads-token/core';

/**
 * Wraps `inner` so every lease it grants is kept in `leases` (to check later whether a lease's
 * signal aborted); `close` is passed through.
 */
export function recordLeases(inner: Lock): { lock: Lock; leases: LockLease[] } {
  const leases: LockLease[] = [];
  const lock: Lock = {
    acquire: async (key, options) => {
      const lease = await inner.acquire(key, options);
      leases.push(lease);
      return lease;
    },
    close: async () => inner.close?.(),
  };
  return { lock, leases };
}
