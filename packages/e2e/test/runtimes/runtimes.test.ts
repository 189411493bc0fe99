import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecordSealer, storeKey } from '@ads-token/core';
import { LwaSimulator } from '@ads-token/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll } from './child-process.js';
import { RUNTIMES, RUN_TIMEOUT_MS } from './runtimes.js';

/** What smoke.mjs reports. */
interface SmokeReport {
  runtime: string;
  hasRefreshToken: boolean;
  accessToken: string;
  refreshedAccessToken: string;
  currentAccessToken: string;
  storeKeys: string[];
  storedData: string;
  storedRecordOpens: boolean;
  sealed: string;
  inspected: string;
  sealRoundTrip: boolean;
  movedRecord: string;
  wrongKey: string;
  passphraseSealed: string;
  passphraseRoundTrip: boolean;
}

const dirs: string[] = [];

afterAll(async () => {
  killAll();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('core and FetchHttpClient on Node, Deno, Bun and workerd', () => {
  for (const runtime of RUNTIMES) {
    it(
      `${runtime.name}: code exchange, refresh and sealing against LwaSimulator`,
      async () => {
        const lwa = await LwaSimulator.start();
        const workDir = await mkdtemp(join(tmpdir(), `ads-token-${runtime.name}-`));
        dirs.push(workDir);
        try {
          const config = { tokenUrl: lwa.tokenUrl, clientId: lwa.clientId, clientSecret: lwa.clientSecret, code: lwa.issueCode() };
          const { report, output } = await runtime.run(config, workDir);
          expect(report, output).toMatchObject({ ok: true });
          const r = (report as { result: SmokeReport }).result;

          // It really ran there, and reached the simulator: one code exchange, one refresh.
          expect(r.runtime).toMatch(new RegExp(`^${runtime.name}\\b`));
          expect(lwa.counts).toEqual({ authorization_code: 1, refresh_token: 1, total: 2 });
          expect(r.hasRefreshToken).toBe(true);
          expect(r.accessToken).toMatch(/^Atza\|/);
          expect(r.refreshedAccessToken).not.toBe(r.accessToken);
          expect(r.currentAccessToken).toBe(r.refreshedAccessToken);
          expect(lwa.isValidAccessToken(r.accessToken)).toBe(true);
          expect(lwa.isValidAccessToken(r.refreshedAccessToken)).toBe(true);

          // The store saw only sealed data, under the grant's key.
          const key = storeKey(lwa.clientId, 'default');
          expect(r.storeKeys).toEqual([key]);
          for (const secret of ['Atza|', 'Atzr|', r.accessToken, r.refreshedAccessToken, lwa.clientSecret]) {
            expect(r.storedData).not.toContain(secret);
          }
          expect(r.storedRecordOpens).toBe(true);

          // Sealing round trips there; a moved record and a wrong key are refused.
          expect(r.sealRoundTrip).toBe(true);
          expect(r.passphraseRoundTrip).toBe(true);
          expect(r.movedRecord).toBe('DecryptionError:DECRYPTION_FAILED');
          expect(r.wrongKey).toBe('DecryptionError:DECRYPTION_FAILED');

          // The runtime's own inspect and JSON of the manager, sealers, keys and errors hold no secret.
          expect(r.inspected).toContain('DecryptionError');
          expect(r.inspected).toContain(lwa.clientId);
          for (const secret of [lwa.clientSecret, 'smoke passphrase', 'Atza|', 'Atzr|', r.accessToken, r.refreshedAccessToken]) {
            expect(r.inspected).not.toContain(secret);
          }

          // What that runtime sealed opens on Node: one envelope format everywhere.
          const sealer = createRecordSealer({ clientSecret: lwa.clientSecret });
          expect(await sealer.open(key, r.storedData)).toContain(r.refreshedAccessToken);
          expect(await sealer.open(key, r.sealed)).toBe(`ads-token smoke on ${r.runtime}`);
          const passphrase = createRecordSealer({ clientSecret: lwa.clientSecret, encryptionKey: { passphrase: 'smoke passphrase' } });
          expect(await passphrase.open(key, r.passphraseSealed)).toBe(`ads-token smoke on ${r.runtime}`);
        } finally {
          await lwa.stop();
        }
      },
      RUN_TIMEOUT_MS * 2,
    );
  }
});
