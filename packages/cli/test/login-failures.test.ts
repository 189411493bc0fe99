import { LwaSimulator } from '@ads-token/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONSENT_URL, consent, freeListenPort, killAll, removeDir, runBin, startBin, simulatorEnv, expectNoSecrets, tempDir, type BinChild, type RunResult } from './helpers.js';

// `login` when consent goes wrong: a forged state, a denied consent, an expired code, no redirect at
// all, Ctrl-C. Nothing may be stored and each case has its own exit code.
describe('ads-token login failures', () => {
  let lwa: LwaSimulator;
  /** Added to the simulator's clock: moving it past 5 minutes expires every code issued before. */
  let clockOffsetMs = 0;
  let listenPort: number;
  let redirectUri: string;
  let dir: string;
  let env: Record<string, string>;
  const outputs: RunResult[] = [];

  const finish = async (child: BinChild): Promise<RunResult> => {
    const result = await child.done();
    outputs.push(result);
    return result;
  };

  /** Starts `login` in paste mode and returns the Location the approving browser was sent to. */
  const startPaste = async (args: string[] = []): Promise<{ child: BinChild; location: string }> => {
    const child = startBin(['login', ...args], env, dir);
    const [, url] = await child.waitForStderr(CONSENT_URL);
    const location = await consent(url!);
    await child.waitForStderr(/paste it here/);
    return { child, location };
  };

  /** Starts `login` with the local listener and returns the Location the browser would open next. */
  const startListener = async (): Promise<{ child: BinChild; location: string }> => {
    const child = startBin(['login', '--redirect-uri', redirectUri], env, dir);
    const [, url] = await child.waitForStderr(CONSENT_URL);
    await child.waitForStderr(/Waiting up to/);
    return { child, location: await consent(url!) };
  };

  const expectNothingStored = async (): Promise<void> => {
    const status = await runBin(['status', '--json'], env, dir);
    outputs.push(status);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual([]);
  };

  const withState = (location: string, state: string): string => {
    const url = new URL(location);
    url.searchParams.set('state', state);
    return url.href;
  };

  beforeAll(async () => {
    listenPort = await freeListenPort();
    redirectUri = `http://localhost:${listenPort}/callback`;
    lwa = await LwaSimulator.start({ redirectUris: ['https://localhost', redirectUri], now: () => Date.now() + clockOffsetMs });
  });

  beforeEach(async () => {
    dir = await tempDir();
    clockOffsetMs = 0;
    lwa.setConsent('approve');
    env = simulatorEnv(dir, lwa);
  });

  afterEach(async () => {
    killAll();
    await removeDir(dir);
    expectNoSecrets(outputs, [lwa.clientSecret]);
  });

  afterAll(async () => {
    await lwa?.stop();
  });

  it('a pasted redirect with another state exits 9 and does not use the code', async () => {
    const { child, location } = await startPaste();
    const exchanges = lwa.counts.authorization_code;
    child.write(`${withState(location, 'forged-state')}\n`);
    const result = await finish(child);
    expect(result.code).toBe(9);
    expect(result.stderr).toContain('does not match the state that was sent');
    expect(result.stderr).toContain("Run 'ads-token login' again");
    expect(lwa.counts.authorization_code).toBe(exchanges);
    await expectNothingStored();
  });

  it('a pasted error=access_denied redirect exits 9 with the reason', async () => {
    lwa.setConsent({ error: 'access_denied', description: 'The user denied the request' });
    const { child, location } = await startPaste();
    expect(new URL(location).searchParams.get('error')).toBe('access_denied');
    child.write(`${location}\n`);
    const result = await finish(child);
    expect(result.code).toBe(9);
    expect(result.stderr).toContain('Authorization failed: access_denied - The user denied the request');
    expect(result.stderr).toContain('Consent was not given');
    await expectNothingStored();
  });

  it('a code older than 5 minutes is refused by LWA: exit 4 with advice to log in again', async () => {
    const { child, location } = await startPaste();
    clockOffsetMs = 6 * 60 * 1000;
    child.write(`${location}\n`);
    const result = await finish(child);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('invalid_grant');
    expect(result.stderr).toContain('codes expire after 5 minutes and work once');
    await expectNothingStored();
  });

  it('pasting something that is not a URL, or nothing at all, exits 9', async () => {
    const garbage = await startPaste();
    garbage.child.write('just-the-code\n');
    const notUrl = await finish(garbage.child);
    expect(notUrl.code).toBe(9);
    expect(notUrl.stderr).toContain('That is not a URL');

    const empty = await startPaste();
    empty.child.end();
    const ended = await finish(empty.child);
    expect(ended.code).toBe(9);
    expect(ended.stderr).toContain('No redirect URL was pasted');
    await expectNothingStored();
  });

  it('the local listener refuses a redirect with another state: the browser sees the failure, exit 9', async () => {
    const { child, location } = await startListener();
    const page = await fetch(withState(location, 'forged-state'));
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(html).toContain('Login failed');
    expect(html).toContain('does not match the state');
    const result = await finish(child);
    expect(result.code).toBe(9);
    await expectNothingStored();
  });

  it('the local listener reports an error=access_denied redirect to the browser and exits 9', async () => {
    lwa.setConsent({ error: 'access_denied' });
    const { child, location } = await startListener();
    const page = await fetch(location);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('access_denied');
    const result = await finish(child);
    expect(result.code).toBe(9);
    expect(result.stderr).toContain('Authorization failed: access_denied');
    await expectNothingStored();
  });

  it('the local listener answers stray requests without ending the login', async () => {
    const { child, location } = await startListener();
    const stray = await fetch(`http://localhost:${listenPort}/favicon.ico`);
    expect(stray.status).toBe(404);
    await stray.body?.cancel();
    const bare = await fetch(redirectUri);
    expect(bare.status).toBe(400);
    await bare.body?.cancel();
    const page = await fetch(location);
    expect(page.status).toBe(200);
    await page.body?.cancel();
    expect((await finish(child)).code).toBe(0);
  });

  it('with no redirect before --timeout, login exits 9 and frees the port', async () => {
    const child = startBin(['login', '--redirect-uri', redirectUri, '--timeout', '1'], env, dir);
    const result = await finish(child);
    expect(result.code).toBe(9);
    expect(result.stderr).toContain('No redirect arrived within 1s');
    await expect(fetch(redirectUri)).rejects.toThrow();
    await expectNothingStored();
  });

  it('Ctrl-C while waiting ends login with exit 130', async () => {
    const { child } = await startPaste();
    child.child.kill('SIGINT');
    const result = await finish(child);
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('Interrupted');
  });

  it('a redirect URI the listener cannot bind is a clear error (exit 2)', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(listenPort, '127.0.0.1', resolve));
    try {
      const result = await runBin(['login', '--redirect-uri', redirectUri], env, dir);
      outputs.push(result);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`Cannot listen on http://localhost:${listenPort} for the redirect: the port is in use`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
