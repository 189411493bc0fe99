import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@ads-token/core';
import { ConfigurationError, HttpTransportError, StoreUnavailableError, TokenManager, isAdsTokenError, type HttpClient, type Lock, type TokenEvent, type TokenStore } from '@ads-token/core';
import { UnsafeTokenFileError } from '@ads-token/store-file';
import { LwaSimulator } from '@ads-token/testing';
import { afterEach, describe, expect, it } from 'vitest';

interface CjsDependency {
  core: typeof core;
  createFileStore(path: string): TokenStore;
  createHttpClient(): HttpClient;
  createDownLock(): Lock;
}

const cjs = createRequire(import.meta.url)('./fixtures/cjs-dependency.cjs') as CjsDependency;

/** A loopback port nothing listens on. */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/auth/o2/token`;
}

let lwa: LwaSimulator | undefined;
let dir: string | undefined;
afterEach(async () => {
  await lwa?.stop();
  lwa = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('errors thrown by a CommonJS copy of the packages, seen by the ESM copy of core', () => {
  it('the fixture really loads a second copy of core', () => {
    expect(cjs.core.AdsTokenError).not.toBe(core.AdsTokenError);
    const foreign = new cjs.core.HttpTransportError('reset');
    expect(isAdsTokenError(foreign, 'HTTP_TRANSPORT')).toBe(true);
    expect(foreign).toBeInstanceOf(HttpTransportError);
  });

  it('an UnsafeTokenFileError from store-file is seen as what it is, not as StoreUnavailableError', async () => {
    lwa = await LwaSimulator.start();
    dir = await mkdtemp(join(tmpdir(), 'ads-token-copies-'));
    const path = join(dir, 'tokens.json');
    await writeFile(path, '{}', { mode: 0o644 });
    const manager = new TokenManager({ clientId: lwa.clientId, clientSecret: lwa.clientSecret, http: cjs.createHttpClient(), store: cjs.createFileStore(path), endpoints: { tokenUrl: lwa.tokenUrl } });
    const error = await manager.getAccessToken().then(
      () => undefined,
      (e: unknown) => e,
    );
    await manager.close();
    expect(error).toBeInstanceOf(UnsafeTokenFileError);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).not.toBeInstanceOf(StoreUnavailableError);
    expect((error as UnsafeTokenFileError).reason).toBe('permissions');
  });

  it("FetchHttpClient's HttpTransportError is retried", async () => {
    lwa = await LwaSimulator.start();
    const http = cjs.createHttpClient();
    const refused = await refusedUrl();
    let calls = 0;
    const firstRefused: HttpClient = { send: (request) => http.send(calls++ === 0 ? { ...request, url: refused } : request) };
    const events: TokenEvent[] = [];
    const manager = new TokenManager({
      clientId: lwa.clientId,
      clientSecret: lwa.clientSecret,
      http: firstRefused,
      endpoints: { tokenUrl: lwa.tokenUrl },
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
      onEvent: (event) => events.push(event),
    });
    await manager.setRefreshToken(lwa.issueRefreshToken());
    const token = await manager.getAccessToken();
    await manager.close();
    expect(lwa.isValidAccessToken(token)).toBe(true);
    expect(calls).toBe(2);
    expect(events.some((event) => event.type === 'retry')).toBe(true);
  });

  it('refreshWithoutLockWhenUnavailable works with a lock that reports its backend down', async () => {
    lwa = await LwaSimulator.start();
    const events: TokenEvent[] = [];
    const manager = new TokenManager({
      clientId: lwa.clientId,
      clientSecret: lwa.clientSecret,
      http: cjs.createHttpClient(),
      lock: cjs.createDownLock(),
      refreshWithoutLockWhenUnavailable: true,
      endpoints: { tokenUrl: lwa.tokenUrl },
      onEvent: (event) => events.push(event),
    });
    await manager.setRefreshToken(lwa.issueRefreshToken());
    const token = await manager.getAccessToken();
    await manager.close();
    expect(lwa.isValidAccessToken(token)).toBe(true);
    expect(events.some((event) => event.type === 'lock_unavailable')).toBe(true);
  });
});
