import { chmod, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LwaSimulator } from '@ads-token/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { killAll, removeDir, runBin, expectNoSecrets, tempDir, type RunResult } from './helpers.js';

const COMMANDS = ['login', 'status', 'grants', 'refresh', 'token', 'headers', 'profiles', 'import', 'logout'];
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

// Help, version, bad command lines, and where configuration comes from (flags > env > file).
describe('ads-token usage and configuration', () => {
  let lwa: LwaSimulator;
  let dir: string;
  let env: Record<string, string>;
  const outputs: RunResult[] = [];

  const run = async (args: string[], extraEnv: Record<string, string> = {}, stdin = ''): Promise<RunResult> => {
    const result = await runBin(args, { ...env, ...extraEnv }, dir, stdin);
    outputs.push(result);
    return result;
  };

  beforeAll(async () => {
    lwa = await LwaSimulator.start();
  });

  beforeEach(async () => {
    dir = await tempDir();
    env = { HOME: dir, TMPDIR: dir };
  });

  afterEach(async () => {
    killAll();
    await removeDir(dir);
    expectNoSecrets(outputs, [lwa.clientSecret]);
  });

  afterAll(async () => {
    await lwa?.stop();
  });

  it('--help lists every command and the exit codes; --version prints the version', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const name of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${name}\\s+\\S`, 'm'));
    expect(help.stdout).toContain('Exit codes:');
    expect(help.stdout).toMatch(/^\s+9 {2}consent not completed/m);
    expect(help.stdout).toMatch(/^\s+11 {2}status --check: a grant needs attention/m);
    const v = await run(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toBe(`${version}\n`);
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: ads-token <command>');
  });

  it('--help works on every command without any configuration', async () => {
    for (const name of COMMANDS) {
      const result = await run([name, '--help']);
      expect(result.code, name).toBe(0);
      expect(result.stdout.startsWith(`Usage: ads-token ${name}`), name).toBe(true);
      expect(result.stdout).toContain('Examples:');
      expect((await run(['help', name])).stdout).toBe(result.stdout);
    }
    const status = await run(['status', '--help']);
    expect(status.stdout).toMatch(/^ {2}--check\s+Exit 11 when any grant needs attention/m);
  });

  it('bad command lines exit 2 with a pointer to help', async () => {
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    const flag = await run(['token', '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--bogus'");
    expect(flag.stderr).toContain("Run 'ads-token token --help' for usage.");
    const extra = await run(['status', 'extra']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('Unexpected argument "extra"');
    const format = await run(['headers', '--format', 'xml'], { ADS_CLIENT_ID: lwa.clientId, ADS_CLIENT_SECRET: lwa.clientSecret });
    expect(format.code).toBe(2);
    const profile = await run(['headers', '--profile', 'abc'], { ADS_CLIENT_ID: lwa.clientId, ADS_CLIENT_SECRET: lwa.clientSecret });
    expect(profile.code).toBe(2);
    expect(profile.stderr).toContain('--profile must be a numeric profile id');
  });

  it('secrets are refused as flags, without echoing them', async () => {
    const secret = await run(['status', `--client-secret=${lwa.clientSecret}`]);
    expect(secret.code).toBe(2);
    expect(secret.stderr).toContain('--client-secret is not a flag');
    const key = await run(['status', '--encryption-key', 'c29tZS1rZXktdmFsdWUtbm90LXRvLXByaW50']);
    expect(key.code).toBe(2);
    expect(key.stderr).not.toContain('c29tZS1rZXktdmFsdWUtbm90LXRvLXByaW50');
  });

  it('missing or bad configuration exits 2 naming what to set', async () => {
    const noId = await run(['status']);
    expect(noId.code).toBe(2);
    expect(noId.stderr).toContain('Missing client id: pass --client-id, set ADS_CLIENT_ID');
    const noSecret = await run(['status'], { ADS_CLIENT_ID: lwa.clientId });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('Missing client secret: set ADS_CLIENT_SECRET');
    const region = await run(['status', '--region', 'XX'], { ADS_CLIENT_ID: lwa.clientId, ADS_CLIENT_SECRET: lwa.clientSecret });
    expect(region.code).toBe(2);
    expect(region.stderr).toContain('Unknown region "XX"');
    const store = await run(['status'], { ADS_CLIENT_ID: lwa.clientId, ADS_CLIENT_SECRET: lwa.clientSecret, ADS_TOKEN_STORE: 'mysql://x' });
    expect(store.code).toBe(2);
    const missingFile = await run(['status', '--config', 'nope.json']);
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toContain('Cannot read the config file');
  });

  it('reads ./ads-token.config.json; env overrides the file and flags override env', async () => {
    await writeFile(
      join(dir, 'ads-token.config.json'),
      JSON.stringify({ clientId: 'from-file', clientSecret: lwa.clientSecret, store: 'file-tokens.json', region: 'eu' }),
      { mode: 0o600 },
    );
    const fromFile = await run(['status']);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stderr).toContain(`No grants stored for client from-file in ${join(dir, 'file-tokens.json')}`);

    const fromEnv = await run(['status'], { ADS_CLIENT_ID: 'from-env', ADS_TOKEN_STORE: join(dir, 'env-tokens.json') });
    expect(fromEnv.stderr).toContain(`No grants stored for client from-env in ${join(dir, 'env-tokens.json')}`);

    const fromFlag = await run(['status', '--client-id', 'from-flag'], { ADS_CLIENT_ID: 'from-env' });
    expect(fromFlag.stderr).toContain('No grants stored for client from-flag');

    // The region from the file picks EU's consent page.
    const login = await run(['login', '--timeout', '1'], { ADS_TOKEN_STORE: join(dir, 't.json') });
    expect(login.stderr).toContain('https://eu.account.amazon.com/ap/oa?client_id=from-file');
    expect(login.code).toBe(9);
  });

  it('--config names another file; unknown fields are refused; a readable secret file gets a warning', async () => {
    await writeFile(join(dir, 'custom.json'), JSON.stringify({ clientId: 'custom', clientSecret: lwa.clientSecret }));
    await chmod(join(dir, 'custom.json'), 0o644);
    const custom = await run(['status', '--config', 'custom.json']);
    expect(custom.code).toBe(0);
    expect(custom.stderr).toContain('No grants stored for client custom');
    expect(custom.stderr).toContain('holds a secret and group or others can read it; run chmod 600');

    await writeFile(join(dir, 'typo.json'), JSON.stringify({ clientID: 'x' }));
    const typo = await run(['status', '--config', 'typo.json']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Unknown field "clientID"');
  });
});
