import { AdsApiSimulator, LwaSimulator } from '@ads-token/testing';
import { describe, expect, it } from 'vitest';
import { manyAdvertisers } from '../examples/many-advertisers.js';
import { profile } from './profile-world.js';

describe('examples/many-advertisers.ts', () => {
  it('routes calls by profile id to the grant that has each profile, reports a missing one, and logs no token', async () => {
    const lwa = await LwaSimulator.start();
    const ads = await AdsApiSimulator.start({ lwa });
    try {
      const acme = lwa.issueRefreshToken();
      const globex = lwa.issueRefreshToken();
      ads.setGrantProfiles(acme, [profile(1001, 'US', 'USD', 'Acme US'), profile(1002, 'CA', 'CAD', 'Acme CA')]);
      ads.setGrantProfiles(globex, [profile(2001, 'DE', 'EUR', 'Globex DE')]);
      const lines: string[] = [];
      const routed = await manyAdvertisers({
        clientId: lwa.clientId,
        clientSecret: lwa.clientSecret,
        grants: { acme, globex },
        profileIds: ['1002', '2001', '3001'],
        tokenUrl: lwa.tokenUrl,
        adsApiUrl: ads.url,
        log: (line) => lines.push(line),
      });
      expect(routed).toEqual({ '1002': 'acme', '2001': 'globex', '3001': undefined });
      expect(lines).toContain('directory: 3 profiles from 2 of 2 grants');
      expect(lines).toContain('profile 1002: 200 via grant acme');
      expect(lines).toContain('profile 3001: no grant has it');
      expect(lines.filter((l) => /^grant (acme|globex): valid/.test(l))).toHaveLength(2);
      expect(lines.join('\n')).not.toMatch(/Atz[ar]\|/);
    } finally {
      await ads.stop();
      await lwa.stop();
    }
  });
});
