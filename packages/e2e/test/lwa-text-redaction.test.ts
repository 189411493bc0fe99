import { inspect } from 'node:util';
import type { TokenRefreshError } from '@ads-token/core';
import { afterEach, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

it('secrets echoed by LWA in error_description never reach a message, cause, event or stored mark', async () => {
  h = await startHarness();
  const manager = h.manager();
  const refreshToken = h.lwa.issueRefreshToken();
  await manager.setRefreshToken(refreshToken);
  const secret = h.lwa.clientSecret;
  h.lwa.fail({ kind: 'status', status: 400, error: 'invalid_grant', description: `bad grant ${refreshToken} for client ${secret} (Atza|leaked-access-token)` });
  const error = (await manager.getAccessToken().catch((e: unknown) => e)) as TokenRefreshError;
  expect(error.code).toBe('INVALID_GRANT');
  expect(error.lwaErrorDescription).toContain('bad grant [redacted] for client [redacted]');
  const texts = [error.message, error.lwaErrorDescription, inspect(error, { depth: 5 }), JSON.stringify(error), JSON.stringify(h.events)];
  // The revocation mark keeps LWA's description: a later reader sees the redacted one.
  const later = (await h.manager().getAccessToken().catch((e: unknown) => e)) as TokenRefreshError;
  texts.push(later.message, String(later.lwaErrorDescription));
  for (const text of texts) {
    expect(text).not.toContain(refreshToken);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('Atza|leaked');
  }
});
