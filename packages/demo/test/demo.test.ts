import { LwaSimulator } from '@ads-token/testing';
import { createClient } from 'redis';
import { afterEach, describe, expect, test } from 'vitest';
import { startRedis, type RedisServer } from '../../redis-common/test/redis-server.js';
import { startPostgres, type PostgresServer } from '../../store-postgres/test/postgres-server.js';
import { figure, runDemoProcess, type DemoRun } from './support/run-demo-process.js';

let redis: RedisServer | undefined;
let postgres: PostgresServer | undefined;
afterEach(async () => {
  await redis?.stop();
  redis = undefined;
  await postgres?.stop();
  postgres = undefined;
});

async function simulatorSecret(): Promise<string> {
  const lwa = await LwaSimulator.start();
  const secret = lwa.clientSecret;
  await lwa.stop();
  return secret;
}

/** The summary's invariants, as a user reads them. */
async function expectHealthyRun(run: DemoRun): Promise<void> {
  expect(run.stderr).toBe('');
  expect(run.code, run.stdout.slice(-2000)).toBe(0);
  const expiries = figure(run.stdout, 'token expiries');
  expect(expiries).toBeGreaterThanOrEqual(1);
  expect(figure(run.stdout, 'LWA refresh requests')).toBe(expiries);
  expect(run.stdout).toMatch(/^refreshes per expiry: 1\.00 /m);
  expect(figure(run.stdout, 'errors')).toBe(0);
  expect(run.stdout).toMatch(/^OK: 4 workers x 200 grants, \d+ expiries, exactly one LWA refresh per expiry for every grant, at most 4 LWA requests in flight per worker, no errors\.$/m);
  // Per grant, not only fleet-wide; the pool's cap on LWA requests in flight; the heap each grant costs.
  expect(run.stdout).toMatch(/^per grant: +refreshes per expiry exactly 1 for 200 of 200 grants \(min 1\.00, max 1\.00; must be 1 for all\)$/m);
  const inFlight = /^LWA requests in flight at most: (\d+) per worker \(cap 4; TokenPool peakConcurrentRefreshes (\d+)\)$/m.exec(run.stdout);
  expect(Number(inFlight?.[1])).toBeGreaterThanOrEqual(1);
  expect(Number(inFlight?.[1])).toBeLessThanOrEqual(4);
  expect(Number(inFlight?.[2])).toBeLessThanOrEqual(4);
  expect(run.stdout).toMatch(/^heap per grant: +\d+\.\d\d kB at most /m);
  expect(run.stdout).toContain('grants             200 advertisers, 599 profiles; each worker serves them all through one TokenPool');
  // One table row per worker, each served calls with no errors, plus the total row.
  const rows = run.stdout.split('\n').filter((l) => /^ {2}[1-4]\s+\d+\s+\d+/.test(l));
  expect(rows).toHaveLength(4);
  for (const row of rows) {
    const cells = row.trim().split(/\s+/);
    expect(Number(cells[2])).toBeGreaterThan(0); // calls served
    expect(cells.at(-1)).toBe('0'); // errors
  }
  // Plain (non-TTY) status lines while it ran, one per worker per block.
  expect(run.stdout).toMatch(/^ {2}worker 1 \(pid \d+\) running: /m);
  expect(run.stdout).toContain('Signed in: consent URL with PKCE (S256)');
  // Nothing prints a token or the client secret.
  expect(run.stdout).not.toMatch(/Atz[ar]\|/);
  expect(run.stdout).not.toContain(await simulatorSecret());
}

describe('pnpm demo', () => {
  test('with the file store and lock: 4 worker processes x 200 grants, one LWA refresh per expiry for every grant, no errors', async () => {
    const run = await runDemoProcess({ DEMO_SECONDS: '12' }, 60_000);
    await expectHealthyRun(run);
    expect(run.stdout).toMatch(/token store, lock {2}FileTokenStore \S+tokens\.json \+ FileLock /);
  }, 90_000);

  test('with REDIS_URL: RedisTokenStore and RedisLock over node-redis, says so, and leaves no keys behind', async () => {
    redis = await startRedis();
    const run = await runDemoProcess({ DEMO_SECONDS: '12', REDIS_URL: redis.url }, 60_000);
    await expectHealthyRun(run);
    expect(run.stdout).toContain(`RedisTokenStore + RedisLock (node-redis) at redis://127.0.0.1:${redis.port}  (REDIS_URL is set)`);
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      expect(await client.keys('ads-token-demo:*')).toEqual([]);
    } finally {
      await client.close();
    }
  }, 90_000);

  test('with --metrics: prints the fleet\'s metrics once through the OpenTelemetry console exporter, matching the summary', async () => {
    const run = await runDemoProcess({ DEMO_SECONDS: '12' }, 60_000, ['--metrics']);
    await expectHealthyRun(run);
    expect(run.stdout).toContain('Metrics of the whole fleet (@ads-token/otel, OpenTelemetry console exporter):');
    // console.dir colours its output when FORCE_COLOR is set (as nx does): read it without the colours.
    // eslint-disable-next-line no-control-regex
    const stdout = run.stdout.replace(/\u001b\[[0-9;]*m/g, '');
    const names = ['ads_token.refreshes', 'ads_token.refresh.duration', 'ads_token.token.expires_in', 'ads_token.consent.age', 'ads_token.grant.revoked'];
    // each exported exactly once
    expect(Object.fromEntries(names.map((name) => [name, stdout.split(`name: '${name}'`).length - 1])), stdout.slice(-6000)).toEqual(
      Object.fromEntries(names.map((name) => [name, 1])),
    );
    const fromLwa = /attributes: \{ 'ads_token\.source': 'lwa', 'ads_token\.outcome': 'success' \},\s+startTime: [^\n]+\n\s+endTime: [^\n]+\n\s+value: (\d+)/.exec(stdout);
    expect(Number(fromLwa?.[1])).toBe(figure(stdout, 'LWA refresh requests'));
    expect(stdout).toMatch(/attributes: \{ 'ads_token\.grant_id': 'advertiser-001' \}/);
  }, 90_000);

  test('an unknown argument is refused with a message and exit code 1', async () => {
    const run = await runDemoProcess({}, 30_000, ['--metric']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unknown argument --metric');
  }, 60_000);

  test('with DATABASE_URL: PostgresTokenStore and PostgresLock over pg, says so, and drops the tables it made', async () => {
    postgres = await startPostgres();
    const run = await runDemoProcess({ DEMO_SECONDS: '12', DATABASE_URL: postgres.url }, 60_000);
    await expectHealthyRun(run);
    expect(run.stdout).toContain(`PostgresTokenStore + PostgresLock (pg) at postgres://127.0.0.1:${postgres.port}/postgres  (DATABASE_URL is set)`);
    const { rows } = await postgres.query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'ads\\_token\\_demo\\_%'`);
    expect(rows).toEqual([{ n: 0 }]);
  }, 90_000);

  test('REDIS_URL and DATABASE_URL together are refused', async () => {
    const run = await runDemoProcess({ DEMO_SECONDS: '12', REDIS_URL: 'redis://127.0.0.1:1', DATABASE_URL: 'postgres://127.0.0.1:1/x' }, 30_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Set REDIS_URL or DATABASE_URL, not both');
  }, 60_000);

  test('exits non-zero and says why when the invariants are not met (a run shorter than one refresh interval)', async () => {
    const run = await runDemoProcess({ DEMO_SECONDS: '3', DEMO_WORKERS: '2' }, 60_000);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAILED: no token came due for \d+ of 200 grants \(run longer than the token lifetime\)/m);
  }, 90_000);

  test('a bad setting is refused with a message and exit code 1', async () => {
    const run = await runDemoProcess({ DEMO_SECONDS: 'soon' }, 30_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('DEMO_SECONDS must be an integer');
  }, 60_000);
});
