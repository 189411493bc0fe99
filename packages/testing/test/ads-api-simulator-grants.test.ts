import { afterEach, describe, expect, it } from 'vitest';
import { AdsApiSimulator, LwaSimulator } from '../src/index.js';
import type { AdsProfile } from '../src/index.js';

let lwa: LwaSimulator | undefined;
let ads: AdsApiSimulator | undefined;
afterEach(async () => {
  await ads?.stop();
  await lwa?.stop();
  ads = undefined;
  lwa = undefined;
});

function profile(profileId: number, countryCode: string, name: string): AdsProfile {
  return {
    profileId,
    countryCode,
    currencyCode: 'USD',
    timezone: 'America/Los_Angeles',
    accountInfo: { marketplaceStringId: 'ATVPDKIKX0DER', id: `A${profileId}`, type: 'seller', name },
  };
}

async function refresh(sim: LwaSimulator, refreshToken: string): Promise<{ access_token: string; refresh_token?: string }> {
  const response = await fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: sim.clientId, client_secret: sim.clientSecret }).toString(),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { access_token: string; refresh_token?: string };
}

async function list(sim: AdsApiSimulator, token: string, clientId: string, scope?: string, path = '/v2/profiles'): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, 'Amazon-Advertising-API-ClientId': clientId };
  if (scope !== undefined) headers['Amazon-Advertising-API-Scope'] = scope;
  return fetch(`${sim.url}${path}`, { headers });
}

describe('LwaSimulator.grantOf', () => {
  it('names the grant of an access token by its first refresh token, across rotations', async () => {
    lwa = await LwaSimulator.start({ rotateRefreshTokens: true });
    const first = lwa.issueRefreshToken();
    const other = lwa.issueRefreshToken();
    const one = await refresh(lwa, first);
    expect(one.refresh_token).not.toBe(first);
    const two = await refresh(lwa, one.refresh_token as string);
    expect(lwa.grantOf(one.access_token)).toBe(first);
    expect(lwa.grantOf(two.access_token)).toBe(first);
    expect(lwa.grantOf(two.refresh_token as string)).toBe(first);
    expect(lwa.grantOf((await refresh(lwa, other)).access_token)).toBe(other);
    expect(lwa.grantOf('Atza|unknown')).toBeUndefined();
  });
});

describe('AdsApiSimulator per-grant profiles', () => {
  it('lists each grant its own profiles and the shared list to grants without one', async () => {
    lwa = await LwaSimulator.start();
    const a = lwa.issueRefreshToken();
    const b = lwa.issueRefreshToken();
    const c = lwa.issueRefreshToken();
    ads = await AdsApiSimulator.start({ lwa, profilesByGrant: { [a]: [profile(11, 'US', 'A one'), profile(12, 'CA', 'A two')] } });
    ads.setGrantProfiles(b, [profile(21, 'DE', 'B one')]);
    const ids = async (refreshToken: string): Promise<number[]> => {
      const response = await list(ads as AdsApiSimulator, (await refresh(lwa as LwaSimulator, refreshToken)).access_token, (lwa as LwaSimulator).clientId);
      expect(response.status).toBe(200);
      return ((await response.json()) as AdsProfile[]).map((p) => p.profileId);
    };
    expect(await ids(a)).toEqual([11, 12]);
    expect(await ids(b)).toEqual([21]);
    expect(await ids(c)).toEqual(ads.profiles.map((p) => p.profileId));
    expect(ads.profilesOf(a).map((p) => p.profileId)).toEqual([11, 12]);
  });

  it("accepts a scope only among the calling grant's profiles", async () => {
    lwa = await LwaSimulator.start();
    const a = lwa.issueRefreshToken();
    const b = lwa.issueRefreshToken();
    ads = await AdsApiSimulator.start({ lwa, profilesByGrant: { [a]: [profile(11, 'US', 'A')], [b]: [profile(21, 'US', 'B')] } });
    const token = (await refresh(lwa, a)).access_token;
    expect((await list(ads, token, lwa.clientId, '11', '/v2/campaigns')).status).not.toBe(400);
    expect((await list(ads, token, lwa.clientId, '21', '/v2/campaigns')).status).toBe(400);
    expect((await list(ads, token, lwa.clientId, undefined, '/v2/profiles/21')).status).toBe(404);
  });

  it('fails only the requests of the grant a fault names', async () => {
    lwa = await LwaSimulator.start();
    const a = lwa.issueRefreshToken();
    const b = lwa.issueRefreshToken();
    ads = await AdsApiSimulator.start({ lwa });
    ads.failNext({ status: 503, grant: b, times: 2, path: '/v2/profiles' });
    const tokenA = (await refresh(lwa, a)).access_token;
    const tokenB = (await refresh(lwa, b)).access_token;
    expect((await list(ads, tokenA, lwa.clientId)).status).toBe(200);
    expect((await list(ads, tokenB, lwa.clientId)).status).toBe(503);
    expect((await list(ads, tokenA, lwa.clientId)).status).toBe(200);
    expect((await list(ads, tokenB, lwa.clientId)).status).toBe(503);
    expect((await list(ads, tokenB, lwa.clientId)).status).toBe(200);
  });

  it('needs an issuer that can tell grants apart', async () => {
    lwa = await LwaSimulator.start();
    const issuer = { clientId: lwa.clientId, isValidAccessToken: (t: string) => (lwa as LwaSimulator).isValidAccessToken(t) };
    ads = await AdsApiSimulator.start({ lwa: issuer });
    expect(() => ads?.setGrantProfiles('Atzr|x', [])).toThrow(TypeError);
  });
});
