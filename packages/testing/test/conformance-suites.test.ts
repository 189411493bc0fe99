import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it, test } from 'vitest';
import { InProcessLock, LockTimeoutError, MemoryTokenStore, createRecordSealer, storeKey } from '@ads-token/core';
import type { Lock, LockAcquireOptions, LockLease, Options, StoredRecord, TokenStore } from '@ads-token/core';
import { SEALED_ALPHABET, lockSuite, tokenStoreSuite } from '../src/index.js';
import type { LockHarness, TestFn, TokenStoreHarness } from '../src/index.js';

/** A lease lock over a shared table, as a Redis or file lock works: polling, expiry, renewal. */
class TableLock implements Lock {
  constructor(
    readonly table: Map<string, { owner: string; expiresAt: number }>,
    readonly flaws: { noRenewal?: boolean; releaseAnyOwner?: boolean; neverSignalLoss?: boolean } = {},
  ) {}

  async acquire(key: string, options: LockAcquireOptions): Promise<LockLease> {
    const deadline = Date.now() + options.waitMs;
    const owner = randomUUID();
    for (;;) {
      options.signal?.throwIfAborted();
      const entry = this.table.get(key);
      if (entry === undefined || entry.expiresAt <= Date.now()) {
        this.table.set(key, { owner, expiresAt: Date.now() + options.ttlMs });
        return this.#lease(key, owner, options.ttlMs);
      }
      if (Date.now() >= deadline) throw new LockTimeoutError(`Timed out waiting for lock ${key}`);
      await delay(10, undefined, { signal: options.signal });
    }
  }

  #lease(key: string, owner: string, ttlMs: number): LockLease {
    const controller = new AbortController();
    const timer = setInterval(() => {
      const entry = this.table.get(key);
      if (entry?.owner !== owner || entry.expiresAt <= Date.now()) {
        clearInterval(timer);
        if (!this.flaws.neverSignalLoss) controller.abort(new Error('lease lost'));
      } else if (!this.flaws.noRenewal) entry.expiresAt = Date.now() + ttlMs;
    }, Math.max(5, ttlMs / 3));
    return {
      signal: controller.signal,
      release: async () => {
        clearInterval(timer);
        if (this.flaws.releaseAnyOwner || this.table.get(key)?.owner === owner) this.table.delete(key);
      },
    };
  }
}

/** Runs a suite through a collecting test function; resolves to the names of the tests that failed. */
async function failures(register: (test: TestFn) => void): Promise<string[]> {
  const tests: [string, () => Promise<void>][] = [];
  register((name, fn) => void tests.push([name, fn]));
  const failed: string[] = [];
  await Promise.all(tests.map(async ([name, fn]) => fn().catch(() => void failed.push(name))));
  return failed.sort();
}

function lockHarness(flaws?: ConstructorParameters<typeof TableLock>[1]): LockHarness {
  const table = new Map<string, { owner: string; expiresAt: number }>();
  return { lock: new TableLock(table, flaws), peer: new TableLock(table, flaws), loseLease: async (key) => void table.delete(key) };
}

describe('a lease lock with a peer and loseLease', () => {
  lockSuite(test, () => lockHarness(), { name: 'TableLock', peer: true, loseLease: true, withinMs: 3_000 });
});

describe('MemoryTokenStore shared by two managers (as its own peer)', () => {
  tokenStoreSuite(
    test,
    () => {
      const store = new MemoryTokenStore();
      return { store, peer: store };
    },
    { name: 'MemoryTokenStore+peer', peer: true, subscribe: true },
  );
});

describe('InProcessLock shared by two managers (as its own peer)', () => {
  lockSuite(
    test,
    () => {
      const lock = new InProcessLock();
      return { lock, peer: lock };
    },
    { name: 'InProcessLock+peer', peer: true },
  );
});

/** A MemoryTokenStore with one flaw put in. */
class FlawedStore extends MemoryTokenStore {
  constructor(readonly flaw: 'racy-cas' | 'delete-ignores-version' | 'list-everything' | 'silent-subscribe' | 'sticky-subscribe' | 'truncates-data') {
    super();
  }

  override async compareAndSet(key: string, expected: string | undefined, record: StoredRecord, options?: Options): Promise<boolean> {
    if (this.flaw === 'racy-cas') {
      const current = await super.get(key);
      await delay(1);
      if (current?.version !== expected) return false;
      await super.delete(key);
      return super.compareAndSet(key, undefined, record);
    }
    if (this.flaw === 'truncates-data') return super.compareAndSet(key, expected, { ...record, data: record.data.slice(0, 32 * 1024) }, options);
    return super.compareAndSet(key, expected, record, options);
  }

  override delete(key: string, expected?: string, options?: Options): Promise<boolean> {
    return super.delete(key, this.flaw === 'delete-ignores-version' ? undefined : expected, options);
  }

  override async *list(prefix: string, options?: Options): AsyncIterable<string> {
    yield* super.list(this.flaw === 'list-everything' ? '' : prefix, options);
  }

  override async subscribe(key: string, onChange: () => void): Promise<() => Promise<void>> {
    if (this.flaw === 'silent-subscribe') return async () => undefined;
    const unsubscribe = await super.subscribe(key, onChange);
    return this.flaw === 'sticky-subscribe' ? async () => undefined : unsubscribe;
  }
}

describe('the suites catch broken implementations', () => {
  const storeFailures = (make: () => TokenStore): Promise<string[]> =>
    failures((t) => tokenStoreSuite(t, () => ({ store: make() }), { name: 'S', subscribe: true, withinMs: 300 }));

  it('a compare-and-set that is not atomic fails the race tests', async () => {
    const failed = await storeFailures(() => new FlawedStore('racy-cas'));
    expect(failed).toContain('S: exactly one of 20 racing creators wins, then exactly one of 20 racing updaters');
  });

  it('a delete that ignores the version fails the delete and ABA tests', async () => {
    const failed = await storeFailures(() => new FlawedStore('delete-ignores-version'));
    expect(failed).toContain('S: delete with a version removes only that version');
    expect(failed).toContain('S: no ABA: after delete and a rewrite, the old version matches nothing');
  });

  it('a list that ignores the prefix fails the list test', async () => {
    const failed = await storeFailures(() => new FlawedStore('list-everything'));
    expect(failed.some((name) => name.startsWith('S: list yields exactly the keys under a prefix'))).toBe(true);
  });

  it('a store that changes data fails the round-trip test', async () => {
    const failed = await storeFailures(() => new FlawedStore('truncates-data'));
    expect(failed).toEqual(['S: a record holds sealed data exactly: 64 KiB of it, and every character a sealed record uses']);
  });

  it('a subscribe that never calls, or an unsubscribe that does nothing, fails the subscribe tests', async () => {
    expect(await storeFailures(() => new FlawedStore('silent-subscribe'))).toContain('S: subscribe: each write and delete through the store calls onChange');
    expect(await storeFailures(() => new FlawedStore('sticky-subscribe'))).toEqual(['S: subscribe: unsubscribe stops the calls, other subscriptions keep theirs']);
  });

  it('options that disagree with the harness fail the feature check', async () => {
    const check = 'S: harness and options agree on the optional features';
    expect(await failures((t) => tokenStoreSuite(t, () => ({ store: new MemoryTokenStore() }), { name: 'S' })))
      .toEqual([check]);
    const withPeer = (): TokenStoreHarness => {
      const store = new MemoryTokenStore();
      return { store, peer: store };
    };
    expect(await failures((t) => tokenStoreSuite(t, withPeer, { name: 'S', subscribe: true })))
      .toEqual([check]);
    expect(await failures((t) => lockSuite(t, () => ({ lock: new InProcessLock(), loseLease: async () => undefined }), { name: 'L' })))
      .toEqual(['L: harness and options agree on the optional features']);
  });

  const lockFailures = (flaws: ConstructorParameters<typeof TableLock>[1]): Promise<string[]> =>
    failures((t) => lockSuite(t, () => lockHarness(flaws), { name: 'L', peer: true, loseLease: true, withinMs: 1_500 }));

  it('a lock without exclusion fails the exclusivity tests', async () => {
    const free: Lock = { acquire: async () => ({ signal: new AbortController().signal, release: async () => undefined }) };
    const failed = await failures((t) => lockSuite(t, () => ({ lock: free }), { name: 'L', withinMs: 1_500 }));
    expect(failed).toContain('L: 20 concurrent contenders hold the lock one at a time');
    expect(failed).toContain('L: waitMs bounds the wait with LockTimeoutError, and the holder keeps the lock');
  });

  it('a lease that is not renewed fails the renewal test', async () => {
    expect(await lockFailures({ noRenewal: true })).toContain('L: a lease held past 2.5 x ttlMs stays valid (renewed) and keeps others out');
  });

  it('a release that frees another owner\'s lock fails the stale-release tests', async () => {
    const failed = await lockFailures({ releaseAnyOwner: true });
    expect(failed).toContain('L: a second release is harmless and does not release the next holder');
    expect(failed).toContain('L: a lost lease aborts its signal, another contender gets the lock, and the old release leaves it alone');
  });

  it('a lost lease that is never signalled fails the lease-loss test', async () => {
    expect(await lockFailures({ neverSignalLoss: true })).toEqual([
      'L: a lost lease aborts its signal, another contender gets the lock, and the old release leaves it alone',
    ]);
  });
});

describe('the store suite leaves a shared store as it found it', () => {
  it('every test deletes the keys it wrote, also when the store and peer are one shared backend', async () => {
    const shared = new MemoryTokenStore();
    // close() of a shared store must not be what empties it: closing here does nothing.
    const instance = (): TokenStore => ({
      get: (k, o) => shared.get(k, o),
      compareAndSet: (k, e, r, o) => shared.compareAndSet(k, e, r, o),
      delete: (k, e, o) => shared.delete(k, e, o),
      list: (p, o) => shared.list(p, o),
      subscribe: (k, f) => shared.subscribe(k, f),
      close: async () => undefined,
    });
    const failed = await failures((t) =>
      tokenStoreSuite(t, () => ({ store: instance(), peer: instance() }), { name: 'S', peer: true, subscribe: true, withinMs: 1_000 }),
    );
    expect(failed).toEqual([]);
    const left: string[] = [];
    for await (const key of shared.list('')) left.push(key);
    expect(left).toEqual([]);
  });
});

describe('the sealed-data alphabet the suite uses is what core seals', () => {
  it('records sealed with every kind of key use only SEALED_ALPHABET', async () => {
    const key = storeKey('amzn1.application-oa2-client.x', 'grant ü:{}%');
    const plaintext = JSON.stringify({ refreshToken: 'Atzr|ü\u0000\n"', accessToken: 'Atza|' + 'x'.repeat(2000) });
    const allowed = new Set(SEALED_ALPHABET);
    for (const encryptionKey of [undefined, { passphrase: 'correct horse battery staple', iterations: 100_000 }] as const) {
      const sealer = createRecordSealer({ clientSecret: 'secret', ...(encryptionKey === undefined ? {} : { encryptionKey }) });
      const sealed = await sealer.seal(key, plaintext);
      expect([...sealed].filter((c) => !allowed.has(c))).toEqual([]);
      expect(await sealer.open(key, sealed)).toBe(plaintext);
    }
  });
});
