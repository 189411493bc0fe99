import { describe, expect, it } from 'vitest';
import { LockTimeoutError, keepLease } from '../src/index.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `signal` aborts, or fails the test after `ms`. */
function aborted(signal: AbortSignal, ms: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve(signal.reason);
    const timer = setTimeout(() => reject(new Error(`signal not aborted within ${ms} ms`)), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(signal.reason);
    });
  });
}

describe('keepLease', () => {
  it('renews every ttl/3 while held, and release stops renewal, releases once and ends once', async () => {
    let renewals = 0;
    let releases = 0;
    let ends = 0;
    const lease = keepLease({
      key: 'refresh:k',
      ttlMs: 150,
      sentAt: performance.now(),
      renew: () => Promise.resolve(++renewals > 0),
      release: () => Promise.resolve(++releases),
      onEnd: () => ends++,
    });
    await sleep(400);
    expect(lease.signal.aborted).toBe(false);
    expect(renewals).toBeGreaterThanOrEqual(3);
    await lease.release();
    await lease.release();
    const after = renewals;
    await sleep(150);
    expect(renewals).toBe(after);
    expect([releases, ends]).toEqual([1, 1]);
    expect(lease.signal.aborted).toBe(false);
  });

  it('is lost at once when the backend says another owner holds it', async () => {
    let ends = 0;
    const lease = keepLease({ key: 'refresh:k', ttlMs: 60, sentAt: performance.now(), renew: () => Promise.resolve(false), release: () => Promise.resolve(), onEnd: () => ends++ });
    const reason = await aborted(lease.signal, 1_000);
    expect(reason).toBeInstanceOf(LockTimeoutError);
    expect((reason as Error).message).toBe('Lock lease for refresh:k was lost');
    expect(ends).toBe(1);
  });

  it('keeps retrying a failing renewal until the local deadline, then aborts with the failure as cause', async () => {
    const failure = new Error('backend down');
    let attempts = 0;
    const lefts: number[] = [];
    const sentAt = performance.now();
    const lease = keepLease({
      key: 'k',
      ttlMs: 300,
      sentAt,
      renew: (leftMs) => {
        attempts++;
        lefts.push(leftMs);
        return Promise.reject(failure);
      },
      release: () => Promise.resolve(),
    });
    const reason = await aborted(lease.signal, 2_000);
    expect(performance.now() - sentAt).toBeGreaterThanOrEqual(250); // not long before the deadline (timers may fire a little early)
    expect(reason).toBeInstanceOf(LockTimeoutError);
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(lefts.every((left) => left > 0 && left <= 300)).toBe(true);
  });

  it('counts the deadline from when the acquiring request was sent, not from when the lease object was made', async () => {
    const lease = keepLease({ key: 'k', ttlMs: 200, sentAt: performance.now() - 190, renew: () => new Promise(() => undefined), release: () => Promise.resolve() });
    const reason = await aborted(lease.signal, 150);
    expect(reason).toBeInstanceOf(LockTimeoutError);
  });

  it('release never throws when the backend fails', async () => {
    const lease = keepLease({ key: 'k', ttlMs: 1_000, sentAt: performance.now(), renew: () => Promise.resolve(true), release: () => Promise.reject(new Error('down')) });
    await expect(lease.release()).resolves.toBeUndefined();
  });
});
