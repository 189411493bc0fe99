import { mkdir, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { storeKey } from '@ads-token/core';
import { FileLock } from '@ads-token/store-file';
import { LwaSimulator } from '@ads-token/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { killAll, removeDir, runBin, simulatorEnv, tempDir } from './helpers.js';

// Where the CLI takes its refresh lock for a token file: next to that file by default, so CLI runs
// (or apps) on other token files never wait on each other; --lock-dir / ADS_LOCK_DIR to choose.
describe('ads-token refresh lock directory', () => {
  let lwa: LwaSimulator;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    lwa = await LwaSimulator.start();
  });
  afterAll(async () => {
    await lwa?.stop();
  });
  beforeEach(async () => {
    dir = await tempDir();
    env = simulatorEnv(dir, lwa);
  });
  afterEach(async () => {
    killAll();
    await removeDir(dir);
  });

  const importGrant = async (store: string): Promise<void> => {
    const result = await runBin(['import', '--store', store, '--no-verify'], env, dir, `${lwa.issueRefreshToken()}\n`);
    expect(result.code).toBe(0);
  };

  it('a refresh on one token file does not wait for a lock held for the same client and grant by an app on another file', async () => {
    const mine = join(dir, 'b', 'tokens.json');
    await importGrant(mine);
    // Another app of this user holds the refresh lock of the same client id and grant in the
    // per-user default directory (a bare FileLock()), as if in the middle of a slow refresh.
    const otherApp = new FileLock({ directory: join(dir, `ads-token-locks-${userInfo().uid}`) });
    const held = await otherApp.acquire(`refresh:${storeKey(lwa.clientId, 'default')}`, { ttlMs: 60_000, waitMs: 0 });
    try {
      const started = Date.now();
      const refresh = await runBin(['refresh', '--store', mine], env, dir);
      expect(refresh.stderr).toContain("Refreshed grant 'default'");
      expect(refresh.code).toBe(0);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect((await stat(`${mine}.locks`)).isDirectory()).toBe(true);
    } finally {
      await held.release();
    }
  });

  it('--lock-dir, ADS_LOCK_DIR and lockDir choose the directory; with a Redis store they are refused', async () => {
    const store = join(dir, 'tokens.json');
    await importGrant(store);
    const flagged = await runBin(['refresh', '--store', store, '--lock-dir', 'flag-locks'], env, dir);
    expect(flagged.code).toBe(0);
    expect((await stat(join(dir, 'flag-locks'))).mode & 0o777).toBe(0o700);
    const fromEnv = await runBin(['refresh', '--store', store], { ...env, ADS_LOCK_DIR: join(dir, 'env-locks') }, dir);
    expect(fromEnv.code).toBe(0);
    expect((await stat(join(dir, 'env-locks'))).isDirectory()).toBe(true);
    // In a config file, a relative lockDir is relative to the file.
    await mkdir(join(dir, 'conf'));
    await writeFile(join(dir, 'conf', 'ads.json'), JSON.stringify({ lockDir: 'file-locks' }), { mode: 0o600 });
    const fromFile = await runBin(['refresh', '--store', store, '--config', join('conf', 'ads.json')], env, dir);
    expect(fromFile.code).toBe(0);
    expect((await stat(join(dir, 'conf', 'file-locks'))).isDirectory()).toBe(true);
    const redis = await runBin(['status', '--store', 'redis://127.0.0.1:1', '--lock-dir', 'x'], env, dir);
    expect(redis.code).toBe(2);
    expect(redis.stderr).toContain('applies to a token file store only');
  });
});
