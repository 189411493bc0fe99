import { AdsApiSimulator, LwaSimulator } from '@ads-token/testing';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONSENT_URL, consent, freeListenPort, killAll, removeDir, runBin, startBin, simulatorEnv, expectNoSecrets, startRedis, tempDir, type RunResult, type TestRedis } from './helpers.js';

// Every command, end to end: the built binary as a child process against LwaSimulator and
// AdsApiSimulator, once with a token file and once with a Redis store.
describe.each(['file', 'redis'] as const)('ads-token with a %s store', (kind) => {
  let lwa: LwaSimulator;
  let ads: AdsApiSimulator;
  let redis: TestRedis | undefined;
  let listenPort: number;
  let dir: string;
  let env: Record<string, string>;
  const outputs: RunResult[] = [];

  const run = async (args: string[], stdin = '', extraEnv: Record<string, string> = {}): Promise<RunResult> => {
    const result = await runBin(args, { ...env, ...extraEnv }, dir, stdin);
    outputs.push(result);
    return result;
  };

  /** `login` in paste mode, approving in the simulated browser. */
  const loginPaste = async (args: string[] = []): Promise<RunResult> => {
    const child = startBin(['login', ...args], env, dir);
    const [, url] = await child.waitForStderr(CONSENT_URL);
    const location = await consent(url!);
    expect(location.startsWith('https://localhost/?')).toBe(true);
    await child.waitForStderr(/paste it here/);
    child.write(`${location}\n`);
    const result = await child.done();
    outputs.push(result);
    return result;
  };

  beforeAll(async () => {
    if (kind === 'redis') redis = await startRedis();
    listenPort = await freeListenPort();
    lwa = await LwaSimulator.start({ redirectUris: ['https://localhost', `http://localhost:${listenPort}/callback`] });
    ads = await AdsApiSimulator.start({ lwa });
  });

  beforeEach(async () => {
    dir = await tempDir();
    if (redis !== undefined) {
      const client = createClient({ url: redis.url });
      await client.connect();
      await client.flushAll();
      await client.close();
    }
    env = simulatorEnv(dir, lwa, { apiUrl: ads.url, ...(redis === undefined ? {} : { store: redis.url }) });
  });

  afterEach(async () => {
    killAll();
    await removeDir(dir);
    // No output of any command may show a refresh token or the client secret.
    expectNoSecrets(outputs, [lwa.clientSecret]);
  });

  afterAll(async () => {
    await ads?.stop();
    await lwa?.stop();
    await redis?.stop();
  });

  it('login pastes the redirected URL, checks state, exchanges the code and stores the tokens', async () => {
    const result = await loginPaste();
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Logged in: grant 'default' stored in .*; access token valid for/);
    expect(lwa.counts.authorization_code).toBeGreaterThanOrEqual(1);

    const status = await run(['status', '--json']);
    expect(status.code).toBe(0);
    const grants = JSON.parse(status.stdout) as Array<Record<string, unknown>>;
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ grant: 'default', status: 'valid', hasRefreshToken: true, revoked: false, isExpired: false });
    expect(grants[0]!.secondsSinceConsent).toBeGreaterThanOrEqual(0);
  });

  it('login receives the redirect on a local http://localhost listener and answers the browser', async () => {
    const redirectUri = `http://localhost:${listenPort}/callback`;
    const child = startBin(['login', '--grant', 'acme', '--redirect-uri', redirectUri, '--json'], env, dir);
    const [, url] = await child.waitForStderr(CONSENT_URL);
    await child.waitForStderr(/Waiting up to 5m for the redirect/);
    const location = await consent(url!);
    expect(location.startsWith(`${redirectUri}?`)).toBe(true);
    const page = await fetch(location);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Logged in');
    const result = await child.done();
    outputs.push(result);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ grant: 'acme', status: 'valid', hasRefreshToken: true });

    const status = await run(['status', '--grant', 'acme', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject([{ grant: 'acme', status: 'valid' }]);
  });

  it('status lists every grant as a table and as JSON', async () => {
    expect((await loginPaste()).code).toBe(0);
    expect((await loginPaste(['--grant', 'acme:eu'])).code).toBe(0);
    const table = await run(['status']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/^GRANT\s+STATUS\s+ACCESS TOKEN\s+CONSENTED\s+REFRESH TOKEN\s+REVOKED$/);
    expect(lines.slice(2).map((l) => l.split(/\s+/)[0])).toEqual(['acme:eu', 'default']);
    for (const line of lines.slice(2)) expect(line).toMatch(/valid\s+expires in \d+[hm].*\s+\d+s ago\s+yes\s+no$/);

    const json = JSON.parse((await run(['status', '--json'])).stdout) as Array<{ grant: string }>;
    expect(json.map((g) => g.grant)).toEqual(['acme:eu', 'default']);
  });

  it('status with no grants says so and exits 0; with --grant an unknown grant exits 3', async () => {
    const empty = await run(['status']);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toContain("No grants stored for client");
    expect(JSON.parse((await run(['status', '--json'])).stdout)).toEqual([]);
    const missing = await run(['status', '--grant', 'nobody', '--json']);
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout)).toMatchObject([{ grant: 'nobody', status: 'not_authenticated' }]);
  });

  it('token prints a valid access token and nothing else on stdout', async () => {
    await loginPaste();
    const result = await run(['token']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Atza\|\S+\n$/);
    expect(lwa.isValidAccessToken(result.stdout.trim())).toBe(true);
    expect(result.stderr).toBe('');
  });

  it('headers prints Ads API headers as JSON and as curl -H lines', async () => {
    await loginPaste();
    const json = await run(['headers', '--profile', '1000000000001']);
    expect(json.code).toBe(0);
    const headers = JSON.parse(json.stdout) as Record<string, string>;
    expect(Object.keys(headers)).toEqual(['Authorization', 'Amazon-Advertising-API-ClientId', 'Amazon-Advertising-API-Scope']);
    expect(headers.Authorization).toMatch(/^Bearer Atza\|/);
    expect(headers['Amazon-Advertising-API-ClientId']).toBe(lwa.clientId);
    expect(headers['Amazon-Advertising-API-Scope']).toBe('1000000000001');
    expect(lwa.isValidAccessToken(headers.Authorization!.slice('Bearer '.length))).toBe(true);

    const curl = await run(['headers', '--profile', '1000000000001', '--format', 'curl']);
    expect(curl.stdout.trim().split('\n')).toEqual([
      `-H "Authorization: ${headers.Authorization!}"`,
      `-H "Amazon-Advertising-API-ClientId: ${lwa.clientId}"`,
      '-H "Amazon-Advertising-API-Scope: 1000000000001"',
    ]);
  });

  it('refresh gets a new access token from LWA and prints no token', async () => {
    await loginPaste();
    const before = (await run(['token'])).stdout.trim();
    const refreshesBefore = lwa.counts.refresh_token;
    const result = await run(['refresh']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Refreshed grant 'default': access token valid for/);
    expect(result.stdout).toBe('');
    expect(lwa.counts.refresh_token).toBe(refreshesBefore + 1);
    const after = (await run(['token'])).stdout.trim();
    expect(after).not.toBe(before);
    expect(lwa.isValidAccessToken(after)).toBe(true);
    expect(`${result.stdout}${result.stderr}`).not.toContain(after);
  });

  it('profiles lists the Ads API profiles as a table and as JSON', async () => {
    await loginPaste();
    const table = await run(['profiles']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^PROFILE ID\s+COUNTRY\s+CURRENCY\s+TYPE\s+NAME$/);
    expect(lines.slice(1)).toHaveLength(ads.profiles.length);
    expect(lines[1]).toMatch(/^1000000000001\s+US\s+USD\s+seller\s+Simulated Seller US$/);
    const json = await run(['profiles', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(ads.profiles);
  });

  it('import stores a refresh token read from stdin, checks it, and --if-absent never overwrites', async () => {
    const refreshToken = lwa.issueRefreshToken();
    const result = await run(['import', '--grant', 'imported'], `${refreshToken}\n`);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Imported the refresh token as grant 'imported' .* It works: access token valid for/);
    const token = await run(['token', '--grant', 'imported']);
    expect(lwa.isValidAccessToken(token.stdout.trim())).toBe(true);

    const other = lwa.issueRefreshToken();
    const again = await run(['import', '--grant', 'imported', '--if-absent', '--json'], `${other}\n`);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ grant: 'imported', imported: false, reason: 'exists' });
    lwa.revoke(other);
    expect((await run(['refresh', '--grant', 'imported'])).code).toBe(0);
  });

  it('logout clears a grant; afterwards token exits 3 (not authenticated)', async () => {
    await loginPaste();
    const result = await run(['logout']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Removed grant 'default' from /);
    const token = await run(['token']);
    expect(token.code).toBe(3);
    expect(token.stdout).toBe('');
    expect(token.stderr).toContain('Not authenticated');
    expect(token.stderr).toContain("Run 'ads-token login'");
    const twice = await run(['logout']);
    expect(twice.code).toBe(0);
    expect(twice.stderr).toContain('nothing to remove');
  });
});
