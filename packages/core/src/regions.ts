/** Amazon Ads API regions. */
export type Region = 'NA' | 'EU' | 'FE';

/** The URLs of one region. */
export interface RegionEndpoints {
  /** LWA consent page. */
  authorizationUrl: string;
  /** LWA token endpoint. */
  tokenUrl: string;
  /** Amazon Ads API host. */
  apiUrl: string;
}

/** LWA and Ads API URLs per region. */
export const REGIONS: Readonly<Record<Region, Readonly<RegionEndpoints>>> = Object.freeze({
  NA: Object.freeze({
    authorizationUrl: 'https://www.amazon.com/ap/oa',
    tokenUrl: 'https://api.amazon.com/auth/o2/token',
    apiUrl: 'https://advertising-api.amazon.com',
  }),
  EU: Object.freeze({
    authorizationUrl: 'https://eu.account.amazon.com/ap/oa',
    tokenUrl: 'https://api.amazon.co.uk/auth/o2/token',
    apiUrl: 'https://advertising-api-eu.amazon.com',
  }),
  FE: Object.freeze({
    authorizationUrl: 'https://apac.account.amazon.com/ap/oa',
    tokenUrl: 'https://api.amazon.co.jp/auth/o2/token',
    apiUrl: 'https://advertising-api-fe.amazon.com',
  }),
});

/** True when `value` names a region. */
export function isRegion(value: unknown): value is Region {
  return value === 'NA' || value === 'EU' || value === 'FE';
}
