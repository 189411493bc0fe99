import { LwaSimulator } from '@ads-token/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../store-postgres/test/postgres-server.js';
import { expectNoSecrets, freePort, removeDir, runBin, simulatorEnv, tempDir, type RunResult } from './helpers.js';

// The CLI with ADS_TOKEN_STORE=postgres://...: the built binary as a child process against a
// PostgreSQL the test starts and LwaSimulator.
describe('ads-token with a PostgreSQL store', () => {
  let server: PostgresServer;
  let lwa: LwaSimulator;
  let dir: string;
  let env: Record<string, string>;
  const outputs: RunResult[] = [];
  const run = async (args: string[], stdin = '', extraEnv: Record<string, string> = {}): Promise<RunResult> => {
    const result = await runBin(args, { ...env, ...extraEnv }, dir, stdin);
    outputs.push(result);
    return result;
  };

  beforeAll(async () => {
    server = await startPostgres();
    lwa = await LwaSimulator.start();
  });
  beforeEach(async () => {
    dir = await tempDir();
    env = simulatorEnv(dir, lwa, { store: server.url });
  });
  afterEach(async () => {
    await removeDir(dir);
    expectNoSecrets(outputs, [lwa.clientSecret]);
  });
  afterAll(async () => {
    await lwa?.stop();
    await server?.stop();
  });

  it('import, status, token, refresh and logout work on a postgres:// store, which creates its tables', async () => {
    const imported = await run(['import', '--grant', 'pg'], `${lwa.issueRefreshToken()}\n`);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toMatch(/Imported the refresh token as grant 'pg' .* It works: access token valid for/);
    const status = await run(['status', '--json']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('"pg"');
    const token = await run(['token', '--grant', 'pg']);
    expect(lwa.isValidAccessToken(token.stdout.trim())).toBe(true);
    expect((await run(['refresh', '--grant', 'pg'])).code).toBe(0);
    const rows = await server.query('SELECT key, length(data) > 0 AS sealed FROM ads_token');
    expect(rows.rows).toEqual([{ key: expect.stringContaining('pg}') as unknown, sealed: true }]);
    expect((await run(['logout', '--grant', 'pg'])).code).toBe(0);
    expect((await server.query('SELECT count(*)::int AS n FROM ads_token')).rows).toEqual([{ n: 0 }]);
    // postgresql:// is the same store.
    const again = await run(['status', '--json'], '', { ADS_TOKEN_STORE: server.url.replace('postgres://', 'postgresql://') });
    expect(again.code).toBe(0);
  });

  it('grants and status --check read every grant through the pool on a postgres:// store', async () => {
    const revoked = lwa.issueRefreshToken();
    expect((await run(['import', '--grant', 'pg-a'], `${lwa.issueRefreshToken()}\n`)).code).toBe(0);
    expect((await run(['import', '--grant', 'pg-b'], `${revoked}\n`)).code).toBe(0);
    const grants = await run(['grants', '--json']);
    expect(grants.code).toBe(0);
    expect(JSON.parse(grants.stdout)).toMatchObject([
      { grant: 'pg-a', status: 'valid', profiles: null },
      { grant: 'pg-b', status: 'valid', profiles: null },
    ]);
    expect((await run(['status', '--check'])).code).toBe(0);
    lwa.revoke(revoked);
    expect((await run(['refresh', '--grant', 'pg-b'])).code).toBe(4);
    const check = await run(['status', '--check']);
    expect(check.code).toBe(11);
    expect(check.stderr).toContain("Grant 'pg-b': revoked:");
    expect(check.stderr).toContain('1 of 2 grants need attention.');
    expect((await run(['logout', '--grant', 'pg-a'])).code).toBe(0);
    expect((await run(['logout', '--grant', 'pg-b'])).code).toBe(0);
  });

  it('an unreachable database exits 7 and shows the URL without its password', async () => {
    const password = 'pg-password-not-to-print';
    const closedPort = await freePort();
    const result = await run(['status'], '', { ADS_TOKEN_STORE: `postgres://user:${password}@127.0.0.1:${closedPort}/db` });
    expect(result.code).toBe(7);
    expect(result.stderr).toContain(`Cannot connect to PostgreSQL at postgres://user:***@127.0.0.1:${closedPort}/db`);
    expect(result.stderr).not.toContain(password);
  });

  it('another URL scheme is refused with exit 2, naming the ones that work', async () => {
    const result = await run(['status'], '', { ADS_TOKEN_STORE: 'mysql://127.0.0.1/db' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('postgres:// or postgresql:// URL');
  });
});
