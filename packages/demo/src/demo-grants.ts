import type { AdsProfile } from '@ads-token/testing';
import type { DemoGrant } from './protocol.js';

const COUNTRIES = [
  { countryCode: 'US', currencyCode: 'USD', timezone: 'America/Los_Angeles', marketplaceStringId: 'ATVPDKIKX0DER' },
  { countryCode: 'CA', currencyCode: 'CAD', timezone: 'America/Los_Angeles', marketplaceStringId: 'A2EUQ1WTGCTBG2' },
  { countryCode: 'MX', currencyCode: 'MXN', timezone: 'America/Los_Angeles', marketplaceStringId: 'A1AM78C64UM0Y8' },
  { countryCode: 'BR', currencyCode: 'BRL', timezone: 'America/Sao_Paulo', marketplaceStringId: 'A2Q3Y263D00KWC' },
] as const;

/** The grant id of advertiser `index` (0-based): `advertiser-001`, ... */
export function demoGrantId(index: number): string {
  return `advertiser-${String(index + 1).padStart(3, '0')}`;
}

/** `count` advertiser grants with 2 to 4 profiles each (profile ids unique across grants). */
export function demoGrants(count: number): DemoGrant[] {
  return Array.from({ length: count }, (_, index) => ({
    grantId: demoGrantId(index),
    profileIds: Array.from({ length: 2 + (index % 3) }, (_, k) => 3_000_000_000_000 + index * 10 + k),
  }));
}

/** Every grant's profiles as the Ads API simulator lists them. */
export function demoProfiles(grants: readonly DemoGrant[]): AdsProfile[] {
  return grants.flatMap((grant, index) =>
    grant.profileIds.map((profileId, k) => {
      const country = COUNTRIES[k % COUNTRIES.length]!;
      return {
        profileId,
        countryCode: country.countryCode,
        currencyCode: country.currencyCode,
        timezone: country.timezone,
        accountInfo: { marketplaceStringId: country.marketplaceStringId, id: `A${String(index + 1).padStart(6, '0')}`, type: 'seller' as const, name: `Advertiser ${index + 1}` },
      };
    }),
  );
}
