import { afterEach, describe, expect, it } from 'vitest';
import { LwaSimulator } from '../src/index.js';

let lwa: LwaSimulator | undefined;
afterEach(async () => {
  await lwa?.stop();
  lwa = undefined;
});

function refresh(sim: LwaSimulator, refreshToken: string): Promise<Response> {
  return fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: sim.clientId, client_secret: sim.clientSecret }).toString(),
  });
}

describe('LwaSimulator refresh requests per grant', () => {
  it('counts refresh requests by grant, across rotated refresh tokens, and leaves out unknown tokens', async () => {
    lwa = await LwaSimulator.start({ rotateRefreshTokens: true });
    const first = lwa.issueRefreshToken();
    const second = lwa.issueRefreshToken();
    const a = lwa.grantOf(first)!;
    const b = lwa.grantOf(second)!;
    expect(a).not.toBe(b);

    const rotated = ((await (await refresh(lwa, first)).json()) as { refresh_token: string }).refresh_token;
    expect(lwa.grantOf(rotated)).toBe(a);
    await (await refresh(lwa, rotated)).arrayBuffer();
    await (await refresh(lwa, first)).arrayBuffer(); // rotated away: refused, still this grant's request
    await (await refresh(lwa, second)).arrayBuffer();
    await (await refresh(lwa, 'Atzr|never-issued')).arrayBuffer();

    const byGrant = lwa.refreshesByGrant();
    expect(byGrant.get(a)!.map((r) => r.status)).toEqual([200, 200, 400]);
    expect(byGrant.get(b)!.map((r) => r.status)).toEqual([200]);
    expect([...byGrant.keys()].sort()).toEqual([a, b].sort());
    expect(lwa.grantOf('Atzr|never-issued')).toBeUndefined();

    lwa.resetCounts();
    expect(lwa.refreshesByGrant().size).toBe(0);
  });

  it('names the grant a code exchange started', async () => {
    lwa = await LwaSimulator.start();
    const code = lwa.issueCode();
    const response = await fetch(lwa.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'https://localhost', client_id: lwa.clientId, client_secret: lwa.clientSecret }).toString(),
    });
    const body = (await response.json()) as { refresh_token: string };
    expect(lwa.requests[0]!.grant).toBe(lwa.grantOf(body.refresh_token));
  });
});
