import { InvalidResponseError } from '@ads-token/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function rotatingGrant() {
  h = await startHarness({ rotateRefreshTokens: true });
  const manager = h.manager();
  const first = h.lwa.issueRefreshToken();
  await manager.setRefreshToken(first);
  return { h, manager, first };
}

describe('odd fields in a 200 answer', () => {
  it.each([
    { expires_in: '3600.0', lives: 3600 },
    { expires_in: '3600', lives: 3600 },
    { expires_in: 1800.7, lives: 1800 },
  ])('accepts expires_in $expires_in as a number of seconds', async ({ expires_in, lives }) => {
    const { h, manager, first } = await rotatingGrant();
    h.lwa.fail({ kind: 'odd-fields', fields: { expires_in } });
    const token = await manager.getAccessToken();
    expect(h.lwa.isValidAccessToken(token)).toBe(true);
    const info = await h.manager().getTokenInfo();
    expect(info.expiresInSeconds).toBeGreaterThan(lives - 10);
    expect(info.expiresInSeconds).toBeLessThanOrEqual(lives);
    expect(h.lwa.isUsableRefreshToken(first)).toBe(false);
  });

  it('expires_in 0: the caller gets the token, the next call refreshes, the rotated refresh token is kept', async () => {
    const { h, manager } = await rotatingGrant();
    h.lwa.fail({ kind: 'odd-fields', fields: { expires_in: 0 } });
    const token = await manager.getAccessToken();
    expect(token).toMatch(/^Atza\|/);
    expect(h.lwa.counts.refresh_token).toBe(1);
    const next = await manager.getAccessToken();
    expect(next).not.toBe(token);
    expect(h.lwa.counts.refresh_token).toBe(2);
    expect(h.lwa.requests.map((r) => r.status)).toEqual([200, 200]);
  });

  it.each([1e306, 1e12, '1e400'])('a huge expires_in (%s) is clamped to a day and every process can read the record', async (expires_in) => {
    const { h, manager } = await rotatingGrant();
    h.lwa.fail({ kind: 'odd-fields', fields: { expires_in } });
    await manager.getAccessToken();
    const info = await h.manager().getTokenInfo();
    expect(info.status).toBe('valid');
    expect(info.expiresInSeconds).toBeLessThanOrEqual(86_400);
    expect(info.expiresInSeconds).toBeGreaterThan(86_000);
  });

  it.each([
    { what: 'an access token with a control character', fields: { access_token: 'Atza|abc\u0007def' } },
    { what: 'an access token with CR/LF', fields: { access_token: 'Atza|abc\r\nX-Evil: 1' } },
    { what: 'no access token', fields: { access_token: undefined } },
    { what: 'a bad expires_in', fields: { expires_in: 'soon' } },
    { what: 'a token_type that is not bearer', fields: { token_type: 'mac' } },
  ])('$what: InvalidResponseError, and the rotated refresh token is still kept', async ({ fields }) => {
    const { h, manager, first } = await rotatingGrant();
    h.lwa.fail({ kind: 'odd-fields', fields });
    await expect(manager.getAccessToken()).rejects.toBeInstanceOf(InvalidResponseError);
    expect(h.lwa.isUsableRefreshToken(first)).toBe(false);
    // A new manager on the same store refreshes with the rotated token: LWA accepts it.
    const token = await h.manager().getAccessToken();
    expect(h.lwa.isValidAccessToken(token)).toBe(true);
    expect(h.lwa.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(h.events.some((e) => e.type === 'revoked')).toBe(false);
  });

  it('a code exchange whose access token is unusable still stores the new grant', async () => {
    h = await startHarness();
    const manager = h.manager();
    h.lwa.fail({ kind: 'odd-fields', fields: { access_token: 'Atza|x\u0000' } });
    await expect(manager.authenticateWithCode(h.lwa.issueCode())).rejects.toBeInstanceOf(InvalidResponseError);
    expect(await manager.getTokenInfo()).toMatchObject({ status: 'no_access_token', hasRefreshToken: true });
    expect(h.lwa.isValidAccessToken(await manager.getAccessToken())).toBe(true);
  });
});
