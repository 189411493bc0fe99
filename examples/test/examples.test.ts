import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdsApiSimulator, LwaSimulator } from '@ads-token/testing';
import type { LwaSimulatorOptions } from '@ads-token/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { run as firstAuthentication } from '../src/01-first-authentication.js';
import { run as reuseStoredTokens } from '../src/02-reuse-stored-tokens.js';
import { run as batchApiCalls } from '../src/03-batch-api-calls.js';
import { run as errorHandling } from '../src/04-error-handling.js';
import type { ExampleEnv } from '../src/example-env.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface World {
  lwa: LwaSimulator;
  ads: AdsApiSimulator;
  dir: string;
  lines: string[];
  env: ExampleEnv;
}

/** Starts both simulators and a temp directory for the token file and locks; all undone after the test. */
async function world(lwaOptions: LwaSimulatorOptions = {}, adsLatencyMs = 0): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'ads-token-examples-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const lwa = await LwaSimulator.start(lwaOptions);
  cleanups.push(() => lwa.stop());
  const ads = await AdsApiSimulator.start({ lwa, latencyMs: adsLatencyMs });
  cleanups.push(() => ads.stop());
  const lines: string[] = [];
  const env: ExampleEnv = {
    clientId: lwa.clientId,
    clientSecret: lwa.clientSecret,
    tokenFile: join(dir, 'tokens.json'),
    lockDirectory: join(dir, 'locks'),
    authorizationUrl: lwa.authorizationUrl,
    tokenUrl: lwa.tokenUrl,
    apiUrl: ads.url,
    log: (line) => lines.push(line),
  };
  return { lwa, ads, dir, lines, env };
}

/** What the advertiser's browser does: open the consent URL and land on the redirect. */
async function followConsent(consentUrl: string): Promise<string> {
  const response = await fetch(consentUrl, { redirect: 'manual' });
  await response.body?.cancel();
  expect(response.status).toBe(302);
  return response.headers.get('location')!;
}

function expectNoSecrets(text: string, clientSecret: string): void {
  expect(text).not.toMatch(/Atz[ar]\|/);
  expect(text).not.toContain(clientSecret);
}

describe('01-first-authentication', () => {
  it('prints a PKCE consent URL, exchanges the redirect and stores sealed tokens in the token file', async () => {
    const { lwa, lines, env } = await world();
    const info = await firstAuthentication({ ...env, waitForRedirect: followConsent });

    expect(info.status).toBe('valid');
    expect(info.hasRefreshToken).toBe(true);
    const consentUrl = new URL(lines[1]!);
    expect(`${consentUrl.origin}${consentUrl.pathname}`).toBe(lwa.authorizationUrl);
    expect(consentUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(lines).toContain('Status: valid');
    expect(lines).toContain(`Tokens stored, sealed, in ${env.tokenFile}`);
    expect(lwa.counts.authorization_code).toBe(1);

    const file = await readFile(env.tokenFile!, 'utf8');
    expect(JSON.parse(file)).toMatchObject({ format: 'ads-token-file' });
    expect((await stat(env.tokenFile!)).mode & 0o777).toBe(0o600);
    expectNoSecrets(file + lines.join('\n'), lwa.clientSecret);
  });

  it('refuses a redirect whose state is not the one it sent, storing nothing', async () => {
    const { env } = await world();
    const forged = async (consentUrl: string): Promise<string> => {
      const url = new URL(await followConsent(consentUrl));
      url.searchParams.set('state', 'forged');
      return url.toString();
    };
    await expect(firstAuthentication({ ...env, waitForRedirect: forged })).rejects.toMatchObject({ code: 'STATE_MISMATCH' });
    expect(existsSync(env.tokenFile!)).toBe(false);
  });
});

describe('02-reuse-stored-tokens', () => {
  it('a new manager over the same file uses the stored tokens with no LWA call, and ifAbsent keeps them', async () => {
    const { lwa, lines, env } = await world();
    await firstAuthentication({ ...env, waitForRedirect: followConsent });
    lwa.resetCounts();
    lines.length = 0;

    const result = await reuseStoredTokens({ ...env, refreshToken: lwa.issueRefreshToken() });
    expect(result.storedRefreshToken).toBe(false);
    expect(result.info.status).toBe('valid');
    expect(result.headerNames).toEqual(['Authorization', 'Amazon-Advertising-API-ClientId']);
    expect(lwa.counts.total).toBe(0);
    expect(lines).toEqual([
      'Kept the stored tokens: the given refresh token was not written over them.',
      'Status: valid',
      expect.stringMatching(/^Expires in: \d+ seconds$/),
      'Is expired: false',
      'Has refresh token: true',
      expect.stringMatching(/^Access token ready \(\d+ characters; never print it\)\.$/),
      'Headers for API calls: Authorization, Amazon-Advertising-API-ClientId',
    ]);
    expectNoSecrets(lines.join('\n'), lwa.clientSecret);
  });

  it('boots a fleet worker from a refresh token when the file is empty, refreshing once', async () => {
    const { lwa, lines, env } = await world();
    const result = await reuseStoredTokens({ ...env, refreshToken: lwa.issueRefreshToken() });
    expect(result.storedRefreshToken).toBe(true);
    expect(result.info.status).toBe('no_access_token');
    expect(lines[0]).toBe('Stored the given refresh token: the token file had none for this grant.');
    expect(lines).toContain('Is expired: true');
    expect(lwa.counts.refresh_token).toBe(1);
  });

  it('says "Not authenticated" when the file is empty and no refresh token is given', async () => {
    const { lines, env } = await world();
    await expect(reuseStoredTokens(env)).rejects.toThrow(/^Not authenticated/);
    expect(lines).toContain('Status: not_authenticated');
  });
});

describe('03-batch-api-calls', () => {
  it('lists profiles, then makes 90 calls for 3 profiles 4 at a time across a token expiry, all answered', async () => {
    // Tokens live 2 s and each Ads API answer takes 60 ms: 90 calls, 4 at a time, outlast a token.
    const { lwa, ads, lines, env } = await world({ tokenLifetimeSeconds: 2 }, 60);
    const result = await batchApiCalls({ ...env, refreshToken: lwa.issueRefreshToken(), callsPerProfile: 30, concurrency: 4 });

    expect(result).toMatchObject({ profilesListed: 3, profilesCalled: 3, calls: 90, succeeded: 90, failedByStatus: {}, maxInFlight: 4 });
    expect(result.refreshes).toBeGreaterThanOrEqual(2); // the first token, then at least one mid-batch
    expect(lwa.counts.refresh_token).toBe(result.refreshes);
    expect(ads.count({ status: 401 })).toBe(0);
    for (const profile of ads.profiles) {
      expect(ads.count({ path: `/v2/profiles/${profile.profileId}`, status: 200 })).toBe(30);
    }
    expect(lines[0]).toMatch(/^Found 3 profiles: \d+ \(US\), \d+ \(CA\), \d+ \(MX\)$/);
    expect(lines).toContain('Made 90 calls for 3 profiles, at most 4 at a time: 90 succeeded, 0 failed');
    expect(lines).toContain(`Token refreshes during the run: ${result.refreshes}`);
  });

  it('rides out Ads API throttling with backoff and reports it', async () => {
    const { lwa, ads, lines, env } = await world();
    ads.failNext({ status: 429, retryAfter: 1, path: '/v2/profiles/' });
    const result = await batchApiCalls({ ...env, refreshToken: lwa.issueRefreshToken(), callsPerProfile: 2, concurrency: 2 });
    expect(result.succeeded).toBe(6);
    expect(lines).toContainEqual(expect.stringMatching(/^Retrying http:\/\/127\.0\.0\.1:\d+\/v2\/profiles\/\d+ after HTTP 429 in 1000 ms$/));
  });
});

describe('04-error-handling', () => {
  it('reports each error with its code, LWA request id, advice and the seed phrases', async () => {
    const { lwa, lines, env } = await world();
    lwa.fail({ kind: 'status', status: 503, times: 4 }); // every attempt of the stored grant's refresh
    const outcomes = await errorHandling({ ...env, refreshToken: lwa.issueRefreshToken() });

    expect(outcomes.map((o) => o.code)).toEqual(['NOT_AUTHENTICATED', 'TOKEN_REFRESH_FAILED', 'INVALID_GRANT', 'INVALID_CLIENT']);
    expect(outcomes[0]!.message).toMatch(/^Not authenticated/);
    for (const outcome of outcomes.slice(1)) expect(outcome.message).toMatch(/^Token refresh failed/);
    const [, outage, revoked, wrongClient] = outcomes;
    expect(outage!.requestId).toMatch(/\S/);
    expect(lines).toContain(`  LWA said: HTTP 503, error temporarily_unavailable, request id ${outage!.requestId}`);
    expect(revoked!.advice).toMatch(/consent again/);
    expect(wrongClient!.advice).toMatch(/ADS_CLIENT_SECRET/);
    expect(lines).toContain('  seed-style check: needs initial authentication');
    expect(lines.filter((l) => l === '  seed-style check: refresh token might be invalid')).toHaveLength(3);
    expect(lines).toContain('  Status: revoked');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}re-consent: send the advertiser to http:\/\/127\.0\.0\.1:\d+\/ap\/oa/));
    // 4 attempts for the outage, then one request each for the revoked token and the wrong secret.
    expect(lwa.counts.refresh_token).toBe(6);
    expectNoSecrets(lines.join('\n'), lwa.clientSecret);
  });

  it('refreshes the stored grant without error when LWA is healthy', async () => {
    const { lwa, env } = await world();
    const outcomes = await errorHandling({ ...env, refreshToken: lwa.issueRefreshToken() });
    expect(outcomes[1]).toMatchObject({ code: 'OK', message: 'LWA answered; the new access token is stored' });
  });
});

describe('the built programs', () => {
  const dist = (name: string): string => fileURLToPath(new URL(`../dist/${name}.js`, import.meta.url));

  /** Runs a built example with only the given environment; answers its prompt, bounded to 30 s. */
  function runProgram(
    name: string,
    environment: Record<string, string>,
    answer?: (stdout: string) => Promise<string | undefined>,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [dist(name)], {
        env: { PATH: process.env.PATH ?? '', ...environment },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let answered = false;
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (answer === undefined || answered) return;
        answer(stdout).then(
          (reply) => {
            if (reply === undefined || answered) return;
            answered = true;
            child.stdin.end(`${reply}\n`);
          },
          (error: unknown) => {
            child.kill('SIGKILL');
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  it('01 reads the redirect from the terminal, then 02 in a new process uses the stored tokens', async () => {
    const { lwa, ads, dir } = await world();
    const environment = {
      ADS_CLIENT_ID: lwa.clientId,
      ADS_CLIENT_SECRET: lwa.clientSecret,
      ADS_AUTHORIZATION_URL: lwa.authorizationUrl,
      ADS_TOKEN_URL: lwa.tokenUrl,
      ADS_API_URL: ads.url,
      ADS_TOKEN_STORE: join(dir, 'tokens.json'),
      ADS_LOCK_DIR: join(dir, 'locks'),
    };
    let consentSeen = false;
    const first = await runProgram('01-first-authentication', environment, async (stdout) => {
      const consentUrl = stdout.split('\n').find((line) => line.startsWith(lwa.authorizationUrl));
      if (consentUrl === undefined || !stdout.includes('Paste the full URL') || consentSeen) return undefined;
      consentSeen = true;
      return followConsent(consentUrl);
    });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Status: valid');
    expect(lwa.counts.authorization_code).toBe(1);

    lwa.resetCounts();
    const second = await runProgram('02-reuse-stored-tokens', environment);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Status: valid\n');
    expect(lwa.counts.total).toBe(0);
    expectNoSecrets(first.stdout + second.stdout, lwa.clientSecret);
  });

  it('exits 1 with a readable message when the credentials are not set', async () => {
    const result = await runProgram('02-reuse-stored-tokens', {});
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'ConfigurationError (CONFIGURATION): Set ADS_CLIENT_ID and ADS_CLIENT_SECRET to your Login with Amazon app credentials\n',
    );
  });
});
