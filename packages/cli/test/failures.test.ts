import { join } from 'node:path';
import { AdsApiSimulator, LwaSimulator } from '@ads-token/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort, killAll, removeDir, runBin, simulatorEnv, expectNoSecrets, tempDir, type RunResult } from './helpers.js';

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');

// Each kind of failure has its own exit code and a message that says what to do; none prints a
// refresh token, the client secret or a Redis password.
describe('ads-token failures and exit codes', () => {
  let lwa: LwaSimulator;
  let ads: AdsApiSimulator;
  let dir: string;
  let env: Record<string, string>;
  const outputs: RunResult[] = [];
  const secrets: string[] = [];

  const run = async (args: string[], stdin = '', extraEnv: Record<string, string> = {}): Promise<RunResult> => {
    const result = await runBin(args, { ...env, ...extraEnv }, dir, stdin);
    outputs.push(result);
    return result;
  };

  /** Stores a fresh refresh token for `grant` without calling LWA; returns it. */
  const imported = async (grant = 'default', extraEnv: Record<string, string> = {}): Promise<string> => {
    const token = lwa.issueRefreshToken();
    const result = await run(['import', '--grant', grant, '--no-verify'], `${token}\n`, extraEnv);
    expect(result.code).toBe(0);
    return token;
  };

  beforeAll(async () => {
    lwa = await LwaSimulator.start();
    ads = await AdsApiSimulator.start({ lwa });
  });

  beforeEach(async () => {
    dir = await tempDir();
    lwa.clearFaults();
    ads.clearFaults();
    env = simulatorEnv(dir, lwa, { apiUrl: ads.url });
  });

  afterEach(async () => {
    killAll();
    await removeDir(dir);
    expectNoSecrets(outputs, [lwa.clientSecret, KEY_A, KEY_B, ...secrets]);
  });

  afterAll(async () => {
    await ads?.stop();
    await lwa?.stop();
  });

  it('exit 3 when the grant has no tokens, for every command that needs them', async () => {
    for (const args of [['token'], ['refresh'], ['headers'], ['profiles']]) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(3);
      expect(result.stderr).toContain('Not authenticated');
      expect(result.stdout).toBe('');
    }
    const named = await run(['token', '--grant', 'acme']);
    expect(named.stderr).toContain("Run 'ads-token login --grant acme'");
  });

  it('a revoked grant exits 4, status shows it revoked, and LWA is not asked again', async () => {
    const token = await imported();
    lwa.revoke(token);
    const refresh = await run(['refresh']);
    expect(refresh.code).toBe(4);
    expect(refresh.stderr).toContain('invalid_grant');
    expect(refresh.stderr).toContain("the advertiser must consent again with 'ads-token login'");

    const calls = lwa.counts.refresh_token;
    expect((await run(['token'])).code).toBe(4);
    expect(lwa.counts.refresh_token).toBe(calls);

    const status = await run(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^default\s+revoked\s+-\s+unknown\s+no\s+yes$/m);
    expect(JSON.parse((await run(['status', '--json'])).stdout)).toMatchObject([{ grant: 'default', status: 'revoked', revoked: true }]);
  });

  it('import of a refresh token LWA refuses exits 4 after storing it', async () => {
    const result = await run(['import'], 'Atzr|not-a-real-token\n');
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("Stored the refresh token as grant 'default', but checking it failed");
  });

  it('a wrong client secret exits 5 and is never printed', async () => {
    const wrong = 'amzn1.oa2-cs.v1.wrong-secret-for-this-test';
    secrets.push(wrong);
    const token = lwa.issueRefreshToken();
    const result = await run(['import'], `${token}\n`, { ADS_CLIENT_SECRET: wrong });
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('invalid_client');
    expect(result.stderr).toContain('Check the client id and ADS_CLIENT_SECRET');
  });

  it('LWA unreachable or failing exits 6', async () => {
    await imported();
    const closedPort = await freePort();
    const unreachable = await run(['refresh'], '', { ADS_TOKEN_URL: `http://127.0.0.1:${closedPort}/auth/o2/token` });
    expect(unreachable.code).toBe(6);
    expect(unreachable.stderr).toContain('Check the network');

    lwa.fail({ kind: 'status', status: 503, times: 20 });
    const failing = await run(['refresh']);
    expect(failing.code).toBe(6);
    expect(failing.stderr).toContain('HTTP 503');
  });

  it('an Ads API refusal exits 10, an Ads API outage 6', async () => {
    await imported();
    ads.failNext({ status: 403, times: 1 });
    const refused = await run(['profiles']);
    expect(refused.code).toBe(10);
    expect(refused.stderr).toContain('HTTP 403');

    ads.failNext({ status: 500, times: 20 });
    const down = await run(['profiles']);
    expect(down.code).toBe(6);
    expect(down.stderr).toContain('HTTP 500');
    expect(down.stderr).toContain('The Ads API answered HTTP 500; retrying in');
  });

  it('profiles refreshes once when the Ads API rejects the access token, then succeeds', async () => {
    await imported();
    const token = (await run(['token'])).stdout.trim();
    ads.rejectToken(token);
    const refreshes = lwa.counts.refresh_token;
    const result = await run(['profiles', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(ads.profiles);
    expect(lwa.counts.refresh_token).toBe(refreshes + 1);
    expect((await run(['token'])).stdout.trim()).not.toBe(token);
  });

  it('a Redis store that cannot be reached exits 7 without showing its password', async () => {
    const password = 'redis-password-not-to-print';
    secrets.push(password);
    const closedPort = await freePort();
    const result = await run(['status'], '', { ADS_TOKEN_STORE: `redis://:${password}@127.0.0.1:${closedPort}/0` });
    expect(result.code).toBe(7);
    expect(result.stderr).toContain(`Cannot connect to Redis at redis://:***@127.0.0.1:${closedPort}/0`);
  });

  it('records sealed with another encryption key exit 8; logout still removes them', async () => {
    await imported('default', { ADS_ENCRYPTION_KEY: KEY_A });
    expect((await run(['status', '--json'], '', { ADS_ENCRYPTION_KEY: KEY_A })).code).toBe(0);

    const token = await run(['token'], '', { ADS_ENCRYPTION_KEY: KEY_B });
    expect(token.code).toBe(8);
    expect(token.stderr).toContain('ADS_ENCRYPTION_KEY');
    const status = await run(['status', '--json'], '', { ADS_ENCRYPTION_KEY: KEY_B });
    expect(status.code).toBe(8);
    expect(JSON.parse(status.stdout)).toMatchObject([{ grant: 'default', status: 'unreadable', error: { code: 'DECRYPTION_FAILED' } }]);
    // Without a key, records open with the client secret's key: also the wrong one here.
    expect((await run(['token'])).code).toBe(8);

    const logout = await run(['logout'], '', { ADS_ENCRYPTION_KEY: KEY_B });
    expect(logout.code).toBe(0);
    expect(JSON.parse((await run(['status', '--json'])).stdout)).toEqual([]);
  });

  it('import reads --refresh-token-file, warns about --refresh-token, and refuses empty input (exit 2)', async () => {
    const { writeFile } = await import('node:fs/promises');
    const fromFile = lwa.issueRefreshToken();
    await writeFile(join(dir, 'rt.txt'), `\n${fromFile}\n`, { mode: 0o600 });
    const file = await run(['import', '--grant', 'f', '--refresh-token-file', 'rt.txt']);
    expect(file.code).toBe(0);

    const fromArgv = lwa.issueRefreshToken();
    const argv = await run(['import', '--grant', 'a', '--refresh-token', fromArgv]);
    expect(argv.code).toBe(0);
    expect(argv.stderr).toContain('Warning: --refresh-token puts the token in the process list');

    const empty = await run(['import', '--grant', 'e'], '\n\n');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('No refresh token was given');
    const missing = await run(['import', '--refresh-token-file', 'nope.txt']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read the refresh token file');

    const grants = JSON.parse((await run(['status', '--json'])).stdout) as Array<{ grant: string }>;
    expect(grants.map((g) => g.grant)).toEqual(['a', 'f']);
  });
});
