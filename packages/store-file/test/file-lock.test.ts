import { readdir, readFile, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { LockTimeoutError, StoreUnavailableError } from '@ads-token/core';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FileLock } from '../src/index.js';
import { deadPid, eventually, exitCode, fixture, killAll, removeDir, startNode, tempDir } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir('file-lock-');
});
afterEach(async () => {
  await killAll();
  await removeDir(dir);
});

/** Writes a lock file no one renews, its times `ageMs` in the past (negative: in the future). */
async function writeStaleLock(lock: FileLock, key: string, owner: { pid: number; host?: string }, ageMs: number, ttlMs = 1000): Promise<void> {
  const path = lock.pathFor(key);
  const content = { owner: { host: owner.host ?? hostname(), pid: owner.pid, threadId: 0, id: 'stale' }, ttlMs, acquiredAt: new Date().toISOString() };
  await writeFile(path, JSON.stringify(content), { mode: 0o600 });
  const t = new Date(Date.now() - ageMs);
  await utimes(path, t, t);
}

describe('FileLock in one process', () => {
  test('a held key times out a second acquire with LockTimeoutError; release lets it in', async () => {
    const a = new FileLock({ directory: dir });
    const b = new FileLock({ directory: dir });
    const lease = await a.acquire('refresh:k', { ttlMs: 5000, waitMs: 1000 });
    await expect(b.acquire('refresh:k', { ttlMs: 5000, waitMs: 100 })).rejects.toBeInstanceOf(LockTimeoutError);
    const other = await b.acquire('refresh:other', { ttlMs: 5000, waitMs: 100 });
    await other.release();
    const waiting = b.acquire('refresh:k', { ttlMs: 5000, waitMs: 10_000 });
    await lease.release();
    const second = await waiting;
    expect(second.signal.aborted).toBe(false);
    await second.release();
    expect(await readdir(dir)).toEqual([]);
  });

  test('the lock file names its owner and is 0600; keys become safe distinct file names', async () => {
    const lock = new FileLock({ directory: dir });
    const lease = await lock.acquire('../../etc/passwd:{a}', { ttlMs: 5000, waitMs: 0 });
    const path = lock.pathFor('../../etc/passwd:{a}');
    expect(path.startsWith(dir)).toBe(true);
    expect(lock.pathFor('a:b')).not.toBe(lock.pathFor('a_b'));
    const content = JSON.parse(await readFile(path, 'utf8')) as { owner: { pid: number; host: string; threadId: number; id: string } };
    expect(content.owner).toMatchObject({ pid: process.pid, host: hostname(), threadId: 0 });
    expect(content.owner.id).toMatch(/^[0-9a-f]{24}$/);
    await lease.release();
  });

  test("a caller's signal aborts the wait with its reason", async () => {
    const lock = new FileLock({ directory: dir });
    const lease = await lock.acquire('k', { ttlMs: 5000, waitMs: 0 });
    const controller = new AbortController();
    const waiting = lock.acquire('k', { ttlMs: 5000, waitMs: 30_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    await expect(waiting).rejects.toThrow('caller gave up');
    await lease.release();
  });

  test('a lease whose file was taken over aborts its signal, and its release leaves the new holder alone', async () => {
    const lock = new FileLock({ directory: dir });
    const first = await lock.acquire('k', { ttlMs: 300, waitMs: 0 });
    await unlink(lock.pathFor('k'));
    const second = await lock.acquire('k', { ttlMs: 5000, waitMs: 0 });
    await eventually(() => first.signal.aborted, 5000, 'lost lease signalled');
    expect(first.signal.reason).toBeInstanceOf(StoreUnavailableError);
    await first.release();
    await expect(lock.acquire('k', { ttlMs: 5000, waitMs: 50 })).rejects.toBeInstanceOf(LockTimeoutError);
    await second.release();
  });

  test('a held lease is renewed past its ttl and is not taken over', async () => {
    const a = new FileLock({ directory: dir, staleAfterMs: 500 });
    const lease = await a.acquire('k', { ttlMs: 300, waitMs: 0 });
    await new Promise((r) => setTimeout(r, 2000));
    await expect(a.acquire('k', { ttlMs: 300, waitMs: 300 })).rejects.toBeInstanceOf(LockTimeoutError);
    expect(lease.signal.aborted).toBe(false);
    await lease.release();
  });

  test('a lock left by a dead process on this host is taken over at once; one whose heartbeat stopped after ttl + staleAfterMs seen here', async () => {
    const lock = new FileLock({ directory: dir, staleAfterMs: 200 });
    await writeStaleLock(lock, 'dead', { pid: await deadPid() }, 0);
    let started = performance.now();
    const lease = await lock.acquire('dead', { ttlMs: 5000, waitMs: 2000 });
    expect(performance.now() - started).toBeLessThan(1000);
    await lease.release();
    // The file's times say nothing by themselves: an hour old, an hour ahead or current, the lock
    // is taken over only once this process has seen them unchanged for ttl + staleAfterMs.
    for (const ageMs of [3600_000, -3600_000, 0]) {
      const key = `stopped-${ageMs}`;
      await writeStaleLock(lock, key, { pid: process.pid }, ageMs, 300);
      started = performance.now();
      const taken = await lock.acquire(key, { ttlMs: 5000, waitMs: 5000 });
      const waited = performance.now() - started;
      expect(waited).toBeGreaterThanOrEqual(500);
      expect(waited).toBeLessThan(3000);
      await taken.release();
    }
    await writeStaleLock(lock, 'fresh-other-host', { pid: 1, host: 'some-other-host' }, 0);
    await expect(lock.acquire('fresh-other-host', { ttlMs: 5000, waitMs: 200 })).rejects.toBeInstanceOf(LockTimeoutError);
  });

  test('many contenders in one process for a stale lock: exactly one wins each round', async () => {
    const pid = await deadPid();
    const locks = Array.from({ length: 6 }, () => new FileLock({ directory: dir, staleAfterMs: 100 }));
    const rounds = 24;
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) await writeStaleLock(locks[0]!, `race-${round}`, { pid }, 0);
      else await writeStaleLock(locks[0]!, `race-${round}`, { pid: process.pid }, 0, 100);
    }
    // Dead holders are taken over at once (waitMs 0); stopped heartbeats after 200 ms of watching,
    // by contenders that all started watching together. The winner keeps its lease, so the rest time out.
    await Promise.all(
      Array.from({ length: rounds }, async (_, round) => {
        const key = `race-${round}`;
        const waitMs = round % 2 === 0 ? 0 : 1500;
        const results = await Promise.allSettled(locks.map((l) => l.acquire(key, { ttlMs: 60_000, waitMs })));
        const winners = results.filter((r) => r.status === 'fulfilled');
        expect(winners).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(LockTimeoutError);
        for (const w of winners) await w.value.release();
      }),
    );
  });
});

describe('FileLock across processes and threads', () => {
  test('a holder SIGKILLed is taken over: at once by pid, after the lease without the pid check', async () => {
    for (const checkPid of [true, false]) {
      const key = `killed-${checkPid}`;
      const holder = startNode('hold-lock.mjs', { directory: dir, key, ttlMs: 3000 });
      await holder.waitFor((m) => m.acquired === true);
      const lock = new FileLock({ directory: dir, checkPid, staleAfterMs: 200 });
      await expect(lock.acquire(key, { ttlMs: 5000, waitMs: 1500 })).rejects.toBeInstanceOf(LockTimeoutError);
      holder.child.kill('SIGKILL');
      await exitCode(holder);
      const lease = await lock.acquire(key, { ttlMs: 5000, waitMs: 15_000 });
      expect(lease.signal.aborted).toBe(false);
      await lease.release();
    }
  });

  test('child processes incrementing a counter under the lock lose no update', async () => {
    const counter = `${dir}/counter.txt`;
    await writeFile(counter, '0');
    const children = Array.from({ length: 4 }, () => startNode('lock-counter.mjs', { directory: dir, counter, iterations: 20 }));
    const results = await Promise.all(children.map((c) => c.waitFor((m) => m.done === true, 60_000)));
    for (const c of children) expect(await exitCode(c)).toBe(0);
    expect(results.map((r) => r.overlaps)).toEqual([0, 0, 0, 0]);
    expect(await readFile(counter, 'utf8')).toBe('80');
  });

  test('worker threads incrementing a counter under the lock lose no update', async () => {
    const counter = `${dir}/counter.txt`;
    await writeFile(counter, '0');
    const workers = Array.from({ length: 4 }, () => new Worker(fixture('lock-counter.mjs'), { workerData: { directory: dir, counter, iterations: 25 } }));
    try {
      const results = await Promise.all(
        workers.map((w) => new Promise<{ overlaps: number }>((resolve, reject) => {
          w.once('message', resolve);
          w.once('error', reject);
        })),
      );
      expect(results.map((r) => r.overlaps)).toEqual([0, 0, 0, 0]);
      expect(await readFile(counter, 'utf8')).toBe('100');
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  });

  test('worker threads racing for stale locks: exactly one wins every round', async () => {
    const rounds = 60;
    const workerCount = 4;
    const probe = new FileLock({ directory: dir });
    const pid = await deadPid();
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) await writeStaleLock(probe, `race-${r}`, { pid }, 0);
      else await writeStaleLock(probe, `race-${r}`, { pid: process.pid }, 0, 100);
    }
    const shared = new SharedArrayBuffer(4 * rounds);
    const workers = Array.from({ length: workerCount }, () => new Worker(fixture('race-stale.mjs'), { workerData: { directory: dir, rounds, workers: workerCount, shared } }));
    try {
      const results = await Promise.all(
        workers.map((w) => new Promise<{ wins: number[] }>((resolve, reject) => {
          w.once('message', resolve);
          w.once('error', reject);
        })),
      );
      const winsPerRound = new Array<number>(rounds).fill(0);
      for (const r of results) for (const round of r.wins) winsPerRound[round]!++;
      expect(winsPerRound).toEqual(new Array<number>(rounds).fill(1));
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  });
});

describe('FileLock.close', () => {
  test('releases the leases the instance still holds', async () => {
    const lock = new FileLock({ directory: dir });
    await lock.acquire('a', { ttlMs: 5000, waitMs: 0 });
    await lock.acquire('b', { ttlMs: 5000, waitMs: 0 });
    await lock.close();
    expect(await readdir(dir)).toEqual([]);
    const other = new FileLock({ directory: dir });
    await (await other.acquire('a', { ttlMs: 5000, waitMs: 0 })).release();
  });
});
