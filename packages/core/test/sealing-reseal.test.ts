import { describe, expect, it } from 'vitest';
import {
  DecryptionError,
  MemoryTokenStore,
  STORE_KEY_PREFIX,
  createRecordSealer,
  generateEncryptionKey,
  resealRecords,
  storeKey,
  storeKeyPrefix,
} from '../src/index.js';
import type { RecordSealer, TokenStore } from '../src/index.js';

const CLIENT = 'amzn1.application-oa2-client.reseal';
const OLD = { raw: generateEncryptionKey() };
const NEW = { raw: generateEncryptionKey() };
const STRANGER = { raw: generateEncryptionKey() };
const sealerOf = (...keys: { raw: string }[]): RecordSealer => createRecordSealer({ encryptionKey: keys, clientSecret: 'secret' });
const keyIdOf = (data: string): string => data.split('.')[2]!;

async function put(store: TokenStore, sealer: RecordSealer, key: string, text: string, version = `v-${text}`): Promise<void> {
  expect(await store.compareAndSet(key, (await store.get(key))?.version, { version, data: await sealer.seal(key, text) })).toBe(true);
}

/** A store with three grants sealed with OLD, one sealed with an unknown key, and one record outside the prefix. */
async function fixture(): Promise<{ store: MemoryTokenStore; grants: string[]; stranger: string; outside: string }> {
  const store = new MemoryTokenStore();
  const grants = ['a', 'b', 'c'].map((g) => storeKey(CLIENT, g));
  for (const key of grants) await put(store, sealerOf(OLD), key, `record of ${key}`);
  const stranger = storeKey(CLIENT, 'stranger');
  await put(store, sealerOf(STRANGER), stranger, 'foreign');
  const outside = storeKey('another-client', 'a');
  await put(store, sealerOf(OLD), outside, 'outside');
  return { store, grants, stranger, outside };
}

describe('resealRecords', () => {
  it('re-seals every record under the prefix with the first key, under new versions', async () => {
    const { store, grants, stranger, outside } = await fixture();
    const strangerBefore = await store.get(stranger);
    const outsideBefore = await store.get(outside);
    const report = await resealRecords(store, sealerOf(NEW, OLD), { prefix: storeKeyPrefix(CLIENT) });
    expect(report.resealed).toBe(3);
    expect(report.skipped).toBe(0);
    expect(report.failed.map((f) => f.key)).toEqual([stranger]);
    expect(report.failed[0]!.error).toBeInstanceOf(DecryptionError);
    expect(report.failed[0]!.error.keyId).toBe(keyIdOf(strangerBefore!.data));
    const onlyNew = sealerOf(NEW);
    for (const key of grants) {
      const record = (await store.get(key))!;
      expect(record.version).not.toBe(`v-record of ${key}`);
      expect(await onlyNew.open(key, record.data)).toBe(`record of ${key}`);
    }
    expect(await store.get(stranger)).toEqual(strangerBefore);
    expect(await store.get(outside)).toEqual(outsideBefore);
  });

  it('defaults to every record core writes, and opens with oldSealer when given', async () => {
    const { store, grants, outside } = await fixture();
    const report = await resealRecords(store, sealerOf(NEW), { oldSealer: sealerOf(OLD) });
    expect(STORE_KEY_PREFIX).toBe('ads-token:v1:');
    expect(report.resealed).toBe(4);
    expect(report.failed).toHaveLength(1);
    for (const key of [...grants, outside]) expect(await sealerOf(NEW).open(key, (await store.get(key))!.data)).toMatch(/record of|outside/);
    // Running it again re-seals with the same key and still loses nothing.
    const again = await resealRecords(store, sealerOf(NEW));
    expect(again).toMatchObject({ resealed: 4, skipped: 0 });
  });

  it('never overwrites a record another writer changed or deleted meanwhile', async () => {
    const { store, grants } = await fixture();
    const writer = sealerOf(NEW, OLD);
    const [changed, deleted] = [grants[0]!, grants[1]!];
    // Another process writes (and deletes) while resealing is between reading and writing those records.
    const interleaving: RecordSealer = {
      seal: (key, text) => writer.seal(key, text),
      open: async (key, data) => {
        const text = await writer.open(key, data);
        const current = (await store.get(key))!;
        if (key === changed) await put(store, writer, key, 'newer record', 'v-newer');
        if (key === deleted) expect(await store.delete(key, current.version)).toBe(true);
        return text;
      },
    };
    const report = await resealRecords(store, writer, { prefix: storeKeyPrefix(CLIENT), oldSealer: interleaving });
    expect(report).toMatchObject({ resealed: 1, skipped: 2 });
    const newer = (await store.get(changed))!;
    expect(newer.version).toBe('v-newer');
    expect(await writer.open(changed, newer.data)).toBe('newer record');
    expect(await store.get(deleted)).toBeUndefined();
    expect(await sealerOf(NEW).open(grants[2]!, (await store.get(grants[2]!))!.data)).toBe(`record of ${grants[2]!}`);
  });

  it('stops when its signal aborts, having changed nothing after that point', async () => {
    const { store, grants } = await fixture();
    const before = await Promise.all(grants.map((k) => store.get(k)));
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(resealRecords(store, sealerOf(NEW, OLD), { signal: controller.signal })).rejects.toThrow('stop');
    expect(await Promise.all(grants.map((k) => store.get(k)))).toEqual(before);
  });
});
