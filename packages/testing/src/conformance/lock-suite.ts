import assert from 'node:assert/strict';
import { LockTimeoutError } from '@ads-token/core';
import type { Lock, LockLease } from '@ads-token/core';
import { delay, describeError, isAbortReason, rejection, uniquePrefix, withHarness, within } from './support.js';
import type { LockHarness, LockSuiteOptions, TestFn } from './types.js';

/** True for core's LockTimeoutError (also from another copy of core, by its stable code). */
function isLockTimeout(error: unknown): boolean {
  return error instanceof LockTimeoutError || (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'LOCK_TIMEOUT');
}

/** Resolves when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * Registers the conformance tests of the `Lock` contract with the runner's `test`: run it on your
 * own lock. `factory` makes a fresh harness for each test; each test uses its own keys.
 */
export function lockSuite(test: TestFn, factory: () => Promise<LockHarness> | LockHarness, options: LockSuiteOptions = {}): void {
  const name = options.name ?? 'Lock';
  const withinMs = options.withinMs ?? 5_000;
  const timeout = options.testTimeoutMs ?? 60_000;
  const ttlMs = options.ttlMs ?? 1000;
  const contenders = Math.max(2, options.contenders ?? 20);
  const longWaitMs = Math.max(withinMs * 2, timeout - withinMs);
  const probeWaitMs = Math.min(100, ttlMs);
  // Lock keys as core makes them (`refresh:` + store key), with characters special to paths and globs.
  const keyOf = (): string => `refresh:${uniquePrefix('lock')}{client%3A*?:grant/[1] ü}`;
  const it = (title: string, body: (h: LockHarness, key: string) => Promise<void>): void =>
    test(`${name}: ${title}`, () => withHarness(factory, (h) => body(h, keyOf())), timeout);
  const peerOf = (h: LockHarness): Lock => {
    assert.ok(h.peer, 'options say { peer: true } but the harness has no peer');
    return h.peer;
  };

  /** Asserts that `key` is held: a short acquire times out with LockTimeoutError. */
  async function assertHeld(lock: Lock, key: string, what: string): Promise<void> {
    const error = await rejection(() => lock.acquire(key, { ttlMs, waitMs: probeWaitMs }).then((lease) => lease.release()), `${what}: acquiring a held lock`);
    assert.ok(isLockTimeout(error), `${what}: expected LockTimeoutError (code LOCK_TIMEOUT), got ${describeError(error)}`);
  }

  /** Acquires `key` within the "promptly" bound. */
  async function acquireSoon(lock: Lock, key: string, what: string): Promise<LockLease> {
    return within(lock.acquire(key, { ttlMs, waitMs: longWaitMs }), withinMs, what);
  }

  /** N contenders, each checking that nobody else holds the lock while it does a read-await-write. */
  async function contend(locks: Lock[], key: string): Promise<void> {
    let holders = 0;
    let overlaps = 0;
    let lost = 0;
    let counter = 0;
    await Promise.all(
      Array.from({ length: contenders }, async (_, i) => {
        const lease = await locks[i % locks.length]!.acquire(key, { ttlMs, waitMs: longWaitMs });
        try {
          if (holders !== 0) overlaps++;
          holders++;
          const seen = counter;
          await delay(2);
          counter = seen + 1;
          if (lease.signal.aborted) lost++;
          holders--;
        } finally {
          await lease.release();
        }
      }),
    );
    assert.equal(overlaps, 0, `${overlaps} contenders held the lock while another did`);
    assert.equal(lost, 0, `${lost} leases were lost while briefly held`);
    assert.equal(counter, contenders, 'increments were lost: two holders overlapped');
  }

  it('harness and options agree on the optional features', async (h) => {
    assert.equal(h.peer !== undefined, options.peer === true,
      h.peer !== undefined ? 'the harness offers a peer: pass { peer: true } to run the tests that use it' : 'options say { peer: true } but the harness has no peer');
    assert.equal(typeof h.loseLease === 'function', options.loseLease === true,
      typeof h.loseLease === 'function' ? 'the harness offers loseLease: pass { loseLease: true } to run its tests' : 'options say { loseLease: true } but the harness has no loseLease');
  });

  it('a free lock is acquired at once, even with waitMs 0, and can be taken again after release', async ({ lock }, key) => {
    const lease = await within(lock.acquire(key, { ttlMs, waitMs: 0 }), withinMs, 'acquiring a free lock');
    assert.equal(lease.signal.aborted, false, 'a fresh lease must not be aborted');
    await lease.release();
    const again = await within(lock.acquire(key, { ttlMs, waitMs: 0 }), withinMs, 'acquiring a released lock');
    await again.release();
  });

  it('different keys do not block each other', async ({ lock }, key) => {
    const a = await lock.acquire(key, { ttlMs, waitMs: withinMs });
    try {
      const b = await within(lock.acquire(`${key}:other`, { ttlMs, waitMs: withinMs }), withinMs, 'acquiring another key');
      await b.release();
      const c = await within(lock.acquire(`${key}x`, { ttlMs, waitMs: withinMs }), withinMs, 'acquiring a key that extends a held one');
      await c.release();
    } finally {
      await a.release();
    }
  });

  it(`${contenders} concurrent contenders hold the lock one at a time`, async ({ lock }, key) => {
    await contend([lock], key);
  });

  it('waitMs bounds the wait with LockTimeoutError, and the holder keeps the lock', async ({ lock }, key) => {
    const holder = await lock.acquire(key, { ttlMs, waitMs: withinMs });
    try {
      const waitMs = Math.max(200, ttlMs);
      const started = Date.now();
      const error = await within(rejection(() => lock.acquire(key, { ttlMs, waitMs }), 'acquiring a held lock'), waitMs + withinMs, 'LockTimeoutError after waitMs');
      const elapsed = Date.now() - started;
      assert.ok(isLockTimeout(error), `expected LockTimeoutError (code LOCK_TIMEOUT), got ${describeError(error)}`);
      assert.ok(elapsed >= waitMs / 2, `gave up after ${elapsed} ms, long before waitMs ${waitMs}`);
      assert.equal(holder.signal.aborted, false, 'a waiter timing out must not cost the holder its lease');
      await assertHeld(lock, key, 'after a waiter timed out');
    } finally {
      await holder.release();
    }
    await (await acquireSoon(lock, key, 'acquiring after the holder released')).release();
  });

  it('the caller\'s signal aborts the wait, and the aborted waiter never takes the lock', async ({ lock }, key) => {
    const holder = await lock.acquire(key, { ttlMs, waitMs: withinMs });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const waiting = rejection(() => lock.acquire(key, { ttlMs, waitMs: longWaitMs, signal: controller.signal }), 'acquiring with a signal that aborts');
    waiting.catch(() => undefined); // judged below
    await delay(50);
    controller.abort(reason);
    const error = await within(waiting, withinMs, 'rejection after the caller\'s signal aborted');
    assert.ok(isAbortReason(error, reason), `expected the signal's reason (or an error caused by it), got ${describeError(error)}`);
    await holder.release();
    await (await acquireSoon(lock, key, 'acquiring after an aborted waiter left')).release();
  });

  it('an already aborted signal rejects and takes nothing', async ({ lock }, key) => {
    const reason = new Error('aborted before the call');
    const error = await rejection(() => lock.acquire(key, { ttlMs, waitMs: withinMs, signal: AbortSignal.abort(reason) }), 'acquire with an aborted signal');
    assert.ok(isAbortReason(error, reason), `expected the signal's reason (or an error caused by it), got ${describeError(error)}`);
    await (await within(lock.acquire(key, { ttlMs, waitMs: 0 }), withinMs, 'acquiring after an aborted call')).release();
  });

  it('release lets the next waiter in promptly', async ({ lock }, key) => {
    const holder = await lock.acquire(key, { ttlMs, waitMs: withinMs });
    const next = lock.acquire(key, { ttlMs, waitMs: longWaitMs });
    next.catch(() => undefined); // judged below
    await delay(50);
    await holder.release();
    const lease = await within(next, withinMs, 'the next waiter after release');
    assert.equal(lease.signal.aborted, false);
    await lease.release();
  });

  it('a second release is harmless and does not release the next holder', async ({ lock }, key) => {
    const first = await lock.acquire(key, { ttlMs, waitMs: withinMs });
    await first.release();
    await first.release();
    const second = await acquireSoon(lock, key, 'acquiring after a double release');
    try {
      await first.release();
      assert.equal(second.signal.aborted, false, 'a stale release must not abort the new holder\'s lease');
      await assertHeld(lock, key, 'after a stale release');
    } finally {
      await second.release();
    }
  });

  it('a lease held past 2.5 x ttlMs stays valid (renewed) and keeps others out', async (h, key) => {
    const other = h.peer ?? h.lock;
    const lease = await h.lock.acquire(key, { ttlMs, waitMs: withinMs });
    try {
      await delay(ttlMs * 2.5);
      assert.equal(lease.signal.aborted, false, `the lease was lost while held for ${ttlMs * 2.5} ms with ttlMs ${ttlMs}: renewal does not work`);
      await assertHeld(other, key, 'after 2.5 x ttlMs');
      assert.equal(lease.signal.aborted, false, 'the lease was lost after a contender timed out');
    } finally {
      await lease.release();
    }
    await (await acquireSoon(other, key, 'acquiring after the long holder released')).release();
  });

  it('keeps working until closed, and close may be called twice', async ({ lock }, key) => {
    await (await lock.acquire(key, { ttlMs, waitMs: withinMs })).release();
    if (lock.close) {
      await lock.close();
      await lock.close();
    }
  });

  if (options.peer === true) {
    it(`${contenders} contenders across two instances hold the lock one at a time`, async (h, key) => {
      await contend([h.lock, peerOf(h)], key);
    });

    it('a lock held through one instance times out through the other, and is free there after release', async (h, key) => {
      const peer = peerOf(h);
      const lease = await h.lock.acquire(key, { ttlMs, waitMs: withinMs });
      try {
        await assertHeld(peer, key, 'peer acquiring the store\'s lock');
      } finally {
        await lease.release();
      }
      const peerLease = await acquireSoon(peer, key, 'peer acquiring after release');
      try {
        await assertHeld(h.lock, key, 'lock acquiring the peer\'s lock');
      } finally {
        await peerLease.release();
      }
    });
  }

  if (options.loseLease === true) {
    it('a lost lease aborts its signal, another contender gets the lock, and the old release leaves it alone', async (h, key) => {
      if (typeof h.loseLease !== 'function') throw new Error('options say { loseLease: true } but the harness has no loseLease');
      const other = h.peer ?? h.lock;
      const old = await h.lock.acquire(key, { ttlMs, waitMs: withinMs });
      await h.loseLease(key);
      await within(aborted(old.signal), withinMs, 'the lost lease\'s signal aborting');
      const next = await acquireSoon(other, key, 'another contender acquiring after the lease was lost');
      try {
        await old.release();
        assert.equal(next.signal.aborted, false, 'the old holder\'s release must not abort the new lease');
        await assertHeld(h.lock, key, 'after the old holder released its lost lease');
        await delay(ttlMs * 2);
        assert.equal(next.signal.aborted, false, 'the new lease must be renewed while held');
      } finally {
        await next.release();
      }
      await (await acquireSoon(h.lock, key, 'acquiring after the new holder released')).release();
    });
  }
}
