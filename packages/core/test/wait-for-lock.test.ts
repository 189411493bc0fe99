import { describe, expect, it } from 'vitest';
import { LockTimeoutError, waitForLock } from '../src/index.js';

describe('waitForLock', () => {
  it('returns what the first successful attempt returns', async () => {
    let attempts = 0;
    const lease = await waitForLock({ key: 'k', waitMs: 1_000, pollIntervalMs: 5, attempt: () => Promise.resolve(++attempts === 3 ? 'lease' : undefined) });
    expect([lease, attempts]).toEqual(['lease', 3]);
  });

  it('fails with LockTimeoutError after waitMs, naming the key', async () => {
    const started = performance.now();
    const error = await waitForLock({ key: 'refresh:k', waitMs: 100, pollIntervalMs: 30, attempt: () => Promise.resolve(undefined) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect((error as Error).message).toBe('Timed out after 100 ms waiting for lock refresh:k');
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('a release notification ends the pause long before the poll interval; subscribed once, unsubscribed at the end', async () => {
    let held = true;
    let subscriptions = 0;
    let unsubscribed = 0;
    let notify: () => void = () => undefined;
    const started = performance.now();
    const pending = waitForLock({
      key: 'k',
      waitMs: 10_000,
      pollIntervalMs: 10_000,
      attempt: () => Promise.resolve(held ? undefined : 'lease'),
      subscribe: (wake) => {
        subscriptions++;
        notify = wake;
        return Promise.resolve(() => unsubscribed++);
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    held = false;
    notify();
    await expect(pending).resolves.toBe('lease');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(subscriptions).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(unsubscribed).toBe(1);
  });

  it('tries again as soon as the subscription is live, so a release just before it is not missed', async () => {
    let attempts = 0;
    const started = performance.now();
    const lease = await waitForLock({
      key: 'k',
      waitMs: 10_000,
      pollIntervalMs: 10_000,
      attempt: () => Promise.resolve(++attempts === 2 ? 'lease' : undefined),
      subscribe: () => new Promise<() => void>((resolve) => setTimeout(() => resolve(() => undefined), 30)),
    });
    expect(lease).toBe('lease');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('a failed subscription leaves the poll as the wake-up', async () => {
    let attempts = 0;
    const lease = await waitForLock({
      key: 'k',
      waitMs: 10_000,
      pollIntervalMs: 20,
      attempt: () => Promise.resolve(++attempts === 3 ? 'lease' : undefined),
      subscribe: () => Promise.reject(new Error('no pub/sub')),
    });
    expect(lease).toBe('lease');
  });

  it('a wake-up during an attempt skips the next pause', async () => {
    let attempts = 0;
    const lease = await waitForLock({
      key: 'k',
      waitMs: 10_000,
      pollIntervalMs: 10_000,
      attempt: (waiter) => {
        attempts++;
        if (attempts === 1) waiter.wake();
        return Promise.resolve(attempts === 2 ? 'lease' : undefined);
      },
    });
    expect(lease).toBe('lease');
  });

  it('an abort ends the wait with the signal reason', async () => {
    const controller = new AbortController();
    const reason = new Error('caller left');
    const pending = waitForLock({ key: 'k', waitMs: 10_000, pollIntervalMs: 10_000, signal: controller.signal, attempt: () => Promise.resolve(undefined) });
    setTimeout(() => controller.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
  });

  it('a failing attempt ends the wait with its error', async () => {
    const failure = new Error('store down');
    await expect(waitForLock({ key: 'k', waitMs: 1_000, pollIntervalMs: 5, attempt: () => Promise.reject(failure) })).rejects.toBe(failure);
  });

  it('with firstPollMs, pauses start short and back off up to the poll interval', async () => {
    const times: number[] = [];
    await waitForLock({
      key: 'k',
      waitMs: 5_000,
      pollIntervalMs: 160,
      firstPollMs: 10,
      attempt: () => {
        times.push(performance.now());
        return Promise.resolve(times.length === 7 ? 'lease' : undefined);
      },
    });
    const pauses = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(pauses[0]).toBeLessThan(100);
    expect(Math.max(...pauses)).toBeGreaterThanOrEqual(79);
    expect(Math.max(...pauses)).toBeLessThan(1_000);
  });
});
