import { chmod, lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { CorruptRecordError, ConfigurationError, StoreUnavailableError } from '@ads-token/core';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CorruptTokenFileError, FileTokenStore, UnsafeTokenFileError, type FileTokenStoreWarning } from '../src/index.js';
import { eventually, exitCode, killAll, removeDir, startNode, tempDir } from './helpers.js';

let dir: string;
let path: string;
const stores: FileTokenStore[] = [];
function open(options: ConstructorParameters<typeof FileTokenStore>[0] = {}): FileTokenStore {
  const s = new FileTokenStore({ path, ...options });
  stores.push(s);
  return s;
}
beforeEach(async () => {
  dir = await tempDir('file-store-');
  path = join(dir, 'tokens.json');
});
afterEach(async () => {
  await killAll();
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await removeDir(dir);
});

async function keys(store: FileTokenStore, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const k of store.list(prefix)) out.push(k);
  return out;
}

describe('FileTokenStore', () => {
  test('a missing file is an empty store; compare-and-set writes, conflicts, and another instance sees it', async () => {
    const store = open();
    expect(await store.get('a')).toBeUndefined();
    expect(await keys(store)).toEqual([]);
    expect(await store.compareAndSet('a', undefined, { version: 'v1', data: 'sealed-1' })).toBe(true);
    expect(await store.compareAndSet('a', undefined, { version: 'v2', data: 'sealed-2' })).toBe(false);
    expect(await store.compareAndSet('a', 'wrong', { version: 'v2', data: 'sealed-2' })).toBe(false);
    expect(await store.compareAndSet('a', 'v1', { version: 'v2', data: 'sealed-2' })).toBe(true);
    const peer = open();
    expect(await peer.get('a')).toEqual({ version: 'v2', data: 'sealed-2' });
    await peer.compareAndSet('ads-token:v1:{c:g1}', undefined, { version: 'x', data: 'd' });
    await peer.compareAndSet('ads-token:v1:{c:g2}', undefined, { version: 'y', data: 'd' });
    expect(await keys(store, 'ads-token:v1:{c:')).toEqual(['ads-token:v1:{c:g1}', 'ads-token:v1:{c:g2}']);
  });

  test('delete honours the expected version; deleting the last key removes the file', async () => {
    const store = open();
    await store.compareAndSet('a', undefined, { version: 'v1', data: 'd' });
    await store.compareAndSet('b', undefined, { version: 'w1', data: 'd' });
    expect(await store.delete('a', 'other')).toBe(false);
    expect(await store.delete('a', 'v1')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    expect(await stat(path)).toBeTruthy();
    expect(await store.delete('b')).toBe(true);
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });

  test('the file is mode 0600 whatever the umask, and is replaced atomically (new inode each write)', async () => {
    const previous = process.umask(0);
    try {
      const store = open();
      await store.compareAndSet('a', undefined, { version: 'v1', data: 'd' });
      const first = await stat(path);
      expect(first.mode & 0o777).toBe(0o600);
      process.umask(0o277);
      await store.compareAndSet('a', 'v1', { version: 'v2', data: 'd' });
      const second = await stat(path);
      expect(second.mode & 0o777).toBe(0o600);
      expect(second.ino).not.toBe(first.ino);
    } finally {
      process.umask(previous);
    }
    expect(await readdir(dir)).toEqual(['tokens.json']);
  });

  test('a symlink at the path is refused with a typed error, and nothing is written through it', async () => {
    const target = join(dir, 'elsewhere.json');
    await writeFile(target, '{}', { mode: 0o600 });
    await symlink(target, path);
    const store = open();
    await expect(store.get('a')).rejects.toBeInstanceOf(UnsafeTokenFileError);
    await expect(store.compareAndSet('a', undefined, { version: 'v', data: 'd' })).rejects.toMatchObject({ reason: 'symlink', code: 'CONFIGURATION' });
    expect((await lstat(path)).isSymbolicLink()).toBe(true);
    expect(await readFile(target, 'utf8')).toBe('{}');
    await symlink(join(dir, 'missing.json'), join(dir, 'dangling.json'));
    await expect(open({ path: join(dir, 'dangling.json') }).compareAndSet('a', undefined, { version: 'v', data: 'd' })).rejects.toBeInstanceOf(UnsafeTokenFileError);
  });

  test('a file readable by group or others is an error by default, or a warning on request', async () => {
    await open().compareAndSet('a', undefined, { version: 'v1', data: 'd' });
    await chmod(path, 0o644);
    const err = await open().get('a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeTokenFileError);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as UnsafeTokenFileError).message).toContain(path);
    expect((err as UnsafeTokenFileError).message).toContain('0644');
    const warnings: FileTokenStoreWarning[] = [];
    const lenient = open({ permissions: 'warn', onWarning: (w) => warnings.push(w) });
    expect(await lenient.get('a')).toEqual({ version: 'v1', data: 'd' });
    expect(await lenient.get('a')).toEqual({ version: 'v1', data: 'd' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'INSECURE_PERMISSIONS', path, mode: 0o644 });
    await lenient.compareAndSet('a', 'v1', { version: 'v2', data: 'd' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  const foreign: Array<[string, string, string]> = [
    ['truncated JSON', '{"format":"ads-token-file","formatVersion":1,"records":{"a":{"vers', 'not-json'],
    ['an empty file', '', 'empty'],
    ['a Fernet-encrypted file', 'gAAAAABmZ3x0aGlzIGlzIG5vdCByZWFsbHkgZmVybmV0IGRhdGE=', 'encrypted-foreign'],
    ['a plain token JSON', '{"access_token":"Atza|abc","refresh_token":"Atzr|def","expires_at":1}', 'python-plain'],
    ['some other JSON', '{"hello":"world"}', 'foreign-json'],
    ['a bad record', '{"format":"ads-token-file","formatVersion":1,"records":{"a":{"version":1}}}', 'bad-record'],
  ];
  test.each(foreign)('%s raises CorruptTokenFileError naming the path, and is never overwritten', async (_name, content, problem) => {
    await writeFile(path, content, { mode: 0o600 });
    const store = open();
    for (const attempt of [
      () => store.get('a'),
      () => store.compareAndSet('a', undefined, { version: 'v', data: 'd' }),
      () => store.delete('a'),
      () => keys(store),
    ]) {
      const err = await attempt().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CorruptTokenFileError);
      expect(err).toBeInstanceOf(CorruptRecordError);
      expect(err).toMatchObject({ code: 'CORRUPT_RECORD', path, problem });
      expect((err as Error).message).toContain(path);
      expect((err as Error).message).toMatch(/Move it aside/);
      expect((err as Error).message).not.toContain('Atz');
    }
    expect(await readFile(path, 'utf8')).toBe(content);
  });

  test('I/O failures are StoreUnavailableError with the cause; a directory at the path is refused', async () => {
    await mkdir(path);
    expect(await open().get('a').catch((e: unknown) => e)).toMatchObject({ reason: 'not-a-file' });
    const file = join(dir, 'plain-file');
    await writeFile(file, 'x');
    const store = open({ path: join(file, 'tokens.json') });
    for (const attempt of [() => store.get('a'), () => store.compareAndSet('a', undefined, { version: 'v', data: 'd' })]) {
      const e = await attempt().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(StoreUnavailableError);
      expect((e as StoreUnavailableError).message).toContain(file);
      expect((e as { cause?: { code?: unknown } }).cause?.code).toMatch(/^E(NOTDIR|EXIST)$/);
    }
  });

  test('concurrent writers in one process: exactly one compare-and-set wins', async () => {
    const a = open();
    const b = open();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).compareAndSet('k', undefined, { version: `v${i}`, data: 'd' })));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  test('subscribe reports a change made by another instance and one made locally; unsubscribe stops it', async () => {
    const store = open({ watchIntervalMs: 50 });
    const other = open();
    let calls = 0;
    const unsubscribe = await store.subscribe('k', () => calls++);
    await other.compareAndSet('k', undefined, { version: 'v1', data: 'd' });
    await eventually(() => calls >= 1, 5000, 'peer change seen');
    await store.compareAndSet('k', 'v1', { version: 'v2', data: 'd' });
    await eventually(() => calls >= 2, 5000, 'local change seen');
    await other.delete('k');
    await eventually(() => calls >= 3, 5000, 'peer delete seen');
    await unsubscribe();
    const before = calls;
    await other.compareAndSet('k', undefined, { version: 'v3', data: 'd' });
    await new Promise((r) => setTimeout(r, 300));
    expect(calls).toBe(before);
  });

  test('toJSON and util.inspect show only the path', async () => {
    const store = open();
    await store.compareAndSet('a', undefined, { version: 'v1', data: 'SECRET-DATA' });
    expect(JSON.stringify(store)).not.toContain('SECRET');
    expect(inspect(store)).toContain(path);
    expect(inspect(store)).not.toContain('SECRET');
  });
});

describe('FileTokenStore across processes', () => {
  test('child processes incrementing one record with compare-and-set lose no update', async () => {
    const children = Array.from({ length: 4 }, (_, id) => startNode('store-counter.mjs', { path, key: 'counter', iterations: 15, id }));
    await Promise.all(children.map((c) => c.waitFor((m) => m.done === true, 60_000)));
    for (const c of children) expect(await exitCode(c)).toBe(0);
    expect((await open().get('counter'))?.data).toBe('60');
  });

  test('kill -9 at random points of a write loop never leaves a torn or unreadable file', async () => {
    for (let i = 0; i < 30; i++) {
      const writer = startNode('write-loop.mjs', { path, keys: 3 });
      await writer.waitFor((m) => m.writing === true, 15_000);
      await new Promise((r) => setTimeout(r, Math.random() * 150));
      writer.child.kill('SIGKILL');
      await exitCode(writer);
      const store = open();
      const found = await keys(store);
      for (const key of found) {
        const record = (await store.get(key))!;
        expect(record.version).toMatch(/^v\d+$/);
        const [length, body] = record.data.split(':') as [string, string];
        expect(body.length).toBe(Number(length));
      }
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text !== undefined) expect(() => JSON.parse(text) as unknown).not.toThrow();
      if (text !== undefined) expect((await stat(path)).mode & 0o777).toBe(0o600);
    }
  }, 120_000);
});
