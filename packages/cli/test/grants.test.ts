import { createRecordSealer, sharedRecordKey, storeKey, type TokenStore } from '@ads-token/core';
import { FileTokenStore } from '@ads-token/store-file';
import { RedisTokenStore } from '@ads-token/store-redis';
import { LwaSimulator } from '@ads-token/testing';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectNoSecrets, killAll, removeDir, runBin, simulatorEnv, startRedis, tempDir, type RunResult, type TestRedis } from './helpers.js';

const KEY = Buffer.alloc(32, 11).toString('base64');
const OTHER_KEY = Buffer.alloc(32, 12).toString('base64');
const DAY_MS = 86_400_000;

interface GrantJson {
  grant: string;
  status: string;
  unreadableCode: string | null;
  hasRefreshToken: boolean;
  consentAgeDays: number | null;
  consentExpiringSoon: boolean;
  profiles?: number | null;
  ok?: boolean;
  problems?: Array<{ code: string; message: string }>;
}

// `grants` and `status --check`: the built binary as a child process, on a token file and on a
// Redis the test starts; records the CLI could not make by itself (old consents, unreadable ones,
// a profile directory) are sealed and written by the test through the same kind of store.
describe.each(['file', 'redis'] as const)('grants and status --check with a %s store', (kind) => {
  let lwa: LwaSimulator;
  let redis: TestRedis | undefined;
  let dir: string;
  let env: Record<string, string>;
  let store: TokenStore;
  let closeStore: () => Promise<void>;
  const outputs: RunResult[] = [];

  const run = async (args: string[], stdin = ''): Promise<RunResult> => {
    const result = await runBin(args, env, dir, stdin);
    outputs.push(result);
    return result;
  };

  /** Seals `value` with `key` (the CLI's by default) and stores it under `storeKeyName`. */
  const write = async (storeKeyName: string, value: unknown, key = KEY): Promise<void> => {
    const sealer = createRecordSealer({ clientSecret: lwa.clientSecret, encryptionKey: { raw: key } });
    const data = await sealer.seal(storeKeyName, JSON.stringify(value));
    expect(await store.compareAndSet(storeKeyName, undefined, { version: `test-${Math.random()}`, data })).toBe(true);
  };
  const writeGrant = (grant: string, record: Record<string, unknown>, key = KEY): Promise<void> => write(storeKey(lwa.clientId, grant), { v: 1, ...record }, key);

  beforeAll(async () => {
    if (kind === 'redis') redis = await startRedis();
    lwa = await LwaSimulator.start();
  });

  beforeEach(async () => {
    dir = await tempDir();
    env = { ...simulatorEnv(dir, lwa, redis === undefined ? {} : { store: redis.url }), ADS_ENCRYPTION_KEY: KEY };
    if (redis === undefined) {
      const file = new FileTokenStore({ path: join(dir, 'tokens.json') });
      store = file;
      closeStore = async () => file.close?.();
    } else {
      const client = createClient({ url: redis.url });
      await client.connect();
      await client.flushAll();
      store = new RedisTokenStore({ client });
      closeStore = async () => {
        await store.close?.();
        await client.close();
      };
    }
  });

  afterEach(async () => {
    killAll();
    await closeStore();
    await removeDir(dir);
    expectNoSecrets(outputs, [lwa.clientSecret, KEY, 'Atza|']);
  });

  afterAll(async () => {
    await lwa?.stop();
    await redis?.stop();
  });

  it('grants lists every grant with status, expiry, consent age and profile count from the shared directory', async () => {
    expect((await run(['import', '--grant', 'acme'], `${lwa.issueRefreshToken()}\n`)).code).toBe(0);
    expect((await run(['import', '--grant', 'beta', '--no-verify'], `${lwa.issueRefreshToken()}\n`)).code).toBe(0);
    await writeGrant('old', { refreshToken: 'Atzr|old-consent', consentedAt: Date.now() - 340 * DAY_MS });

    // No profile directory yet: the count is unknown.
    const before = await run(['grants', '--json']);
    expect(before.code).toBe(0);
    const listed = JSON.parse(before.stdout) as GrantJson[];
    expect(listed.map((g) => [g.grant, g.status, g.profiles])).toEqual([
      ['acme', 'valid', null],
      ['beta', 'no_access_token', null],
      ['old', 'no_access_token', null],
    ]);
    expect(listed[2]).toMatchObject({ consentAgeDays: 340, consentExpiringSoon: true, hasRefreshToken: true });
    const text = await run(['grants']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/GRANT\s+STATUS\s+ACCESS TOKEN\s+CONSENTED\s+PROFILES/);
    expect(text.stdout).toMatch(/acme\s+valid\s+expires in \d+m( \d+s)?\s+unknown\s+-\n/);
    expect(text.stdout).toMatch(/old\s+no_access_token\s+-\s+340d \(limit in 25d\)\s+-\n/);

    // The directory another process keeps: profile id -> { grantId, ... }, one sealed shared record.
    await write(
      sharedRecordKey(lwa.clientId, 'profile-directory'),
      {
        '1001': { grantId: 'acme', countryCode: 'US', currencyCode: 'USD', accountName: 'Acme US' },
        '1002': { grantId: 'acme', countryCode: 'CA', currencyCode: 'CAD', accountName: 'Acme CA' },
        '2001': { grantId: 'beta', countryCode: 'US', currencyCode: 'USD', accountName: 'Beta' },
      },
    );
    const after = await run(['grants', '--json']);
    expect((JSON.parse(after.stdout) as GrantJson[]).map((g) => [g.grant, g.profiles])).toEqual([
      ['acme', 2],
      ['beta', 1],
      ['old', 0],
    ]);
    expect((await run(['grants'])).stdout).toMatch(/acme\s+valid\s+.*\s+2\n[\s\S]*beta\s+no_access_token\s+-\s+unknown\s+1\n/);
  });

  it('grants shows an unreadable record and an unreadable directory, and still exits 0', async () => {
    expect((await run(['import', '--grant', 'acme', '--no-verify'], `${lwa.issueRefreshToken()}\n`)).code).toBe(0);
    await writeGrant('sealed-elsewhere', { refreshToken: 'Atzr|other-key' }, OTHER_KEY);
    await write(sharedRecordKey(lwa.clientId, 'profile-directory'), { '1': { grantId: 'acme' } }, OTHER_KEY);
    const result = await run(['grants', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject([
      { grant: 'acme', status: 'no_access_token', unreadableCode: null, profiles: null },
      { grant: 'sealed-elsewhere', status: 'unreadable', unreadableCode: 'DECRYPTION_FAILED', profiles: null },
    ]);
    expect(result.stderr).toContain('Profile counts unavailable: the profile directory does not open (DECRYPTION_FAILED).');
    expect((await run(['grants'])).stdout).toMatch(/sealed-elsewhere\s+unreadable \(DECRYPTION_FAILED\)\s+-\s+-\s+-\n/);
  });

  it('status --check exits 0 when every grant is fine and 11 naming each grant that needs attention', async () => {
    const revoked = lwa.issueRefreshToken();
    expect((await run(['import', '--grant', 'acme'], `${lwa.issueRefreshToken()}\n`)).code).toBe(0);
    expect((await run(['import', '--grant', 'gone'], `${revoked}\n`)).code).toBe(0);
    // 334 days since consent is still fine; 335 is within 30 days of the 365-day limit.
    await writeGrant('recent', { refreshToken: 'Atzr|recent', consentedAt: Date.now() - 334 * DAY_MS - 3_600_000 });

    const fine = await run(['status', '--check']);
    expect(fine.code).toBe(0);
    expect(fine.stdout).toMatch(/acme\s+ok\s+valid/);
    expect(fine.stderr).toContain('All 3 grants OK.');
    const fineJson = await run(['status', '--check', '--json']);
    expect(fineJson.code).toBe(0);
    expect(JSON.parse(fineJson.stdout)).toMatchObject({ ok: true, checked: 3, needAttention: 0 });

    lwa.revoke(revoked);
    expect((await run(['refresh', '--grant', 'gone'])).code).toBe(4);
    await writeGrant('aging', { refreshToken: 'Atzr|aging', consentedAt: Date.now() - 335 * DAY_MS - 3_600_000 });
    await writeGrant('stale', { accessToken: 'Atza|stale', obtainedAt: Date.now() - 2 * 3_600_000, expiresAt: Date.now() - 3_600_000 });
    await writeGrant('sealed-elsewhere', { refreshToken: 'Atzr|other-key' }, OTHER_KEY);

    const check = await run(['status', '--check', '--json']);
    expect(check.code).toBe(11);
    const report = JSON.parse(check.stdout) as { ok: boolean; checked: number; needAttention: number; grants: GrantJson[] };
    expect(report).toMatchObject({ ok: false, checked: 6, needAttention: 4 });
    expect(Object.fromEntries(report.grants.map((g) => [g.grant, g.problems?.map((p) => p.code)]))).toEqual({
      acme: [],
      aging: ['consent_expiring'],
      gone: ['revoked'],
      recent: [],
      'sealed-elsewhere': ['unreadable'],
      stale: ['expired_without_refresh_token'],
    });
    expect(report.grants.find((g) => g.grant === 'aging')).toMatchObject({ ok: false, consentAgeDays: 335, consentExpiringSoon: true });

    const text = await run(['status', '--check']);
    expect(text.code).toBe(11);
    expect(text.stdout).toMatch(/gone\s+ATTENTION\s+revoked/);
    expect(text.stdout).toMatch(/acme\s+ok\s+valid/);
    expect(text.stderr).toContain("Grant 'gone': revoked: LWA refused its refresh token: the advertiser must consent again ('ads-token login --grant gone')");
    expect(text.stderr).toContain("Grant 'aging': consent limit near: consented 335 days ago, 30 days before the 365-day consent limit");
    expect(text.stderr).toContain("Grant 'stale': expired without a refresh token:");
    expect(text.stderr).toContain("Grant 'sealed-elsewhere': unreadable: the stored record does not open (DECRYPTION_FAILED)");
    expect(text.stderr).toContain('4 of 6 grants need attention.');

    // --grant narrows the check to one grant; without --check, status keeps its exit codes (8: a record does not open).
    expect((await run(['status', '--check', '--grant', 'acme'])).code).toBe(0);
    expect((await run(['status', '--check', '--grant', 'gone'])).code).toBe(11);
    const absent = await run(['status', '--check', '--grant', 'nobody']);
    expect(absent.code).toBe(3);
    expect(absent.stderr).toContain("Grant 'nobody' has no tokens");
    expect((await run(['status'])).code).toBe(8);
  });

  it('status --check with no grant stored exits 3: nothing to check is not healthy', async () => {
    const result = await run(['status', '--check', '--json']);
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toEqual({ ok: false, checked: 0, needAttention: 0, grants: [] });
    expect(result.stderr).toContain('nothing to check');
    const grants = await run(['grants']);
    expect(grants.code).toBe(0);
    expect(grants.stderr).toContain('No grants stored for client');
  });
});
