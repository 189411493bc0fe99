import assert from 'node:assert/strict';
import type { TokenStore } from '@ads-token/core';
import type { TokenStoreHarness } from './types.js';

/** `store` with the keys it writes recorded in `written`, and its `close` recorded in `closed`. */
function recording(store: TokenStore, written: Set<string>, closed: Set<TokenStore>): TokenStore {
  const wrapper: TokenStore = {
    get: (key, options) => store.get(key, options),
    compareAndSet: (key, expected, record, options) => {
      written.add(key);
      return store.compareAndSet(key, expected, record, options);
    },
    delete: (key, expected, options) => store.delete(key, expected, options),
    list: (prefix, options) => store.list(prefix, options),
  };
  if (typeof store.subscribe === 'function') wrapper.subscribe = (key, onChange) => store.subscribe!(key, onChange);
  if (typeof store.close === 'function') {
    wrapper.close = () => {
      closed.add(store);
      return store.close!();
    };
  }
  return wrapper;
}

/**
 * Runs `body` with the harness's store and peer wrapped so every key they write is recorded, then
 * deletes those keys through an instance the test did not close and checks they are gone. After a
 * failed test the keys are still deleted, and the test's own error wins.
 */
export async function withKeyCleanup(h: TokenStoreHarness, body: (tracked: TokenStoreHarness) => Promise<void>): Promise<void> {
  const written = new Set<string>();
  const closed = new Set<TokenStore>();
  const tracked: TokenStoreHarness = { ...h, store: recording(h.store, written, closed) };
  if (h.peer !== undefined) tracked.peer = h.peer === h.store ? tracked.store : recording(h.peer, written, closed);
  try {
    await body(tracked);
  } catch (error) {
    await removeKeys(h, written, closed).catch(() => undefined);
    throw error;
  }
  await removeKeys(h, written, closed);
}

async function removeKeys(h: TokenStoreHarness, written: Set<string>, closed: Set<TokenStore>): Promise<void> {
  const open = [h.store, h.peer].find((s): s is TokenStore => s !== undefined && !closed.has(s));
  if (open === undefined) {
    // Every instance was closed: the test must have deleted its keys before closing.
    return;
  }
  for (const key of written) {
    await open.delete(key);
    assert.equal(await open.get(key), undefined, `cleanup: ${key} is still stored after delete`);
  }
}
