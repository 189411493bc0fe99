import { createServer, type AddressInfo } from 'node:net';
import { TokenRefreshError } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { LosableLock } from '../support/faulty-parts.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** A loopback port nothing listens on. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves with how the promise settled within `ms`, or 'pending'. */
async function within<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | { error: unknown } | 'pending'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), ms)));
  try {
    return await Promise.race([promise.then((value) => ({ value }), (error: unknown) => ({ error })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a slow or lost answer', () => {
  it('a token request waits past the HTTP client timeout up to the refresh deadline (no re-send with a spent token)', async () => {
    h = await startHarness({ rotateRefreshTokens: true });
    // The client's own timeout is far shorter than LWA's answer.
    const manager = h.manager({ http: new FetchHttpClient({ timeoutMs: 100 }), retry: { timeoutMs: 5000, baseDelayMs: 5, maxDelayMs: 50 } });
    const first = h.lwa.issueRefreshToken();
    await manager.setRefreshToken(first);
    h.lwa.fail({ kind: 'slow', delayMs: 400 });
    const token = await manager.getAccessToken();
    expect(h.lwa.isValidAccessToken(token)).toBe(true);
    expect(h.lwa.counts.refresh_token).toBe(1);
    expect(h.events.some((e) => e.type === 'revoked')).toBe(false);
  });

  it('an answer lost after LWA processed the request is not followed by a re-send in the same refresh', async () => {
    h = await startHarness();
    const manager = h.manager();
    await manager.setRefreshToken(h.lwa.issueRefreshToken());
    h.lwa.fail({ kind: 'drop-after-processing' });
    await expect(manager.getAccessToken()).rejects.toBeInstanceOf(TokenRefreshError);
    expect(h.lwa.counts.refresh_token).toBe(1);
    // The next refresh tries again.
    expect(h.lwa.isValidAccessToken(await manager.getAccessToken())).toBe(true);
  });

  it('a request that never connected is retried', async () => {
    h = await startHarness();
    // Nothing listens on a port just freed: connection refused, so nothing was sent.
    const manager = h.manager({ endpoints: { tokenUrl: `http://127.0.0.1:${await freePort()}/auth/o2/token` }, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
    await manager.setRefreshToken(h.lwa.issueRefreshToken());
    await expect(manager.getAccessToken()).rejects.toBeInstanceOf(TokenRefreshError);
    expect(h.events.filter((e) => e.type === 'retry')).toHaveLength(2);
  });
});

describe('a hung LWA never blocks the fleet', () => {
  it('at the refresh deadline the request is aborted and the lease released, so another process refreshes', async () => {
    h = await startHarness();
    const lock = new LosableLock();
    const hung = h.manager({ lock, retry: { timeoutMs: 300 } });
    const other = h.manager({ lock });
    const refreshToken = h.lwa.issueRefreshToken();
    await hung.setRefreshToken(refreshToken);
    h.lwa.fail({ kind: 'hang' });
    const outcome = await within(hung.getAccessToken(), 5000);
    expect(outcome).toMatchObject({ error: expect.any(TokenRefreshError) as unknown });
    expect(String((outcome as { error: Error }).error.message)).toMatch(/did not answer within 300 ms/);
    expect(lock.held).toBe(0);
    const token = await within(other.refreshAccessToken(), 5000);
    expect(token).toMatchObject({ value: expect.stringMatching(/^Atza\|/) as unknown });
  });

  it('close() answers waiting callers promptly and releases the lease', async () => {
    h = await startHarness();
    const lock = new LosableLock();
    const manager = h.manager({ lock, closeTimeoutMs: 100 });
    await manager.setRefreshToken(h.lwa.issueRefreshToken());
    h.lwa.fail({ kind: 'hang' });
    const waiting = manager.getAccessToken();
    waiting.catch(() => undefined);
    for (let i = 0; i < 100 && h.lwa.counts.refresh_token === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(lock.held).toBe(1);
    const closing = within(manager.close(), 3000);
    const answered = await within(waiting, 3000);
    expect(answered).toMatchObject({ error: expect.any(TokenRefreshError) as unknown });
    expect(String((answered as { error: Error }).error.message)).toMatch(/closed/);
    expect(await closing).toEqual({ value: undefined });
    expect(lock.held).toBe(0);
  });
});

describe('revocation needs certainty', () => {
  it('invalid_grant that arrives after the lease was lost marks nothing', async () => {
    h = await startHarness();
    const lock = new LosableLock();
    const manager = h.manager({ lock });
    const refreshToken = h.lwa.issueRefreshToken();
    await manager.setRefreshToken(refreshToken);
    h.lwa.revoke(refreshToken);
    h.lwa.fail({ kind: 'slow', delayMs: 300 });
    const refresh = manager.getAccessToken().catch((e: unknown) => e);
    for (let i = 0; i < 100 && h.lwa.counts.refresh_token === 0; i++) await new Promise((r) => setTimeout(r, 10));
    lock.loseLeases();
    const error = await refresh;
    expect(error).toBeInstanceOf(TokenRefreshError);
    expect((error as TokenRefreshError).code).toBe('TOKEN_REFRESH_FAILED');
    expect(h.events.some((e) => e.type === 'revoked')).toBe(false);
    expect(await h.manager().getTokenInfo()).toMatchObject({ status: 'no_access_token', hasRefreshToken: true });
  });

  it('invalid_grant with the lease held marks the grant revoked', async () => {
    h = await startHarness();
    const manager = h.manager({ lock: new LosableLock() });
    const refreshToken = h.lwa.issueRefreshToken();
    await manager.setRefreshToken(refreshToken);
    h.lwa.revoke(refreshToken);
    await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'INVALID_GRANT' });
    expect(await h.manager().getTokenInfo()).toMatchObject({ status: 'revoked' });
  });
});
