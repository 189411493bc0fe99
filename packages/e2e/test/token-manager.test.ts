import {
  ConfigurationError,
  InvalidClientError,
  InvalidGrantError,
  InvalidResponseError,
  NotAuthenticatedError,
  StateMismatchError,
  StoreUnavailableError,
  AuthorizationDeniedError,
  TokenManager,
  TokenRefreshError,
  type Lock,
  type TokenStore,
} from '@ads-token/core';
import { FakeClock } from '@ads-token/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { consent, startHarness, type Harness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function authenticated(options: Parameters<typeof startHarness>[0] = {}, managerOptions: Parameters<Harness['manager']>[0] = {}) {
  h = await startHarness(options);
  const manager = h.manager(managerOptions);
  await manager.setRefreshToken(h.lwa.issueRefreshToken());
  return { h, manager };
}

describe('authentication', () => {
  it('exchanges an authorization code through the consent redirect, with state and PKCE', async () => {
    h = await startHarness();
    const manager = h.manager();
    const request = await manager.createAuthorizationUrl({ pkce: true });
    const redirect = await consent(request.url);
    const info = await manager.authenticateWithRedirect(redirect, { state: request.state, codeVerifier: request.codeVerifier! });
    expect(info).toMatchObject({ status: 'valid', isExpired: false, hasRefreshToken: true, grantId: 'default' });
    expect(info.expiresInSeconds).toBeGreaterThan(3500);
    expect(info.consentedAt).toBeInstanceOf(Date);
    const token = await manager.getAccessToken();
    expect(token).toMatch(/^Atza\|/);
    expect(h.lwa.isValidAccessToken(token)).toBe(true);
    expect(h.lwa.counts).toMatchObject({ authorization_code: 1, refresh_token: 0 });
  });

  it('exchanges a code directly and serves the token without another request', async () => {
    h = await startHarness();
    const manager = h.manager();
    await manager.authenticateWithCode(h.lwa.issueCode());
    const headers = await manager.getHeaders({ profileId: 12345 });
    expect(headers).toEqual({
      Authorization: expect.stringMatching(/^Bearer Atza\|/) as string,
      'Amazon-Advertising-API-ClientId': h.lwa.clientId,
      'Amazon-Advertising-API-Scope': '12345',
    });
    expect(await manager.getHeaders()).not.toHaveProperty('Amazon-Advertising-API-Scope');
    expect(h.lwa.counts.total).toBe(1);
  });

  it('refuses a redirect whose state does not match, and an error redirect, without calling LWA', async () => {
    h = await startHarness();
    const manager = h.manager();
    const request = await manager.createAuthorizationUrl();
    const redirect = await consent(request.url);
    await expect(manager.authenticateWithRedirect(redirect, { state: 'another' })).rejects.toBeInstanceOf(StateMismatchError);
    h.lwa.setConsent({ error: 'access_denied', description: 'The user denied the request' });
    const denied = await consent((await manager.createAuthorizationUrl()).url);
    await expect(manager.authenticateWithRedirect(denied, { state: request.state })).rejects.toBeInstanceOf(AuthorizationDeniedError);
    expect(h.lwa.counts.total).toBe(0);
  });

  it('a refused code (used twice) raises InvalidGrantError and leaves the existing grant alone', async () => {
    h = await startHarness();
    const manager = h.manager();
    const code = h.lwa.issueCode();
    await manager.authenticateWithCode(code);
    const before = await h.store.get(manager.key);
    const error = await manager.authenticateWithCode(code).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidGrantError);
    expect((error as InvalidGrantError).grantType).toBe('authorization_code');
    expect((error as Error).message).toContain('Token refresh failed');
    expect(await h.store.get(manager.key)).toEqual(before);
    expect(h.lwa.isValidAccessToken(await manager.getAccessToken())).toBe(true);
  });

  it('an expired code is refused', async () => {
    const clock = new FakeClock();
    h = await startHarness({ now: () => clock.now() });
    const manager = h.manager({ clock });
    const code = h.lwa.issueCode();
    await clock.advance(5 * 60_000 + 1000);
    await expect(manager.authenticateWithCode(code)).rejects.toBeInstanceOf(InvalidGrantError);
    await expect(manager.getAccessToken()).rejects.toBeInstanceOf(NotAuthenticatedError);
  });

  it('a wrong client secret raises InvalidClientError and writes nothing', async () => {
    h = await startHarness();
    const manager = h.manager({ clientSecret: 'wrong-secret' });
    await expect(manager.authenticateWithCode(h.lwa.issueCode())).rejects.toBeInstanceOf(InvalidClientError);
    expect(await h.store.get(manager.key)).toBeUndefined();
  });

  it('setRefreshToken with ifAbsent never overwrites a stored grant', async () => {
    h = await startHarness();
    const manager = h.manager();
    const first = h.lwa.issueRefreshToken();
    expect(await manager.setRefreshToken(first, { ifAbsent: true })).toBe(true);
    const token = await manager.getAccessToken();
    const other = h.manager();
    expect(await other.setRefreshToken(h.lwa.issueRefreshToken(), { ifAbsent: true })).toBe(false);
    expect(await other.getAccessToken()).toBe(token);
  });

  it('setRefreshToken with ifAbsent treats a revoked grant as absent', async () => {
    h = await startHarness();
    const manager = h.manager();
    const first = h.lwa.issueRefreshToken();
    await manager.setRefreshToken(first);
    h.lwa.revoke(first);
    await expect(manager.getAccessToken()).rejects.toBeInstanceOf(InvalidGrantError);
    expect(await manager.getTokenInfo()).toMatchObject({ status: 'revoked' });
    expect(await h.manager().setRefreshToken(h.lwa.issueRefreshToken(), { ifAbsent: true })).toBe(true);
    expect(h.lwa.isValidAccessToken(await manager.getAccessToken())).toBe(true);
  });
});

describe('bad input changes nothing', () => {
  it('rejects bad options with ConfigurationError', async () => {
    h = await startHarness();
    const base = { clientId: 'c', clientSecret: 's', http: h.http };
    expect(() => new TokenManager({ ...base, clientId: '' })).toThrow(ConfigurationError);
    expect(() => new TokenManager({ ...base, clientSecret: ' ' })).toThrow(ConfigurationError);
    expect(() => new TokenManager({ ...base, clientId: 'a b' })).toThrow(ConfigurationError);
    expect(() => new TokenManager({ ...base, http: undefined as never })).toThrow(/FetchHttpClient/);
    expect(() => new TokenManager({ ...base, region: 'XX' as never })).toThrow(ConfigurationError);
    expect(() => new TokenManager({ ...base, refreshBuffer: -1 })).toThrow(ConfigurationError);
    expect(() => new TokenManager({ ...base, endpoints: { tokenUrl: 'nope' } })).toThrow(ConfigurationError);
    expect(() => new TokenManager({ ...base, grantId: '' })).toThrow(ConfigurationError);
  });

  it('rejects an empty code or refresh token without a request', async () => {
    h = await startHarness();
    const manager = h.manager();
    await expect(manager.authenticateWithCode('')).rejects.toBeInstanceOf(ConfigurationError);
    await expect(manager.setRefreshToken('  ')).rejects.toBeInstanceOf(ConfigurationError);
    expect(h.lwa.counts.total).toBe(0);
    expect(await h.store.get(manager.key)).toBeUndefined();
  });

  it.each(['html', 'invalid-json', 'missing-access-token', 'bad-expires-in'] as const)(
    'a malformed token response (%s) raises InvalidResponseError and keeps the stored record',
    async (kind) => {
      const { h, manager } = await authenticated();
      const before = await h.store.get(manager.key);
      h.lwa.fail({ kind });
      const error = await manager.getAccessToken().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(await h.store.get(manager.key)).toEqual(before);
      expect(h.lwa.isValidAccessToken(await manager.getAccessToken())).toBe(true);
    },
  );

  it('a stored record that does not parse raises a typed error and is not overwritten', async () => {
    const { h, manager } = await authenticated();
    await h.store.compareAndSet(manager.key, (await h.store.get(manager.key))!.version, { version: 'x', data: 'garbage' });
    const fresh = h.manager();
    const error = await fresh.getAccessToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: expect.stringMatching(/DECRYPTION_FAILED|CORRUPT_RECORD/) as string });
    expect(await h.store.get(manager.key)).toEqual({ version: 'x', data: 'garbage' });
  });
});

describe('refreshing', () => {
  it('refreshes a refresh-token-only grant on first use, then serves from memory', async () => {
    const { h, manager } = await authenticated();
    const token = await manager.getAccessToken();
    expect(h.lwa.isValidAccessToken(token)).toBe(true);
    for (let i = 0; i < 50; i++) expect(await manager.getAccessToken()).toBe(token);
    expect(h.lwa.counts.refresh_token).toBe(1);
  });

  it('100 concurrent callers at expiry cause exactly one token request', async () => {
    const clock = new FakeClock();
    const { h, manager } = await authenticated({ now: () => clock.now() }, { clock });
    const first = await manager.getAccessToken();
    await clock.advance(3600_000);
    const tokens = await Promise.all(Array.from({ length: 100 }, () => manager.getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first);
    expect(h.lwa.isValidAccessToken(tokens[0]!)).toBe(true);
    expect(h.lwa.counts.refresh_token).toBe(2);
  });

  it('managers sharing a store and lock refresh once between them (one refresh per expiry)', async () => {
    const clock = new FakeClock();
    const { h, manager } = await authenticated({ now: () => clock.now() }, { clock });
    const { InProcessLock } = await import('@ads-token/core');
    const lock = new InProcessLock();
    const fleet = Array.from({ length: 5 }, () => h.manager({ clock, lock }));
    await manager.getAccessToken();
    await clock.advance(3600_000);
    const tokens = await Promise.all(fleet.flatMap((m) => Array.from({ length: 20 }, () => m.getAccessToken())));
    expect(new Set(tokens).size).toBe(1);
    expect(h.lwa.counts.refresh_token).toBe(2);
    expect(h.events.filter((e) => e.type === 'refreshed' && e.source === 'store').length).toBe(4);
  });

  it('refreshes early in the background while serving the current token', async () => {
    const clock = new FakeClock();
    const { h, manager } = await authenticated({ now: () => clock.now() }, { clock });
    const first = await manager.getAccessToken();
    await clock.advance((3600 - 299) * 1000);
    expect(await manager.getAccessToken()).toBe(first);
    await vi_waitFor(() => h.lwa.counts.refresh_token === 2);
    await vi_waitFor(async () => (await manager.getAccessToken()) !== first);
    expect(h.lwa.isValidAccessToken(await manager.getAccessToken())).toBe(true);
    expect(h.lwa.counts.refresh_token).toBe(2);
  });

  it('without background refresh, waits for the early refresh instead', async () => {
    const clock = new FakeClock();
    const { h, manager } = await authenticated({ now: () => clock.now() }, { clock, backgroundRefresh: false });
    const first = await manager.getAccessToken();
    await clock.advance((3600 - 299) * 1000);
    const second = await manager.getAccessToken();
    expect(second).not.toBe(first);
    expect(h.lwa.counts.refresh_token).toBe(2);
  });

  it('a failed background refresh keeps serving the token and cools down', async () => {
    const clock = new FakeClock();
    const { h, manager } = await authenticated({ now: () => clock.now() }, { clock, retry: { maxAttempts: 1 } });
    const first = await manager.getAccessToken();
    await clock.advance((3600 - 299) * 1000);
    h.lwa.fail({ kind: 'status', status: 400, error: 'unauthorized_client', times: 1 });
    expect(await manager.getAccessToken()).toBe(first);
    await vi_waitFor(() => h.events.some((e) => e.type === 'refresh_failed' && e.background));
    for (let i = 0; i < 20; i++) expect(await manager.getAccessToken()).toBe(first);
    expect(h.lwa.counts.refresh_token).toBe(2);
    await clock.advance(31_000);
    await manager.getAccessToken();
    await vi_waitFor(() => h.lwa.counts.refresh_token === 3);
  });

  it('stores a rotated refresh token, and the old one stops working', async () => {
    const clock = new FakeClock();
    const { h, manager } = await authenticated({ now: () => clock.now(), rotateRefreshTokens: true }, { clock });
    await manager.getAccessToken();
    for (let i = 0; i < 3; i++) {
      await clock.advance(3600_000);
      expect(h.lwa.isValidAccessToken(await manager.getAccessToken())).toBe(true);
    }
    expect(h.lwa.counts.refresh_token).toBe(4);
    expect(h.events.filter((e) => e.type === 'refreshed' && e.rotated).length).toBe(4);
  });

  it('keeps the refresh token when LWA omits it', async () => {
    const clock = new FakeClock();
    const { h, manager } = await authenticated({ now: () => clock.now(), omitRefreshTokenOnRefresh: true }, { clock });
    await manager.getAccessToken();
    await clock.advance(3600_000);
    await manager.getAccessToken();
    expect((await manager.getTokenInfo()).hasRefreshToken).toBe(true);
    await clock.advance(3600_000);
    expect(h.lwa.isValidAccessToken(await manager.getAccessToken())).toBe(true);
  });

  it('refreshAccessToken always calls LWA; with rejected it refreshes only if the token is still the one refused', async () => {
    const { h, manager } = await authenticated();
    const first = await manager.getAccessToken();
    const second = await manager.refreshAccessToken();
    expect(second).not.toBe(first);
    expect(h.lwa.counts.refresh_token).toBe(2);
    const answers = await Promise.all(Array.from({ length: 50 }, () => manager.refreshAccessToken({ rejected: second })));
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).not.toBe(second);
    expect(h.lwa.counts.refresh_token).toBe(3);
    expect(await manager.refreshAccessToken({ rejected: first })).toBe(answers[0]);
    expect(h.lwa.counts.refresh_token).toBe(3);
  });

  it.each([
    { kind: 'status', status: 500 },
    { kind: 'status', status: 503 },
    { kind: 'status', status: 429, retryAfter: '1' },
    { kind: 'status', status: 408 },
  ] as const)('retries a transient failure (%o) within the bound', async (fault) => {
    const { h, manager } = await authenticated();
    h.lwa.fail({ ...fault, times: 2 });
    const token = await manager.getAccessToken();
    expect(h.lwa.isValidAccessToken(token)).toBe(true);
    expect(h.lwa.counts.refresh_token).toBe(3);
    expect(h.events.filter((e) => e.type === 'retry').length).toBe(2);
  });

  it('a connection dropped after the request was sent is not retried in that refresh; the next refresh works', async () => {
    const { h, manager } = await authenticated();
    h.lwa.fail({ kind: 'drop' });
    const error = await manager.getAccessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRefreshError);
    expect((error as Error).message).toMatch(/may have reached LWA/);
    expect(h.lwa.counts.refresh_token).toBe(1);
    expect(h.lwa.isValidAccessToken(await manager.getAccessToken())).toBe(true);
    expect(h.lwa.counts.refresh_token).toBe(2);
  });

  it('gives up after maxAttempts with TokenRefreshError carrying the request id', async () => {
    const { h, manager } = await authenticated({}, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
    h.lwa.fail({ kind: 'status', status: 503, times: 10 });
    const error = await manager.getAccessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRefreshError);
    expect((error as TokenRefreshError).status).toBe(503);
    expect((error as TokenRefreshError).requestId).toBeTruthy();
    expect((error as Error).message).toMatch(/^Token refresh failed/);
    expect(h.lwa.counts.refresh_token).toBe(3);
  });

  it('a revoked grant is marked in the store and no manager calls LWA for it again', async () => {
    const { h, manager } = await authenticated();
    const refreshToken = h.lwa.issueRefreshToken();
    await manager.setRefreshToken(refreshToken);
    h.lwa.revoke(refreshToken);
    const error = await manager.getAccessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidGrantError);
    expect((error as Error).message).toContain('Token refresh failed');
    expect(h.lwa.counts.refresh_token).toBe(1);
    const other = h.manager();
    await expect(other.getAccessToken()).rejects.toBeInstanceOf(InvalidGrantError);
    await expect(manager.refreshAccessToken()).rejects.toBeInstanceOf(InvalidGrantError);
    expect(h.lwa.counts.refresh_token).toBe(1);
    expect(await other.getTokenInfo()).toMatchObject({ status: 'revoked', hasRefreshToken: false, isExpired: true });
    expect(h.events.some((e) => e.type === 'revoked')).toBe(true);
    await other.setRefreshToken(h.lwa.issueRefreshToken());
    expect(h.lwa.isValidAccessToken(await manager.getAccessToken())).toBe(true);
  });

  it('a refresh that hangs in the store ends at the shared deadline with TokenRefreshError', async () => {
    const clock = new FakeClock();
    const { h, manager } = await authenticated({ now: () => clock.now() }, { clock });
    const hanging = h.manager({
      clock,
      store: {
        get: (_key, options) =>
          new Promise((_resolve, reject) => options?.signal?.addEventListener('abort', () => reject(options.signal!.reason as Error))),
        compareAndSet: async () => false,
        delete: async () => false,
        list: h.store.list.bind(h.store),
      },
    });
    void manager;
    const pending = hanging.getAccessToken().catch((e: unknown) => e);
    await clock.advance(35_000 + 30_000 + 5000 + 1);
    const error = await pending;
    expect(error).toBeInstanceOf(TokenRefreshError);
    expect((error as Error).message).toContain('did not finish');
  });

  it('a lock backend that is down fails the refresh, unless the unsafe opt-in is set', async () => {
    const { h } = await authenticated();
    const downLock = {
      acquire: async () => {
        throw new StoreUnavailableError('lock backend down');
      },
    };
    const strict = h.manager({ lock: downLock });
    await expect(strict.getAccessToken()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(h.lwa.counts.refresh_token).toBe(0);
    const lax = h.manager({ lock: downLock, refreshWithoutLockWhenUnavailable: true });
    expect(h.lwa.isValidAccessToken(await lax.getAccessToken())).toBe(true);
    expect(h.events.some((e) => e.type === 'lock_unavailable')).toBe(true);
  });

  it('reports how long a refresh waited for the lock', async () => {
    const { h, manager } = await authenticated({ latencyMs: 100 });
    const { InProcessLock } = await import('@ads-token/core');
    const lock = new InProcessLock();
    const a = h.manager({ lock });
    const b = h.manager({ lock });
    void manager;
    await Promise.all([a.getAccessToken(), b.getAccessToken()]);
    const waited = h.events.filter((e) => e.type === 'lock_waited');
    expect(waited.length).toBeGreaterThanOrEqual(1);
    expect(h.lwa.counts.refresh_token).toBe(1);
  });

  it('keeps serving its token from memory when the store goes down after its own write', async () => {
    const { h } = await authenticated();
    let down = false;
    const flaky: TokenStore = {
      get: (key, options) => (down ? Promise.reject(new Error('connection refused')) : h.store.get(key, options)),
      compareAndSet: (key, expected, record, options) =>
        down ? Promise.reject(new Error('connection refused')) : h.store.compareAndSet(key, expected, record, options),
      delete: (key, expected, options) => h.store.delete(key, expected, options),
      list: (prefix, options) => h.store.list(prefix, options),
      subscribe: (key, onChange) => h.store.subscribe(key, onChange),
    };
    const manager = h.manager({ store: flaky });
    const token = await manager.getAccessToken();
    await new Promise((r) => setTimeout(r, 10));
    down = true;
    expect(await manager.getAccessToken()).toBe(token);
    expect(await manager.getAccessToken()).toBe(token);
    expect(h.lwa.counts.refresh_token).toBe(1);
  });

  it('a waiter takes the token another holder committed as soon as the store says so, without the lock', async () => {
    const { h } = await authenticated({ latencyMs: 100 });
    const { InProcessLock } = await import('@ads-token/core');
    const inner = new InProcessLock();
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let releases = 0;
    const slowRelease: Lock = {
      acquire: async (key, options) => {
        const lease = await inner.acquire(key, options);
        return {
          signal: lease.signal,
          release: async () => {
            await gate;
            releases++;
            await lease.release();
          },
        };
      },
    };
    const leader = h.manager({ lock: slowRelease });
    const waiter = h.manager({ lock: slowRelease });
    const leading = leader.getAccessToken();
    await new Promise((r) => setTimeout(r, 30));
    const waited = await waiter.getAccessToken();
    expect(releases).toBe(0);
    expect(h.lwa.isValidAccessToken(waited)).toBe(true);
    expect(h.lwa.counts.refresh_token).toBe(1);
    openGate();
    expect(await leading).toBe(waited);
  });

  it('a caller signal ends only that caller\'s wait', async () => {
    const { h, manager } = await authenticated({ latencyMs: 300 });
    const controller = new AbortController();
    const aborted = manager.getAccessToken({ signal: controller.signal });
    const patient = manager.getAccessToken();
    controller.abort(new Error('caller gave up'));
    await expect(aborted).rejects.toThrow('caller gave up');
    expect(h.lwa.isValidAccessToken(await patient)).toBe(true);
    expect(h.lwa.counts.refresh_token).toBe(1);
  });
});

describe('info, clearing and closing', () => {
  it('getTokenInfo reports every status and never a token', async () => {
    const clock = new FakeClock();
    h = await startHarness({ now: () => clock.now() });
    const manager = h.manager({ clock });
    expect(await manager.getTokenInfo()).toMatchObject({ status: 'not_authenticated', isExpired: true, hasRefreshToken: false, expiresInSeconds: 0 });
    await manager.setRefreshToken(h.lwa.issueRefreshToken());
    expect(await manager.getTokenInfo()).toMatchObject({ status: 'no_access_token', hasRefreshToken: true, consentedAt: undefined });
    await manager.getAccessToken();
    const valid = await manager.getTokenInfo();
    expect(valid).toMatchObject({ status: 'valid', isExpired: false, expiresInSeconds: 3600 });
    expect(valid.expiresAt?.getTime()).toBe(clock.now() + 3600_000);
    await clock.advance(3400_000);
    expect(await manager.getTokenInfo()).toMatchObject({ status: 'expiring', isExpired: false, expiresInSeconds: 200 });
    await clock.advance(200_000);
    expect(await manager.getTokenInfo()).toMatchObject({ status: 'expired', isExpired: true, expiresInSeconds: 0 });
    expect(JSON.stringify(valid)).not.toContain('Atz');
  });

  it('clearTokens deletes the grant for every manager sharing the store', async () => {
    const { h, manager } = await authenticated();
    const other = h.manager();
    await other.getAccessToken();
    await manager.clearTokens();
    expect(await h.store.get(manager.key)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 10));
    await expect(other.getAccessToken()).rejects.toBeInstanceOf(NotAuthenticatedError);
    await expect(manager.getAccessToken()).rejects.toThrow('Not authenticated');
  });

  it('many grants share one store without mixing', async () => {
    h = await startHarness();
    const a = h.manager({ grantId: 'advertiser-a' });
    const b = h.manager({ grantId: 'advertiser-b' });
    await a.setRefreshToken(h.lwa.issueRefreshToken());
    await b.setRefreshToken(h.lwa.issueRefreshToken());
    const [ta, tb] = await Promise.all([a.getAccessToken(), b.getAccessToken()]);
    expect(ta).not.toBe(tb);
    await a.clearTokens();
    expect(await b.getAccessToken()).toBe(tb);
    const keys: string[] = [];
    for await (const key of h.store.list('ads-token:v1:')) keys.push(key);
    expect(keys).toEqual([b.key]);
  });

  it('close waits for a refresh in flight, and later calls are refused', async () => {
    const { h, manager } = await authenticated({ latencyMs: 200 });
    const pending = manager.getAccessToken();
    await new Promise((r) => setTimeout(r, 50));
    await manager.close();
    expect(h.lwa.isValidAccessToken(await pending)).toBe(true);
    await expect(manager.getAccessToken()).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('never puts a secret in events, JSON or errors', async () => {
    const { h, manager } = await authenticated();
    const token = await manager.getAccessToken();
    const refresh = h.lwa.issueRefreshToken();
    h.lwa.revoke(refresh);
    await manager.setRefreshToken(refresh);
    const error = await manager.getAccessToken().catch((e: unknown) => e);
    const text = [JSON.stringify(h.events), JSON.stringify(manager), String(error), JSON.stringify(error)].join('\n');
    for (const secret of [token, refresh, h.lwa.clientSecret]) expect(text).not.toContain(secret);
  });
});

async function vi_waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
