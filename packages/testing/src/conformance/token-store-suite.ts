import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { StoredRecord, TokenStore } from '@ads-token/core';
import { SEALED_ALPHABET } from './sealed-alphabet.js';
import { delay, describeError, eventually, rejection, uniquePrefix, withHarness } from './support.js';
import { withKeyCleanup } from './key-cleanup.js';
import type { TestFn, TokenStoreHarness, TokenStoreSuiteOptions } from './types.js';

const newRecord = (data = `data.${randomUUID()}`): StoredRecord => ({ version: randomUUID(), data });

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of iterable) out.push(key);
  return out;
}

/** Key characters core can produce (escaped ids) plus ones that are special to globs, paths and URLs. */
const ODD_PARTS = ['%3A%7B%7D%25', 'a:b', '{tag}', '100%', 'star*', 'q?', '[x]', 'under_score', 'back\\slash', 'sl/ash', 'sp ace', 'ünï🔑'];

/**
 * Registers the conformance tests of the `TokenStore` contract with the runner's `test`: run it
 * on your own store. `factory` makes a fresh harness for each test; each test uses its own keys.
 */
export function tokenStoreSuite(
  test: TestFn,
  factory: () => Promise<TokenStoreHarness> | TokenStoreHarness,
  options: TokenStoreSuiteOptions = {},
): void {
  const name = options.name ?? 'TokenStore';
  const withinMs = options.withinMs ?? 5_000;
  const timeout = options.testTimeoutMs ?? 60_000;
  const concurrency = Math.max(2, options.concurrency ?? 20);
  const listSize = Math.max(1, options.listSize ?? 250);
  // Each test deletes every key it wrote (through an instance it did not close), so a shared database stays clean.
  const it = (title: string, body: (h: TokenStoreHarness, prefix: string) => Promise<void>): void =>
    test(`${name}: ${title}`, () => withHarness(factory, (h) => withKeyCleanup(h, (tracked) => body(tracked, uniquePrefix('store')))), timeout);
  const peerOf = (h: TokenStoreHarness): TokenStore => {
    assert.ok(h.peer, 'options say { peer: true } but the harness has no peer');
    return h.peer;
  };
  const subscribeOf = (store: TokenStore): NonNullable<TokenStore['subscribe']> => {
    assert.equal(typeof store.subscribe, 'function', 'options say { subscribe: true } but the store has no subscribe method');
    return store.subscribe!.bind(store);
  };

  it('harness and options agree on the optional features', async (h) => {
    assert.equal(h.peer !== undefined, options.peer === true,
      h.peer !== undefined ? 'the harness offers a peer: pass { peer: true } to run the tests that use it' : 'options say { peer: true } but the harness has no peer');
    assert.equal(typeof h.store.subscribe === 'function', options.subscribe === true,
      typeof h.store.subscribe === 'function' ? 'the store offers subscribe: pass { subscribe: true } to run its tests' : 'options say { subscribe: true } but the store has no subscribe method');
  });

  it('get of an absent key resolves to undefined', async ({ store }, p) => {
    assert.equal(await store.get(`${p}{absent}`), undefined);
  });

  it('compareAndSet with expected undefined creates the record, and get returns it', async ({ store }, p) => {
    const key = `${p}{c:g}`;
    const record = newRecord();
    assert.equal(await store.compareAndSet(key, undefined, record), true, 'creating an absent key must succeed');
    assert.deepEqual(await store.get(key), record, 'get must return the version and data just written');
  });

  it('compareAndSet with expected undefined fails when the key exists, leaving it unchanged', async ({ store }, p) => {
    const key = `${p}{c:g}`;
    const first = newRecord();
    assert.equal(await store.compareAndSet(key, undefined, first), true);
    assert.equal(await store.compareAndSet(key, undefined, newRecord()), false, 'a second create must lose');
    assert.deepEqual(await store.get(key), first);
  });

  it('compareAndSet with a wrong version fails and leaves the record unchanged; with the right one it replaces it', async ({ store }, p) => {
    const key = `${p}{c:g}`;
    const first = newRecord();
    await store.compareAndSet(key, undefined, first);
    assert.equal(await store.compareAndSet(key, randomUUID(), newRecord()), false, 'a wrong expected version must lose');
    assert.deepEqual(await store.get(key), first);
    const second = newRecord();
    assert.equal(await store.compareAndSet(key, first.version, second), true, 'the current expected version must win');
    assert.deepEqual(await store.get(key), second);
    assert.equal(await store.compareAndSet(key, first.version, newRecord()), false, 'the replaced version must no longer match');
    assert.deepEqual(await store.get(key), second);
  });

  it('compareAndSet on an absent key with an expected version fails and creates nothing', async ({ store }, p) => {
    const key = `${p}{c:g}`;
    assert.equal(await store.compareAndSet(key, randomUUID(), newRecord()), false);
    assert.equal(await store.get(key), undefined);
  });

  it('versions compare as exact strings', async ({ store }, p) => {
    const key = `${p}{c:g}`;
    const record = { version: '1', data: 'one' };
    await store.compareAndSet(key, undefined, record);
    for (const lookalike of ['01', '1.0', ' 1', '1 ', 'true', '+1']) {
      assert.equal(await store.compareAndSet(key, lookalike, newRecord()), false, `expected version ${JSON.stringify(lookalike)} must not match '1'`);
      assert.equal(await store.delete(key, lookalike), false, `delete expecting ${JSON.stringify(lookalike)} must not match '1'`);
    }
    assert.deepEqual(await store.get(key), record);
  });

  it('records are copies: changing an object passed in or handed out changes nothing stored', async ({ store }, p) => {
    const key = `${p}{c:g}`;
    const written = { version: 'v1', data: 'original' };
    await store.compareAndSet(key, undefined, written);
    written.data = 'changed after write';
    written.version = 'v2';
    const read = await store.get(key);
    assert.ok(read);
    assert.deepEqual(read, { version: 'v1', data: 'original' });
    read.data = 'changed after read';
    assert.deepEqual(await store.get(key), { version: 'v1', data: 'original' });
  });

  it(`exactly one of ${concurrency} racing creators wins, then exactly one of ${concurrency} racing updaters`, async ({ store }, p) => {
    const key = `${p}{c:g}`;
    await raceOnce(key, [store], undefined);
    const current = await store.get(key);
    assert.ok(current);
    await raceOnce(key, [store], current.version);
  });

  it('a record holds sealed data exactly: 64 KiB of it, and every character a sealed record uses', async (h, p) => {
    const readers = [h.store, ...(h.peer ? [h.peer] : [])];
    const sealed = (bytes: number): string => randomBytes(bytes).toString('base64url');
    const cases = [
      `ats1.h.${sealed(8)}.${sealed(12)}.${sealed(48 * 1024)}`, // 64 KiB
      `ats1.p.${sealed(8)}.600000.${sealed(16)}.${sealed(12)}.${sealed(900)}`, // as a { passphrase } key seals
      `${SEALED_ALPHABET}.${[...SEALED_ALPHABET].reverse().join('')}`, // every character, both ends
      '-_.', // leading and trailing punctuation
    ];
    for (const [i, data] of cases.entries()) {
      const key = `${p}{c:g${i}}`;
      const record = { version: randomUUID().replace(/-/g, '_'), data };
      assert.equal(await h.store.compareAndSet(key, undefined, record), true);
      for (const reader of readers) {
        const read = await reader.get(key);
        assert.ok(read, `case ${i}: record missing`);
        assert.equal(read.version, record.version, `case ${i}: version must round-trip exactly`);
        assert.equal(read.data.length, data.length, `case ${i}: data length changed`);
        assert.equal(read.data, data, `case ${i}: data must round-trip exactly`);
      }
    }
  });

  it('delete without a version removes the record; delete of an absent key resolves false', async ({ store }, p) => {
    const key = `${p}{c:g}`;
    assert.equal(await store.delete(key), false, 'deleting an absent key must resolve false');
    assert.equal(await store.delete(key, randomUUID()), false, 'deleting an absent key with a version must resolve false');
    await store.compareAndSet(key, undefined, newRecord());
    assert.equal(await store.delete(key), true);
    assert.equal(await store.get(key), undefined);
    assert.equal(await store.delete(key), false, 'a second delete must resolve false');
  });

  it('delete with a version removes only that version', async ({ store }, p) => {
    const key = `${p}{c:g}`;
    const record = newRecord();
    await store.compareAndSet(key, undefined, record);
    assert.equal(await store.delete(key, randomUUID()), false, 'a wrong version must not delete');
    assert.deepEqual(await store.get(key), record);
    assert.equal(await store.delete(key, record.version), true);
    assert.equal(await store.get(key), undefined);
  });

  it(`exactly one of ${concurrency} racing deletes of one record resolves true`, async ({ store }, p) => {
    for (const withVersion of [true, false]) {
      const key = `${p}{c:${String(withVersion)}}`;
      const record = newRecord();
      await store.compareAndSet(key, undefined, record);
      const results = await Promise.all(Array.from({ length: concurrency }, () => store.delete(key, withVersion ? record.version : undefined)));
      assert.equal(results.filter(Boolean).length, 1, `racing deletes ${withVersion ? 'with' : 'without'} a version: ${results.filter(Boolean).length} resolved true`);
      assert.equal(await store.get(key), undefined);
    }
  });

  it('no ABA: after delete and a rewrite, the old version matches nothing', async ({ store }, p) => {
    const key = `${p}{c:g}`;
    const old = newRecord('old');
    await store.compareAndSet(key, undefined, old);
    assert.equal(await store.delete(key, old.version), true);
    assert.equal(await store.compareAndSet(key, old.version, newRecord()), false, 'a deleted version must not match an absent key');
    const fresh = newRecord('fresh');
    assert.equal(await store.compareAndSet(key, undefined, fresh), true, 'a deleted key must be creatable again');
    assert.equal(await store.compareAndSet(key, old.version, newRecord('stale')), false, 'the old version must not match the rewritten record');
    assert.equal(await store.delete(key, old.version), false, 'the old version must not delete the rewritten record');
    assert.deepEqual(await store.get(key), fresh);
  });

  it(`list yields exactly the keys under a prefix (${listSize} keys, odd characters), not a sibling prefix's`, async ({ store }, p) => {
    const odd = ODD_PARTS.join('');
    const prefix = `${p}{client${odd}:`;
    const inside = Array.from({ length: listSize }, (_, i) => `${prefix}grant-${i}}`);
    inside.push(...ODD_PARTS.map((part) => `${prefix}${part}}`), prefix);
    const outside = [
      `${p}{client${odd}}`, // the prefix without its last character
      `${p}{client${odd}X:grant}`,
      `${p}{clientX${odd}:grant}`, // what an unescaped glob `*`/`?` would match
      `${p}{client${odd.replace('[x]', 'x')}:grant}`, // what an unescaped glob `[x]` would match
      `${p}{client${odd.replace('under_score', 'underXscore')}:grant}`, // what an unescaped LIKE `_` would match
      `${p}{client${odd.replace('100%', '100%XY')}:grant}`, // what an unescaped LIKE `%` would match
      `${p.slice(0, -1)}X{client${odd}:grant}`,
    ];
    for (const key of [...inside, ...outside]) assert.equal(await store.compareAndSet(key, undefined, newRecord()), true, `writing ${key}`);
    const listed = await collect(store.list(prefix));
    assert.equal(new Set(listed).size, listed.length, 'list must not yield a key twice');
    assert.deepEqual([...listed].sort(), [...inside].sort(), 'list must yield exactly the keys under the prefix');
    assert.deepEqual(await collect(store.list(`${p}{nothing-here:`)), [], 'a prefix with no keys lists nothing');
    await store.delete(inside[0]!);
    assert.equal((await collect(store.list(prefix))).includes(inside[0]!), false, 'a deleted key must not be listed');
  });

  it('list yields every key of a prefix that has one key', async ({ store }, p) => {
    const key = `${p}{c:only}`;
    await store.compareAndSet(key, undefined, newRecord());
    assert.deepEqual(await collect(store.list(p)), [key]);
  });

  it('an already aborted signal rejects get, compareAndSet, delete and list, and changes nothing', async ({ store }, p) => {
    const key = `${p}{c:g}`;
    const record = newRecord();
    await store.compareAndSet(key, undefined, record);
    const signal = AbortSignal.abort(new Error('aborted by the conformance suite'));
    await rejection(() => store.get(key, { signal }), 'get with an aborted signal');
    await rejection(() => store.compareAndSet(key, record.version, newRecord(), { signal }), 'compareAndSet with an aborted signal');
    await rejection(() => store.compareAndSet(`${p}{c:other}`, undefined, newRecord(), { signal }), 'create with an aborted signal');
    await rejection(() => store.delete(key, undefined, { signal }), 'delete with an aborted signal');
    await rejection(async () => collect(store.list(p, { signal })), 'list with an aborted signal');
    assert.deepEqual(await store.get(key), record, 'an aborted write or delete must change nothing');
    assert.equal(await store.get(`${p}{c:other}`), undefined, 'an aborted create must create nothing');
  });

  it('keeps working until closed, and close may be called twice', async ({ store }, p) => {
    const key = `${p}{c:g}`;
    const record = newRecord();
    await store.compareAndSet(key, undefined, record);
    assert.deepEqual(await store.get(key), record);
    assert.equal(await store.delete(key, record.version), true);
    if (store.close) {
      await store.close();
      await store.close();
    }
  });

  if (options.peer === true) {
    it('a write through one instance is seen by the other', async (h, p) => {
      const peer = peerOf(h);
      const key = `${p}{c:g}`;
      const first = newRecord();
      await h.store.compareAndSet(key, undefined, first);
      assert.deepEqual(await peer.get(key), first, 'peer must see the store\'s write');
      const second = newRecord();
      assert.equal(await peer.compareAndSet(key, first.version, second), true);
      assert.deepEqual(await h.store.get(key), second, 'store must see the peer\'s write');
      assert.equal(await h.store.compareAndSet(key, first.version, newRecord()), false, 'a version replaced by the peer must not match');
      assert.equal(await peer.delete(key, second.version), true);
      assert.equal(await h.store.get(key), undefined, 'store must see the peer\'s delete');
      assert.deepEqual(await collect(h.store.list(p)), []);
    });

    it(`exactly one of ${concurrency} racing writers wins across both instances`, async (h, p) => {
      const instances = [h.store, peerOf(h)];
      const key = `${p}{c:g}`;
      await raceOnce(key, instances, undefined);
      const current = await h.store.get(key);
      assert.ok(current);
      await raceOnce(key, instances, current.version);
    });
  }

  if (options.subscribe === true) {
    it('subscribe: each write and delete through the store calls onChange', async ({ store }, p) => {
      const key = `${p}{c:g}`;
      let calls = 0;
      const unsubscribe = await subscribeOf(store)(key, () => void calls++);
      try {
        const first = newRecord();
        await store.compareAndSet(key, undefined, first);
        await eventually(() => calls >= 1, withinMs, 'onChange after a create');
        const seen = calls;
        const second = newRecord();
        await store.compareAndSet(key, first.version, second);
        await eventually(() => calls > seen, withinMs, 'onChange after an update');
        const seen2 = calls;
        await store.delete(key, second.version);
        await eventually(() => calls > seen2, withinMs, 'onChange after a delete');
      } finally {
        await unsubscribe();
      }
    });

    it('subscribe: unsubscribe stops the calls, other subscriptions keep theirs', async ({ store }, p) => {
      const key = `${p}{c:g}`;
      const subscribe = subscribeOf(store);
      let gone = 0;
      let kept = 0;
      const unsubscribeGone = await subscribe(key, () => void gone++);
      const unsubscribeKept = await subscribe(key, () => void kept++);
      try {
        await store.compareAndSet(key, undefined, newRecord());
        await eventually(() => gone >= 1 && kept >= 1, withinMs, 'onChange of both subscriptions');
        await unsubscribeGone();
        const goneBefore = gone;
        const keptBefore = kept;
        await store.delete(key);
        await store.compareAndSet(key, undefined, newRecord());
        await eventually(() => kept >= keptBefore + 2, withinMs, 'onChange of the remaining subscription');
        await delay(Math.min(200, withinMs));
        assert.equal(gone, goneBefore, 'an unsubscribed onChange must not be called again');
      } finally {
        await unsubscribeKept();
      }
    });

    it('subscribe: a change to another key does not unsubscribe or break this one', async ({ store }, p) => {
      const key = `${p}{c:g}`;
      let calls = 0;
      const unsubscribe = await subscribeOf(store)(key, () => void calls++);
      try {
        await store.compareAndSet(`${p}{c:other}`, undefined, newRecord());
        await store.compareAndSet(key, undefined, newRecord());
        await eventually(() => calls >= 1, withinMs, 'onChange after a write to the subscribed key');
      } finally {
        await unsubscribe();
      }
    });

    if (options.peer === true) {
      it('subscribe: writes and deletes through the peer call onChange', async (h, p) => {
        const peer = peerOf(h);
        const key = `${p}{c:g}`;
        let calls = 0;
        const unsubscribe = await subscribeOf(h.store)(key, () => void calls++);
        try {
          const record = newRecord();
          await peer.compareAndSet(key, undefined, record);
          await eventually(() => calls >= 1, withinMs, 'onChange after a write through the peer');
          const seen = calls;
          await peer.delete(key, record.version);
          await eventually(() => calls > seen, withinMs, 'onChange after a delete through the peer');
        } finally {
          await unsubscribe();
        }
      });
    }
  }

  async function raceOnce(key: string, instances: TokenStore[], expected: string | undefined): Promise<void> {
    const records = Array.from({ length: concurrency }, (_, i) => newRecord(`writer-${i}`));
    const settled = await Promise.allSettled(records.map((r, i) => instances[i % instances.length]!.compareAndSet(key, expected, r)));
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw new Error(`a racing compareAndSet rejected instead of resolving false: ${describeError(failed.reason)}`);
    const won = settled.map((s) => (s as PromiseFulfilledResult<boolean>).value);
    assert.equal(won.filter(Boolean).length, 1, `exactly one of ${concurrency} racing writers must win; ${won.filter(Boolean).length} did`);
    for (const instance of instances) {
      assert.deepEqual(await instance.get(key), records[won.indexOf(true)], 'the stored record must be the winner\'s');
    }
  }
}
