import { fileURLToPath } from 'node:url';
import { LwaSimulator } from '@ads-token/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureTable, startDynalite, type DynaliteServer } from '../../store-dynamodb/test/dynalite-server.js';
import { expectNoSecrets, killAll, removeDir, runBin, simulatorEnv, tempDir, type RunResult } from './helpers.js';

const GUARD = fileURLToPath(new URL('../../store-dynamodb/test/fixtures/loopback-only.mjs', import.meta.url));

// The built binary with a `dynamodb://TABLE` store: dynalite on loopback, found through the usual
// AWS environment (AWS_ENDPOINT_URL_DYNAMODB, region, credentials); every connection to anything but
// loopback is refused inside the child.
describe('ads-token with a dynamodb:// store', () => {
  let lwa: LwaSimulator;
  let dynamo: DynaliteServer;
  let dir: string;
  let env: Record<string, string>;
  const outputs: RunResult[] = [];

  const run = async (args: string[], stdin = '', extraEnv: Record<string, string> = {}): Promise<RunResult> => {
    const result = await runBin(args, { ...env, ...extraEnv }, dir, stdin);
    outputs.push(result);
    return result;
  };

  beforeAll(async () => {
    dynamo = await startDynalite();
    await ensureTable(dynamo.endpoint, 'cli-tokens');
    lwa = await LwaSimulator.start();
  });

  beforeEach(async () => {
    dir = await tempDir();
    env = {
      ...simulatorEnv(dir, lwa, { store: 'dynamodb://cli-tokens' }),
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDLOOPBACKTEST',
      AWS_SECRET_ACCESS_KEY: 'loopback-test-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
      NODE_OPTIONS: `--import=${GUARD}`,
    };
  });

  afterEach(async () => {
    killAll();
    await removeDir(dir);
    expectNoSecrets(outputs, [lwa.clientSecret, 'loopback-test-secret']);
  });

  afterAll(async () => {
    await lwa?.stop();
    await dynamo?.stop();
  });

  it('import, token, status, refresh and logout work on the table', async () => {
    const imported = await run(['import', '--grant', 'lambda'], `${lwa.issueRefreshToken()}\n`);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain("Imported the refresh token as grant 'lambda' in dynamodb://cli-tokens.");
    const token = await run(['token', '--grant', 'lambda']);
    expect(token.code).toBe(0);
    expect(lwa.isValidAccessToken(token.stdout.trim())).toBe(true);
    const status = await run(['status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.stringify(JSON.parse(status.stdout))).toContain('"lambda"');
    expect((await run(['refresh', '--grant', 'lambda'])).code).toBe(0);
    const logout = await run(['logout', '--grant', 'lambda']);
    expect(logout.code).toBe(0);
    expect(logout.stderr).toContain("Removed grant 'lambda' from dynamodb://cli-tokens.");
    expect((await run(['token', '--grant', 'lambda'])).code).toBe(3);
  });

  it('a table that does not exist is a store failure (exit 7) naming DynamoDB', async () => {
    const result = await run(['token'], '', { ADS_TOKEN_STORE: 'dynamodb://no-such-table' });
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('ResourceNotFoundException');
  });

  it('an invalid table name is a usage error', async () => {
    const result = await run(['status'], '', { ADS_TOKEN_STORE: 'dynamodb://a' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('dynamodb://TABLE');
  });
});
