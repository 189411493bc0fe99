import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { TokenManager } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { FakeClock, LwaSimulator } from '@ads-token/testing';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FileLock, FileTokenStore } from '../src/index.js';
import { eventually, exitCode, fixture, killAll, removeDir, startNode, tempDir } from './helpers.js';

let dir: string;
let lwa: LwaSimulator | undefined;
const managers: TokenManager[] = [];

beforeEach(async () => {
  dir = await tempDir('fleet-');
});
afterEach(async () => {
  await killAll();
  await Promise.all(managers.splice(0).map((m) => m.close()));
  await lwa?.stop();
  lwa = undefined;
  await removeDir(dir);
});

function paths(): { path: string; directory: string } {
  return { path: join(dir, 'tokens.json'), directory: join(dir, 'locks') };
}

function manager(sim: LwaSimulator, extra: Partial<ConstructorParameters<typeof TokenManager>[0]> = {}): TokenManager {
  const { path, directory } = paths();
  const m = new TokenManager({
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    http: new FetchHttpClient(),
    store: new FileTokenStore({ path }),
    lock: new FileLock({ directory }),
    endpoints: { tokenUrl: sim.tokenUrl },
    backgroundRefresh: false,
    ...extra,
  });
  managers.push(m);
  return m;
}

/** Stores a grant whose access token expired an hour ago (fetched on a clock two hours behind). */
async function seedExpiredGrant(sim: LwaSimulator): Promise<{ refreshToken: string; oldAccessToken: string }> {
  const refreshToken = sim.issueRefreshToken();
  const past = manager(sim, { clock: new FakeClock(Date.now() - 2 * 3600_000) });
  await past.setRefreshToken(refreshToken);
  const oldAccessToken = await past.getAccessToken();
  expect((await manager(sim).getTokenInfo()).status).toBe('expired');
  sim.resetCounts();
  return { refreshToken, oldAccessToken };
}

async function fileHoldsNoToken(secrets: string[]): Promise<void> {
  const { path } = paths();
  const bytes = await readFile(path, 'latin1');
  for (const s of secrets) expect(bytes).not.toContain(s);
  expect(bytes).not.toMatch(/Atz[ar]\|/);
  expect((await stat(path)).mode & 0o777).toBe(0o600);
}

describe('a fleet sharing one token file', () => {
  test('8 processes x 25 concurrent callers on an expired token: exactly one token request, one new token for all', async () => {
    lwa = await LwaSimulator.start({ rotateRefreshTokens: true });
    const sim = lwa;
    const { refreshToken, oldAccessToken } = await seedExpiredGrant(sim);
    const args = { ...paths(), tokenUrl: sim.tokenUrl, clientId: sim.clientId, clientSecret: sim.clientSecret, managers: 5, callersPerManager: 5 };
    const members = Array.from({ length: 8 }, () => startNode('fleet-member.mjs', args));
    await Promise.all(members.map((m) => m.waitFor((x) => x.ready === true, 30_000)));
    for (const m of members) m.send('go');
    const results = await Promise.all(members.map((m) => m.waitFor((x) => x.done === true, 60_000)));
    for (const m of members) expect(await exitCode(m)).toBe(0);
    expect(results.flatMap((r) => r.errors as string[])).toEqual([]);
    expect(results.reduce((n, r) => n + (r.calls as number), 0)).toBe(200);
    const tokens = new Set(results.flatMap((r) => r.tokens as string[]));
    expect(tokens.size).toBe(1);
    const [token] = [...tokens] as [string];
    expect(token).not.toBe(oldAccessToken);
    expect(sim.isValidAccessToken(token)).toBe(true);
    expect(sim.counts.refresh_token).toBe(1);
    expect(await manager(sim).getAccessToken()).toBe(token);
    await fileHoldsNoToken([token, oldAccessToken, refreshToken]);
  }, 120_000);

  test('4 worker threads x 25 concurrent callers on an expired token: exactly one token request', async () => {
    lwa = await LwaSimulator.start({ rotateRefreshTokens: true });
    const sim = lwa;
    await seedExpiredGrant(sim);
    const args = { ...paths(), tokenUrl: sim.tokenUrl, clientId: sim.clientId, clientSecret: sim.clientSecret, managers: 5, callersPerManager: 5 };
    const workers = Array.from({ length: 4 }, () => new Worker(fixture('fleet-member.mjs'), { workerData: args }));
    try {
      const results = await Promise.all(
        workers.map(
          (w) =>
            new Promise<{ tokens: string[]; errors: string[]; calls: number }>((resolve, reject) => {
              w.on('message', (m: { ready?: boolean; done?: boolean; tokens: string[]; errors: string[]; calls: number }) => {
                if (m.ready) w.postMessage('go');
                if (m.done) resolve(m);
              });
              w.once('error', reject);
            }),
        ),
      );
      expect(results.flatMap((r) => r.errors)).toEqual([]);
      expect(results.reduce((n, r) => n + r.calls, 0)).toBe(100);
      const tokens = new Set(results.flatMap((r) => r.tokens));
      expect(tokens.size).toBe(1);
      expect(sim.isValidAccessToken([...tokens][0]!)).toBe(true);
      expect(sim.counts.refresh_token).toBe(1);
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }, 120_000);

  test('a holder SIGKILLed mid-refresh is taken over and the fleet recovers with a working refresh token', async () => {
    lwa = await LwaSimulator.start({ rotateRefreshTokens: false });
    const sim = lwa;
    await seedExpiredGrant(sim);
    sim.setLatency(3000);
    const base = { ...paths(), tokenUrl: sim.tokenUrl, clientId: sim.clientId, clientSecret: sim.clientSecret };
    const holder = startNode('refresh-once.mjs', base);
    await eventually(() => sim.counts.refresh_token >= 1, 30_000, 'the holder reached LWA');
    holder.child.kill('SIGKILL');
    await exitCode(holder);
    expect(holder.messages.some((m) => (m as { done?: boolean }).done)).toBe(false);
    sim.setLatency(0);
    const members = Array.from({ length: 4 }, () => startNode('fleet-member.mjs', { ...base, managers: 1, callersPerManager: 5 }));
    await Promise.all(members.map((m) => m.waitFor((x) => x.ready === true, 30_000)));
    for (const m of members) m.send('go');
    const results = await Promise.all(members.map((m) => m.waitFor((x) => x.done === true, 60_000)));
    expect(results.flatMap((r) => r.errors as string[])).toEqual([]);
    const tokens = new Set(results.flatMap((r) => r.tokens as string[]));
    expect(tokens.size).toBe(1);
    expect(sim.isValidAccessToken([...tokens][0]!)).toBe(true);
    expect(sim.counts.refresh_token).toBe(2);
    const fresh = await manager(sim).refreshAccessToken();
    expect(sim.isValidAccessToken(fresh)).toBe(true);
    expect(sim.counts.refresh_token).toBe(3);
  }, 120_000);
});
