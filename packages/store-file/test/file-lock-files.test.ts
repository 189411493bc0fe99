import { readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { LockTimeoutError } from '@ads-token/core';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FileLock, FileTokenStore } from '../src/index.js';
import { exitCode, killAll, removeDir, startNode, tempDir } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir('file-lock-files-');
});
afterEach(async () => {
  await killAll();
  await removeDir(dir);
});

/** A zero-byte temp file left next to `lockPath` by a real process that was SIGKILLed. */
async function leftoverOfKilledProcess(lockPath: string): Promise<string> {
  const child = startNode('leave-temp-file.mjs', { lockPath });
  const { created } = await child.waitFor((m) => typeof m.created === 'string');
  child.child.kill('SIGKILL');
  await exitCode(child);
  expect((await stat(created as string)).size).toBe(0);
  return basename(created as string);
}

describe('FileLock directory per token file', () => {
  test('tokenFile puts the lock files next to the token file: apps with other token files never wait on each other', async () => {
    const appA = join(dir, 'app-a', 'tokens.json');
    const appB = join(dir, 'app-b', 'tokens.json');
    const a1 = new FileLock({ tokenFile: appA });
    const a2 = new FileLock({ tokenFile: appA });
    const b = new FileLock({ tokenFile: appB });
    expect(a1.directory).toBe(`${appA}.locks`);
    expect(b.directory).toBe(`${appB}.locks`);
    const key = 'refresh:ads-token:v1:{client:default}';
    const held = await a1.acquire(key, { ttlMs: 5000, waitMs: 0 });
    try {
      // Same client id and grant, other token file: not the same lock.
      const other = await b.acquire(key, { ttlMs: 5000, waitMs: 0 });
      await other.release();
      // Same token file: the same lock.
      await expect(a2.acquire(key, { ttlMs: 5000, waitMs: 100 })).rejects.toBeInstanceOf(LockTimeoutError);
    } finally {
      await held.release();
    }
    expect((await stat(a1.directory)).mode & 0o777).toBe(0o700);
    await expect(async () => new FileLock({ tokenFile: '' })).rejects.toMatchObject({ code: 'CONFIGURATION' });
  });

  test('the directory wins over tokenFile', () => {
    const lock = new FileLock({ tokenFile: join(dir, 'tokens.json'), directory: join(dir, 'locks') });
    expect(lock.directory).toBe(join(dir, 'locks'));
  });
});

describe('leftover temp files of killed processes', () => {
  test('FileLock sweeps them from its directory: at once when their process is gone, else after a minute', async () => {
    const locks = join(dir, 'locks');
    const lock = new FileLock({ directory: locks });
    const setup = await lock.acquire('setup', { ttlMs: 5000, waitMs: 0 });
    await setup.release();
    const killed = await leftoverOfKilledProcess(lock.pathFor('refresh:k'));
    // Names written by earlier versions carry no pid: they go once a minute old.
    const oldLegacy = `${basename(lock.pathFor('refresh:k'))}.0123456789abcdef.tmp`;
    const freshLegacy = `${basename(lock.pathFor('refresh:j'))}.fedcba9876543210.tmp`;
    const alive = `${basename(lock.pathFor('refresh:i'))}.${process.pid}-00112233445566aa.tmp`;
    for (const name of [oldLegacy, freshLegacy, alive]) await writeFile(join(locks, name), '', { mode: 0o600 });
    const old = new Date(Date.now() - 120_000);
    await utimes(join(locks, oldLegacy), old, old);

    const next = new FileLock({ directory: locks });
    const lease = await next.acquire('refresh:k', { ttlMs: 5000, waitMs: 0 });
    await lease.release();
    const left = await readdir(locks);
    expect(left).not.toContain(killed);
    expect(left).not.toContain(oldLegacy);
    expect(left.sort()).toEqual([alive, freshLegacy].sort());
  });

  test("FileTokenStore sweeps those of its own write lock before its first write", async () => {
    const path = join(dir, 'tokens.json');
    const store = new FileTokenStore({ path });
    const killed = await leftoverOfKilledProcess(`${path}.lock`);
    const otherFile = await leftoverOfKilledProcess(join(dir, 'other.json.lock'));
    expect(await store.compareAndSet('k', undefined, { version: 'v1', data: 'd' })).toBe(true);
    const left = await readdir(dir);
    expect(left).not.toContain(killed);
    // Another token file's leftovers are that store's business.
    expect(left).toContain(otherFile);
    await store.close();
  });
});
