import { createRecordSealer, TokenManager } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { LwaSimulator, type LwaFault } from '@ads-token/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FaultyStore, LosableLock } from '../support/faulty-parts.js';

/**
 * Random interleavings of LWA answers (rotating refresh tokens or not), store faults, lease loss and 2-4 managers sharing one
 * store and lock. After every run: the stored record is readable, its refresh token is the newest
 * one LWA issued (unless an answer was lost after LWA processed it: the one case no client can
 * recover), and the grant is never marked revoked while LWA still accepts its refresh token.
 */

let rotating: LwaSimulator;
let steady: LwaSimulator;
const http = new FetchHttpClient({ timeoutMs: 5000 });
beforeAll(async () => {
  rotating = await LwaSimulator.start({ rotateRefreshTokens: true });
  steady = await LwaSimulator.start({ rotateRefreshTokens: false });
});
afterAll(async () => {
  await rotating.stop();
  await steady.stop();
});

type LwaStep = { kind: 'ok' } | { kind: 'revoke' } | LwaFault;
const lwaStep: fc.Arbitrary<LwaStep> = fc.oneof(
  fc.constant<LwaStep>({ kind: 'ok' }),
  fc.constantFrom<LwaStep>(
    { kind: 'odd-fields', fields: { expires_in: '3600.0' } },
    { kind: 'odd-fields', fields: { expires_in: 0 } },
    { kind: 'odd-fields', fields: { expires_in: 1e306 } },
    { kind: 'odd-fields', fields: { access_token: 'Atza|bad\u0007token' } },
    { kind: 'status', status: 500 },
    { kind: 'status', status: 503, times: 3 },
    { kind: 'slow', delayMs: 30 },
    { kind: 'drop-after-processing' },
    // The advertiser withdraws consent: LWA answers invalid_grant from then on.
    { kind: 'revoke' },
  ),
);
const storeStep = fc.constantFrom(
  { kind: 'none' } as const,
  { kind: 'fail-write', times: 1 } as const,
  { kind: 'fail-write', times: 5 } as const,
  { kind: 'fail-read', times: 1 } as const,
  { kind: 'write-then-throw' } as const,
  { kind: 'false-conflict-then-fail-read' } as const,
);
const step = fc.record({
  lwa: lwaStep,
  store: storeStep,
  loseLease: fc.boolean(),
  callers: fc.array(fc.record({ manager: fc.nat(3), call: fc.constantFrom('get', 'refresh', 'expire') }), { minLength: 1, maxLength: 3 }),
});

it('what LWA answered survives every single fault', { timeout: 240_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.boolean(), fc.integer({ min: 2, max: 4 }), fc.array(step, { minLength: 1, maxLength: 6 }), async (rotate, count, steps) => {
      const lwa = rotate ? rotating : steady;
      lwa.clearFaults();
      const store = new FaultyStore();
      const lock = new LosableLock();
      const managers = Array.from({ length: count }, () =>
        new TokenManager({
          clientId: lwa.clientId,
          clientSecret: lwa.clientSecret,
          http,
          store,
          lock,
          endpoints: { tokenUrl: lwa.tokenUrl },
          retry: { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 300 },
          lockWaitMs: 3000,
          closeTimeoutMs: 1000,
          backgroundRetryCooldownMs: 0,
        }),
      );
      const first = lwa.issueRefreshToken();
      await managers[0]!.setRefreshToken(first);
      let lostAnswer = false;
      for (const s of steps) {
        if (s.lwa.kind === 'revoke') lwa.revoke(first);
        else if (s.lwa.kind !== 'ok') lwa.fail(s.lwa);
        if (s.lwa.kind === 'drop-after-processing') lostAnswer = true;
        if (s.store.kind === 'fail-write') store.fail('compareAndSet', s.store.times);
        if (s.store.kind === 'fail-read') store.fail('get', s.store.times);
        if (s.store.kind === 'write-then-throw') store.writeThenThrow(1);
        if (s.store.kind === 'false-conflict-then-fail-read') store.falseConflict(1, { thenFailGet: true });
        const calls = s.callers.map(async ({ manager, call }) => {
          const m = managers[manager % count]!;
          if (call === 'get') return m.getAccessToken();
          if (call === 'refresh') return m.refreshAccessToken();
          const current = await m.getAccessToken();
          return m.refreshAccessToken({ rejected: current });
        });
        if (s.loseLease) setTimeout(() => lock.loseLeases(), 2);
        await Promise.allSettled(calls);
        lwa.clearFaults();
        store.heal();
        store.up();
      }
      await Promise.all(managers.map((m) => m.close()));

      // The record is readable by anyone with the key.
      const stored = await store.inner.get(managers[0]!.key);
      expect(stored).toBeDefined();
      const record = JSON.parse(await createRecordSealer({ clientSecret: lwa.clientSecret }).open(managers[0]!.key, stored!.data)) as {
        refreshToken?: string;
        revoked?: unknown;
        expiresAt?: number;
      };
      const reader = new TokenManager({ clientId: lwa.clientId, clientSecret: lwa.clientSecret, http, store, endpoints: { tokenUrl: lwa.tokenUrl } });
      await reader.getTokenInfo();
      await reader.close();
      if (record.expiresAt !== undefined) expect(Number.isFinite(record.expiresAt)).toBe(true);

      const newest = lwa.currentRefreshToken(first);
      if (!lostAnswer) expect(record.refreshToken).toBe(newest);
      if (record.revoked !== undefined) expect(lwa.isUsableRefreshToken(record.refreshToken!)).toBe(false);
    }),
    { numRuns: 60 },
  );
});
