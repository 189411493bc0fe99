import { describe, expect, it } from 'vitest';
import { StoreUnavailableError, boundedOperation } from '../src/index.js';

describe('boundedOperation', () => {
  it('resolves with the operation result', async () => {
    await expect(boundedOperation('Store GET', { timeoutMs: 1_000 }, () => Promise.resolve(7))).resolves.toBe(7);
  });

  it('turns a failure into StoreUnavailableError with the cause and the described detail', async () => {
    const cause = Object.assign(new Error('boom'), { code: 'E1' });
    const error = (await boundedOperation('Store GET', { timeoutMs: 1_000, describeError: () => ' (E1)' }, () => Promise.reject(cause)).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toBe('Store GET failed (E1)');
    expect(error.cause).toBe(cause);
    const thrown = (await boundedOperation('Store GET', { timeoutMs: 1_000 }, () => {
      throw cause;
    }).catch((e: unknown) => e)) as Error;
    expect(thrown.message).toBe('Store GET failed');
  });

  it('times out a hung operation', async () => {
    const error = (await boundedOperation('Store GET', { timeoutMs: 20 }, () => new Promise(() => undefined)).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toBe('Store GET timed out after 20 ms');
  });

  it('rejects with the signal reason on abort, and swallows a late failure', async () => {
    const controller = new AbortController();
    const reason = new Error('left');
    let fail: (error: Error) => void = () => undefined;
    const pending = boundedOperation('Store GET', { timeoutMs: 5_000, signal: controller.signal }, () => new Promise((_, reject) => (fail = reject)));
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    fail(new Error('late'));
    await expect(boundedOperation('Store GET', { timeoutMs: 5_000, signal: controller.signal }, () => Promise.resolve(1))).rejects.toBe(reason);
  });
});
