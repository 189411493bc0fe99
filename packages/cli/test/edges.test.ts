import { LwaSimulator } from '@ads-token/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONSENT_URL, consent, expectNoSecrets, killAll, removeDir, runBin, simulatorEnv, startBin, startRedis, tempDir, type RunResult, type TestRedis } from './helpers.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

// Failures at the edges: each one names what actually failed, and none prints a secret.
describe('ads-token at the edges', () => {
  let lwa: LwaSimulator;
  let dir: string;
  let env: Record<string, string>;
  const outputs: RunResult[] = [];
  const secrets: string[] = [];

  const run = async (args: string[], stdin = '', extraEnv: Record<string, string> = {}): Promise<RunResult> => {
    const result = await runBin(args, { ...env, ...extraEnv }, dir, stdin);
    outputs.push(result);
    return result;
  };

  beforeAll(async () => {
    lwa = await LwaSimulator.start({ rotateRefreshTokens: true });
  });

  beforeEach(async () => {
    dir = await tempDir();
    lwa.clearFaults();
    env = simulatorEnv(dir, lwa);
  });

  afterEach(async () => {
    killAll();
    await removeDir(dir);
    expectNoSecrets(outputs, [lwa.clientSecret, KEY, ...secrets]);
  });

  afterAll(async () => {
    await lwa?.stop();
  });

  describe('with a Redis that wants a password', () => {
    let redis: TestRedis;
    const password = 'the-right-redis-password';
    beforeAll(async () => {
      redis = await startRedis({ args: ['--requirepass', password] });
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it('a wrong or missing password says that authentication failed (exit 7), never SimpleError', async () => {
      const wrong = 'a-wrong-redis-password';
      secrets.push(wrong, password);
      for (const store of [`redis://:${wrong}@127.0.0.1:${redis.port}/0`, `redis://127.0.0.1:${redis.port}/0`]) {
        const result = await run(['status'], '', { ADS_TOKEN_STORE: store });
        expect(result.code, store).toBe(7);
        expect(result.stderr).toContain('authentication failed');
        expect(result.stderr).not.toContain('SimpleError');
        expect(result.stderr).toContain('Check the user name and password');
      }
      const right = await run(['status'], '', { ADS_TOKEN_STORE: `redis://:${password}@127.0.0.1:${redis.port}/0` });
      expect(right.code).toBe(0);
    });
  });

  it('a wrong client secret during login names the code exchange, not a token refresh (exit 5)', async () => {
    const wrong = 'amzn1.oa2-cs.v1.wrong-secret-for-login';
    secrets.push(wrong);
    const child = startBin(['login'], { ...env, ADS_CLIENT_SECRET: wrong }, dir);
    const [, url] = await child.waitForStderr(CONSENT_URL);
    const location = await consent(url!);
    await child.waitForStderr(/paste it here/);
    child.write(`${location}\n`);
    const result = await child.done();
    outputs.push(result);
    expect(result.code).toBe(5);
    expect(result.stderr).not.toContain('Token refresh failed');
    expect(result.stderr).toContain('Exchanging the authorization code with LWA failed');
    expect(result.stderr).toContain('invalid_client');
  });

  it('a malformed ADS_ENCRYPTION_KEY is reported once, up front, as malformed (exit 2)', async () => {
    for (const grant of ['a', 'b', 'c']) {
      expect((await run(['import', '--grant', grant, '--no-verify'], `${lwa.issueRefreshToken()}\n`, { ADS_ENCRYPTION_KEY: KEY })).code).toBe(0);
    }
    const malformed = 'not-a-32-byte-key';
    secrets.push(malformed);
    for (const args of [['status'], ['status', '--json'], ['token', '--grant', 'a'], ['import', '--grant', 'd', '--no-verify']]) {
      const result = await run(args, `${lwa.issueRefreshToken()}\n`, { ADS_ENCRYPTION_KEY: malformed });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.match(/ADS_ENCRYPTION_KEY is malformed/g), args.join(' ')).toHaveLength(1);
      expect(result.stderr).not.toContain('unreadable');
      expect(result.stdout).toBe('');
    }
    const status = await run(['status', '--json'], '', { ADS_ENCRYPTION_KEY: KEY });
    expect((JSON.parse(status.stdout) as Array<{ grant: string }>).map((g) => g.grant)).toEqual(['a', 'b', 'c']);
  });

  it('import checks a new token before it replaces a working grant; a refused one leaves the grant as it was', async () => {
    expect((await run(['import'], `${lwa.issueRefreshToken()}\n`)).code).toBe(0);
    const refused = await run(['import'], 'Atzr|not-a-real-token\n');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("grant 'default' was left as it was");
    expect((await run(['refresh'])).code).toBe(0);

    // A good token replaces it, and what is stored is what LWA answered (a rotated refresh token).
    const next = lwa.issueRefreshToken();
    const replaced = await run(['import', '--json'], `${next}\n`);
    expect(replaced.code).toBe(0);
    expect(JSON.parse(replaced.stdout)).toMatchObject({ grant: 'default', imported: true, verified: true, status: 'valid' });
    expect((await run(['refresh'])).code).toBe(0);
    const token = await run(['token']);
    expect(lwa.isValidAccessToken(token.stdout.trim())).toBe(true);
  });

  it('import --if-absent treats a revoked grant as absent', async () => {
    const first = lwa.issueRefreshToken();
    expect((await run(['import', '--no-verify'], `${first}\n`)).code).toBe(0);
    lwa.revoke(first);
    expect((await run(['refresh'])).code).toBe(4);
    const status = await run(['status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject([{ grant: 'default', status: 'revoked' }]);

    const again = await run(['import', '--if-absent', '--json'], `${lwa.issueRefreshToken()}\n`);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ grant: 'default', imported: true, verified: true });
    expect((await run(['refresh'])).code).toBe(0);

    // A working grant is still never overwritten.
    const kept = await run(['import', '--if-absent', '--json'], `${lwa.issueRefreshToken()}\n`);
    expect(JSON.parse(kept.stdout)).toEqual({ grant: 'default', imported: false, reason: 'exists' });
  });
});
