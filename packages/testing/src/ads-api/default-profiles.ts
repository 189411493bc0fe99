import type { AdsProfile } from './types.js';

/** The profiles `GET /v2/profiles` lists unless told otherwise: a US seller, a CA seller and an MX vendor. */
export function defaultProfiles(): AdsProfile[] {
  return [
    {
      profileId: 1_000_000_000_001,
      countryCode: 'US',
      currencyCode: 'USD',
      dailyBudget: 100,
      timezone: 'America/Los_Angeles',
      accountInfo: { marketplaceStringId: 'ATVPDKIKX0DER', id: 'A1SIMSELLERUS', type: 'seller', name: 'Simulated Seller US', validPaymentMethod: true },
    },
    {
      profileId: 1_000_000_000_002,
      countryCode: 'CA',
      currencyCode: 'CAD',
      timezone: 'America/Los_Angeles',
      accountInfo: { marketplaceStringId: 'A2EUQ1WTGCTBG2', id: 'A1SIMSELLERUS', type: 'seller', name: 'Simulated Seller CA', validPaymentMethod: true },
    },
    {
      profileId: 1_000_000_000_003,
      countryCode: 'MX',
      currencyCode: 'MXN',
      timezone: 'America/Mexico_City',
      accountInfo: { marketplaceStringId: 'A1AM78C64UM0Y8', id: 'ENTITYSIMVENDORMX', type: 'vendor', name: 'Simulated Vendor MX' },
    },
  ];
}
