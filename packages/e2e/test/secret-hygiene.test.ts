import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  TokenManager,
  clientSecretKey,
  createRecordSealer,
  generateEncryptionKey,
  type TokenEvent,
} from '@ads-token/core';
import { FetchHttpClient, createAdsFetch } from '@ads-token/fetch-adapter';
import { FileLock, FileTokenStore } from '@ads-token/store-file';
import { AdsApiSimulator, LwaSimulator } from '@ads-token/testing';
import { afterEach, expect, it } from 'vitest';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

async function caught(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** Every way a user or a log line could show `value`. */
function shown(value: unknown): string {
  const parts = [inspect(value, { depth: 10, showHidden: true }), inspect(value, { depth: 10 })];
  try {
    parts.push(JSON.stringify(value) ?? '');
  } catch {
    // Not serialisable: inspect covers it.
  }
  for (let e = value; e instanceof Error; e = e.cause) parts.push(String(e), e.stack ?? '', e.message);
  return parts.join('\n');
}

it('no token, refresh token, client secret or key appears in any error, event, JSON or inspect output', async () => {
  const lwa = await LwaSimulator.start({ rotateRefreshTokens: true });
  stops.push(() => lwa.stop());
  const ads = await AdsApiSimulator.start({ lwa });
  stops.push(() => ads.stop());
  const dir = await mkdtemp(join(tmpdir(), 'ads-token-hygiene-'));
  stops.push(() => rm(dir, { recursive: true, force: true }));

  const raw = generateEncryptionKey();
  const passphrase = 'correct horse battery staple hygiene';
  const events: TokenEvent[] = [];
  const http = new FetchHttpClient({ timeoutMs: 2000 });
  const store = new FileTokenStore({ path: join(dir, 'tokens.json') });
  const lock = new FileLock({ directory: join(dir, 'locks') });
  stops.push(() => lock.close());
  stops.push(() => store.close());
  const options = {
    clientId: lwa.clientId,
    clientSecret: lwa.clientSecret,
    http,
    store,
    lock,
    endpoints: { tokenUrl: lwa.tokenUrl, authorizationUrl: lwa.authorizationUrl },
    encryptionKey: [{ raw }, { passphrase, iterations: 100_000 }],
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    onEvent: (e: TokenEvent) => events.push(e),
  };
  const manager = new TokenManager(options);
  stops.push(() => manager.close());

  const refreshTokens = [lwa.issueRefreshToken()];
  await manager.setRefreshToken(refreshTokens[0]!);
  const accessTokens = [await manager.getAccessToken(), await manager.refreshAccessToken()];
  const adsFetch = createAdsFetch(manager, { baseUrl: ads.url });
  expect((await adsFetch('/v2/profiles')).status).toBe(200);

  const failures: unknown[] = [];
  // LWA refuses, answers garbage, or cannot be reached; the grant is revoked; the key is wrong.
  failures.push(await caught(() => new TokenManager({ ...options, clientSecret: 'wrong-client-secret-hygiene' }).refreshAccessToken()));
  lwa.fail({ kind: 'html', times: 1 });
  failures.push(await caught(() => manager.refreshAccessToken()));
  lwa.fail({ kind: 'status', status: 503, times: 2 });
  failures.push(await caught(() => manager.refreshAccessToken()));
  const unreachable = new TokenManager({ ...options, endpoints: { tokenUrl: 'http://127.0.0.1:9/auth/o2/token' } });
  failures.push(await caught(() => unreachable.refreshAccessToken()));
  failures.push(await caught(() => new TokenManager({ ...options, encryptionKey: { raw: generateEncryptionKey() } }).getAccessToken()));
  const revoked = lwa.issueRefreshToken();
  refreshTokens.push(revoked);
  lwa.revoke(revoked);
  const other = new TokenManager({ ...options, grantId: 'revoked' });
  await other.setRefreshToken(revoked);
  failures.push(await caught(() => other.getAccessToken()));
  failures.push(await caught(() => manager.authenticateWithCode('not-a-real-code')));
  failures.push(await caught(() => http.send({ method: 'POST', url: 'http://127.0.0.1:9/x', headers: {}, body: `client_secret=${lwa.clientSecret}` })));

  expect(failures.map((e) => (e as { code?: string }).code)).toEqual([
    'INVALID_CLIENT',
    'INVALID_RESPONSE',
    'TOKEN_REFRESH_FAILED',
    'TOKEN_REFRESH_FAILED',
    'DECRYPTION_FAILED',
    'INVALID_GRANT',
    'INVALID_GRANT',
    'HTTP_TRANSPORT',
  ]);
  expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['refreshed', 'refresh_failed', 'retry', 'revoked', 'authenticated']));

  const objects = [manager, other, store, lock, http, lwa, ads, createRecordSealer(options), clientSecretKey(lwa.clientSecret)];
  const everything = [...failures, ...events, ...objects].map(shown).join('\n');
  const fileBytes = await readFile(join(dir, 'tokens.json'), 'utf8');
  const secrets = [lwa.clientSecret, raw, passphrase, ...accessTokens, ...refreshTokens, 'Atza|', 'Atzr|'];
  for (const secret of secrets) {
    expect(everything).not.toContain(secret);
    expect(fileBytes).not.toContain(secret);
  }
  expect(everything).toContain(lwa.clientId);
});
