import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

export { delay };

/** A prefix no other test (or run) uses, with the characters core puts into keys. */
export function uniquePrefix(kind: string): string {
  return `ads-token-conformance:${kind}:${randomUUID()}:`;
}

/** Rejects with a clear message when `promise` has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `check()` is true, polling every few ms; rejects after `ms`. */
export async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: did not happen within ${ms} ms`);
    await delay(5);
  }
}

/** The error the promise `call()` returns rejects with; throws when it resolves, or when `call` throws instead of returning a rejected promise. */
export async function rejection(call: () => Promise<unknown>, what: string): Promise<unknown> {
  let promise: Promise<unknown>;
  try {
    promise = call();
  } catch (error) {
    throw new Error(`${what}: threw synchronously (${describeError(error)}) instead of returning a rejected promise`, { cause: error });
  }
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error(`${what}: expected a rejection, but it resolved`);
}

/** True when `error` is the signal's reason or wraps it as `cause`. */
export function isAbortReason(error: unknown, reason: unknown): boolean {
  return error === reason || (typeof error === 'object' && error !== null && (error as { cause?: unknown }).cause === reason);
}

/** Short description of an error for assertion messages. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Runs `body` with a fresh harness and always cleans it up (a test's own failure wins over its cleanup's). */
export async function withHarness<H extends { cleanup?(): Promise<void> }>(
  factory: () => Promise<H> | H,
  body: (harness: H) => Promise<void>,
): Promise<void> {
  const harness = await factory();
  try {
    await body(harness);
  } catch (error) {
    await harness.cleanup?.().catch(() => undefined);
    throw error;
  }
  await harness.cleanup?.();
}
