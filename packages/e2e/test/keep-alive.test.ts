import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LwaSimulator } from '@ads-token/testing';
import { afterEach, expect, it } from 'vitest';

let lwa: LwaSimulator | undefined;
afterEach(async () => {
  await lwa?.stop();
  lwa = undefined;
});

it('a script awaiting a token through LWA retries stays alive until it has the token', async () => {
  lwa = await LwaSimulator.start();
  lwa.fail({ kind: 'status', status: 503, times: 2 });
  const script = fileURLToPath(new URL('./fixtures/await-through-backoff.mjs', import.meta.url));
  const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [script],
      {
        timeout: 20_000,
        env: { ...process.env, CLIENT_ID: lwa!.clientId, CLIENT_SECRET: lwa!.clientSecret, TOKEN_URL: lwa!.tokenUrl, REFRESH_TOKEN: lwa!.issueRefreshToken() },
      },
      (_error, stdout) => resolve({ code: child.exitCode, stdout }),
    );
  });
  expect(result.stdout).toBe('got Atza|\n');
  expect(result.code).toBe(0);
  expect(lwa.counts.refresh_token).toBe(3);
});
