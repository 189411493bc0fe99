import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenEvent, TokenEventType } from '@ads-token/core';
import { LwaSimulator } from '@ads-token/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { eventLevel, run } from '../src/05-pino-logging.js';
import type { ExampleEnv } from '../src/example-env.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function world(): Promise<{ lwa: LwaSimulator; lines: string[]; env: ExampleEnv }> {
  const dir = await mkdtemp(join(tmpdir(), 'ads-token-pino-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const lwa = await LwaSimulator.start();
  cleanups.push(() => lwa.stop());
  const lines: string[] = [];
  const env: ExampleEnv = {
    clientId: lwa.clientId,
    clientSecret: lwa.clientSecret,
    tokenFile: join(dir, 'tokens.json'),
    lockDirectory: join(dir, 'locks'),
    tokenUrl: lwa.tokenUrl,
    authorizationUrl: lwa.authorizationUrl,
    log: (line) => lines.push(line),
  };
  return { lwa, lines, env };
}

interface LogLine {
  level: number;
  msg: string;
  component: string;
  event?: TokenEvent;
  [key: string]: unknown;
}
/** The lines, without lock waits (a FileLock acquisition may take a millisecond or not); those must be debug. */
function parse(lines: string[]): LogLine[] {
  const all = lines.map((line) => JSON.parse(line) as LogLine);
  for (const l of all) if (l.event?.type === 'lock_waited') expect(l.level).toBe(20);
  return all.filter((l) => l.event?.type !== 'lock_waited');
}
const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

function expectNoSecret(lines: string[], lwa: LwaSimulator, refreshToken: string): void {
  const text = lines.join('\n');
  expect(text).not.toMatch(/Atz[ar]\|/);
  expect(text).not.toContain(lwa.clientSecret);
  expect(text).not.toContain(refreshToken);
}

describe('05-pino-logging', () => {
  it('logs every event as one JSON line at its level, a retry as a warning, then the health report', async () => {
    const { lwa, lines, env } = await world();
    const refreshToken = lwa.issueRefreshToken();
    lwa.fail({ kind: 'status', status: 503 });
    const result = await run({ ...env, refreshToken });
    expect(result.health).toEqual({ ok: true, grants: [{ grantId: 'default', status: 'valid' }] });

    const logged = parse(lines);
    expect(logged.map((l) => [l.level, l.event?.type ?? l.msg])).toEqual([
      [LEVEL.info, 'authenticated'],
      [LEVEL.warn, 'retry'],
      [LEVEL.info, 'refreshed'],
      [LEVEL.info, 'refreshed'],
      [LEVEL.info, 'ready'],
    ]);
    expect(logged.every((l) => l.component === 'ads-token')).toBe(true);
    expect(logged[1]).toMatchObject({ msg: 'LWA request failed with 503; retrying', event: { status: 503, attempt: 1 } });
    expect(logged[2]!.event).toMatchObject({ source: 'lwa', requestId: expect.any(String) as string });
    expect(lwa.counts.refresh_token).toBe(3);
    expectNoSecret(lines, lwa, refreshToken);
  });

  it('logs a revoked grant and the failed refresh as errors', async () => {
    const { lwa, lines, env } = await world();
    const refreshToken = lwa.issueRefreshToken();
    lwa.revoke(refreshToken);
    await expect(run({ ...env, refreshToken })).rejects.toMatchObject({ code: 'INVALID_GRANT' });
    const logged = parse(lines);
    expect(logged.map((l) => [l.level, l.event?.type])).toEqual([
      [LEVEL.info, 'authenticated'],
      [LEVEL.error, 'revoked'],
      [LEVEL.error, 'refresh_failed'],
    ]);
    expect(logged[2]!.event).toMatchObject({ code: 'INVALID_GRANT', background: false });
    expectNoSecret(lines, lwa, refreshToken);
  });

  it('gives every event type a level', () => {
    const base = { grantId: 'g', at: 0 };
    const one: Record<TokenEventType, TokenEvent> = {
      refreshed: { ...base, type: 'refreshed', source: 'store', rotated: false, durationMs: 1, expiresInSeconds: 60 },
      refresh_failed: { ...base, type: 'refresh_failed', code: 'LOCK_TIMEOUT', message: 'm', durationMs: 1, background: true },
      retry: { ...base, type: 'retry', attempt: 1, delayMs: 5 },
      revoked: { ...base, type: 'revoked' },
      record_unreadable: { ...base, type: 'record_unreadable', code: 'DECRYPTION_FAILED', message: 'm' },
      lock_waited: { ...base, type: 'lock_waited', waitedMs: 3 },
      lock_unavailable: { ...base, type: 'lock_unavailable', message: 'm' },
      authenticated: { ...base, type: 'authenticated', method: 'refresh_token' },
      commit_pending: { ...base, type: 'commit_pending', code: 'STORE_UNAVAILABLE', message: 'm', attempt: 1 },
      commit_recovered: { ...base, type: 'commit_recovered', attempts: 2, pendingMs: 10 },
      cleared: { ...base, type: 'cleared' },
    };
    expect(Object.fromEntries(Object.entries(one).map(([type, event]) => [type, eventLevel(event)]))).toEqual({
      refreshed: 'debug',
      refresh_failed: 'warn',
      retry: 'warn',
      revoked: 'error',
      lock_waited: 'debug',
      lock_unavailable: 'warn',
      authenticated: 'info',
      commit_pending: 'warn',
      commit_recovered: 'info',
      record_unreadable: 'error',
      cleared: 'info',
    });
  });
});
