import { describe, expect, it } from 'vitest';
import { MemoryTokenStore } from '@ads-token/core';
import { FakeClock } from '../src/fake-clock.js';

describe('FakeClock', () => {
  it('starts at 2026-01-01 by default, or at the given time, and stands still', async () => {
    expect(new FakeClock().now()).toBe(Date.UTC(2026, 0, 1));
    const clock = new FakeClock(1_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(clock.now()).toBe(1_000);
  });

  it('resolves a sleep only when fake time reaches its end', async () => {
    const clock = new FakeClock(0);
    let done = false;
    const sleeping = clock.sleep(1_000).then(() => {
      done = true;
    });
    expect(clock.pendingSleeps).toBe(1);
    await clock.advance(999);
    expect(done).toBe(false);
    expect(clock.now()).toBe(999);
    await clock.advance(1);
    expect(done).toBe(true);
    expect(clock.pendingSleeps).toBe(0);
    await sleeping;
  });

  it('resolves a sleep of 0 or less at once', async () => {
    const clock = new FakeClock(0);
    await clock.sleep(0);
    await clock.sleep(-5);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('wakes sleepers in time order, each seeing its own due time', async () => {
    const clock = new FakeClock(0);
    const seen: [string, number][] = [];
    const sleep = (name: string, ms: number): Promise<void> => clock.sleep(ms).then(() => void seen.push([name, clock.now()]));
    const all = Promise.all([sleep('c', 300), sleep('a', 100), sleep('b', 200), sleep('a2', 100)]);
    await clock.advance(1_000);
    await all;
    expect(seen).toEqual([['a', 100], ['a2', 100], ['b', 200], ['c', 300]]);
    expect(clock.now()).toBe(1_000);
  });

  it('lets promise chains after a sleep run, and fires sleeps they start within the window', async () => {
    const clock = new FakeClock(0);
    const store = new MemoryTokenStore();
    const times: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 5; i++) {
        await clock.sleep(100);
        // An I/O-free chain between sleeps: several awaits deep.
        await store.compareAndSet(`k${i}`, undefined, { version: String(i), data: 'x' });
        await store.get(`k${i}`);
        times.push(clock.now());
      }
    })();
    await clock.advance(350);
    expect(times).toEqual([100, 200, 300]);
    expect(clock.pendingSleeps).toBe(1);
    await clock.advance(1_000);
    await loop;
    expect(times).toEqual([100, 200, 300, 400, 500]);
    expect(clock.now()).toBe(1_350);
  });

  it('rejects a sleep with the signal reason when aborted, before or during the sleep', async () => {
    const clock = new FakeClock(0);
    const reason = new Error('stop');
    await expect(clock.sleep(100, AbortSignal.abort(reason))).rejects.toBe(reason);
    const controller = new AbortController();
    const sleeping = clock.sleep(100, controller.signal);
    expect(clock.pendingSleeps).toBe(1);
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(clock.pendingSleeps).toBe(0);
    await clock.advance(200);
  });

  it('does not reject a sleep whose signal aborts after it resolved', async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(10, controller.signal);
    await clock.advance(10);
    controller.abort(new Error('late'));
    await expect(sleeping).resolves.toBeUndefined();
  });

  it('set jumps forward with the same semantics and refuses to go back', async () => {
    const clock = new FakeClock(0);
    let woke = -1;
    const sleeping = clock.sleep(5_000).then(() => {
      woke = clock.now();
    });
    await clock.set(60_000);
    await sleeping;
    expect(woke).toBe(5_000);
    expect(clock.now()).toBe(60_000);
    await expect(clock.set(1_000)).rejects.toThrow(RangeError);
    expect(clock.now()).toBe(60_000);
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
    await expect(clock.advance(Number.NaN)).rejects.toThrow(RangeError);
  });

  it('queues concurrent moves one after another', async () => {
    const clock = new FakeClock(0);
    await Promise.all([clock.advance(100), clock.advance(100), clock.set(250)]);
    expect(clock.now()).toBe(250);
    const [, late] = await Promise.allSettled([clock.advance(100), clock.set(300)]);
    expect(late.status).toBe('rejected');
    expect(clock.now()).toBe(350);
    await clock.advance(1);
    expect(clock.now()).toBe(351);
  });

  it('runAll fires every sleeper, also ones started by others, and stops a sleep loop that never ends', async () => {
    const clock = new FakeClock(0);
    const order: number[] = [];
    const chain = clock.sleep(1_000).then(async () => {
      order.push(clock.now());
      await clock.sleep(500);
      order.push(clock.now());
    });
    await clock.runAll();
    await chain;
    expect(order).toEqual([1_000, 1_500]);
    expect(clock.pendingSleeps).toBe(0);

    const looping = new FakeClock(0, { runAllLimit: 50 });
    const stop = new AbortController();
    const forever = (async () => {
      for (;;) await looping.sleep(10, stop.signal);
    })();
    await expect(looping.runAll()).rejects.toThrow(/runAll fired 50 sleepers/);
    stop.abort(new Error('done'));
    await expect(forever).rejects.toThrow('done');
  });

  it('rejects a start time that is not a number', () => {
    expect(() => new FakeClock(Number.NaN)).toThrow(RangeError);
  });
});
