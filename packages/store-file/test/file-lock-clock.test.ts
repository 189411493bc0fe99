import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { exitCode, killAll, removeDir, startNode, tempDir } from './helpers.js';

// Real child processes whose wall clock (Date.now(), new Date()) is stepped by a preload, as an
// administrator or a bad time source would step a host's clock. FileLock must judge leases by what
// the waiter observes on its own monotonic clock, never by comparing a file time with Date.now().

const HOUR = 3600_000;
const clock = (step: number): string => (step === 0 ? 'on time' : `${step > 0 ? '+' : '-'}1 h`);
let dir: string;
beforeEach(async () => {
  dir = await tempDir('file-lock-clock-');
});
afterEach(async () => {
  await killAll();
  await removeDir(dir);
});

describe('FileLock across processes with stepped wall clocks', () => {
  for (const [holderStep, waiterStep] of [
    [0, HOUR],
    [-HOUR, 0],
  ] as const) {
    test(`holder ${clock(holderStep)}, waiter ${clock(waiterStep)}: the waiter never takes the lock from a live holder`, async () => {
      const key = 'refresh:k';
      const holder = startNode('hold-lock.mjs', { directory: dir, key, ttlMs: 600 }, { clockStepMs: holderStep });
      await holder.waitFor((m) => m.acquired === true);
      // ttl 600 + staleAfterMs 300: a waiter misreading the file's age would take over at once.
      const waiter = startNode('try-lock.mjs', { directory: dir, key, ttlMs: 5000, waitMs: 3000, staleAfterMs: 300 }, { clockStepMs: waiterStep });
      const result = await waiter.waitFor((m) => m.acquired !== undefined, 15_000);
      expect(result).toMatchObject({ acquired: false, code: 'LOCK_TIMEOUT' });
      expect(holder.messages).not.toContainEqual({ lost: true });
    });
  }

  for (const [holderStep, waiterStep] of [
    [HOUR, 0],
    [0, -HOUR],
  ] as const) {
    test(`holder ${clock(holderStep)}, waiter ${clock(waiterStep)}: a SIGKILLed holder is taken over within ttl + staleAfterMs (no pid check)`, async () => {
      const key = 'refresh:k';
      const holder = startNode('hold-lock.mjs', { directory: dir, key, ttlMs: 600 }, { clockStepMs: holderStep });
      await holder.waitFor((m) => m.acquired === true);
      const waiter = startNode('try-lock.mjs', { directory: dir, key, ttlMs: 5000, waitMs: 10_000, staleAfterMs: 300, checkPid: false }, { clockStepMs: waiterStep });
      // The waiter sees a live holder first, then the heartbeat stops.
      await new Promise((r) => setTimeout(r, 1500));
      expect(waiter.messages).toEqual([]);
      holder.child.kill('SIGKILL');
      await exitCode(holder);
      const result = await waiter.waitFor((m) => m.acquired !== undefined, 15_000);
      expect(result).toMatchObject({ acquired: true });
      // Bounded: the 1.5 s before the kill, then ttl + staleAfterMs (0.9 s) without a heartbeat, plus slack.
      expect(result.waitedMs as number).toBeLessThan(6000);
    });
  }
});
