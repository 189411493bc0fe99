import { describe, expect, it } from 'vitest';
import { InProcessLock } from '../src/in-process-lock.js';

describe('InProcessLock', () => {
  it('returns a rejected promise (does not throw) for an already aborted signal, and takes nothing', async () => {
    const lock = new InProcessLock();
    const reason = new Error('aborted');
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = lock.acquire('k', { ttlMs: 1_000, waitMs: 1_000, signal: AbortSignal.abort(reason) });
    }).not.toThrow();
    await expect(result).rejects.toBe(reason);
    const lease = await lock.acquire('k', { ttlMs: 1_000, waitMs: 0 });
    await lease.release();
  });
});
