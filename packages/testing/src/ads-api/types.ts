/** What the Ads API simulator needs from an LWA: its client id and a way to check access tokens (an {@link LwaSimulator} fits). */
export interface AdsApiTokenIssuer {
  /** The client id every request's `Amazon-Advertising-API-ClientId` must equal. */
  readonly clientId: string;
  /** True for an access token the issuer gave out that is still valid. */
  isValidAccessToken(token: string): boolean;
  /** The grant an access or refresh token belongs to, named by its first refresh token (needed for per-grant profiles and faults). */
  grantOf?(token: string): string | undefined;
}

/** The account behind an advertising profile, as `/v2/profiles` lists it. */
export interface AdsAccountInfo {
  /** Marketplace id, e.g. `ATVPDKIKX0DER` (US). */
  marketplaceStringId: string;
  /** Seller, vendor or agency account id. */
  id: string;
  /** Account type. */
  type: 'seller' | 'vendor' | 'agency';
  /** Account name. */
  name: string;
  /** Whether a payment method is on file. */
  validPaymentMethod?: boolean;
}

/** One advertising profile, as `/v2/profiles` lists it. */
export interface AdsProfile {
  /** The profile id, sent back as `Amazon-Advertising-API-Scope`. */
  profileId: number;
  /** Two-letter country code. */
  countryCode: string;
  /** ISO currency code. */
  currencyCode: string;
  /** Daily budget, where the account has one. */
  dailyBudget?: number;
  /** IANA time zone of the marketplace. */
  timezone: string;
  /** The account behind the profile. */
  accountInfo: AdsAccountInfo;
}

/** Options of {@link AdsApiSimulator.start}. */
export interface AdsApiSimulatorOptions {
  /** Issuer of the access tokens to accept, usually an {@link LwaSimulator}. */
  lwa: AdsApiTokenIssuer;
  /** Delay before answering each request, in ms. @default 0 */
  latencyMs?: number;
  /** Profiles `GET /v2/profiles` lists (for a grant without its own `profilesByGrant` entry). @default three North American profiles (US seller, CA seller, MX vendor) */
  profiles?: AdsProfile[];
  /**
   * Profiles per grant: keys are a grant's refresh token (the one `LwaSimulator.issueRefreshToken`
   * returned; later rotations keep the grant's name), values what `GET /v2/profiles` lists for a
   * token of that grant. Needs an issuer with `grantOf` (an LwaSimulator has it). @default none: every grant lists `profiles`
   */
  profilesByGrant?: Record<string, AdsProfile[]>;
  /**
   * Path prefixes that need an `Amazon-Advertising-API-Scope` header naming one of `profiles`
   * (else 400). @default ['/v2/campaigns', '/v2/sp/', '/sp/', '/sb/', '/sd/']
   */
  requireScope?: string[];
}

/** A status the simulator answers instead of handling the next `times` requests. */
export interface AdsApiFault {
  /** HTTP status, e.g. 401, 429, 500 or 503. */
  status: number;
  /** How many requests get this answer. @default 1 */
  times?: number;
  /** `Retry-After` to send: seconds (number), an HTTP date (Date), or the raw header text (string). */
  retryAfter?: number | Date | string;
  /** Only requests whose path starts with this get the fault (others pass it by). @default every path */
  path?: string;
  /** Only requests carrying an access token of this grant (named by a refresh token of it) get the fault. @default every grant */
  grant?: string;
}

/** One request as the simulator saw it. */
export interface AdsApiRequestRecord {
  /** HTTP method. */
  method: string;
  /** URL path, without the query. */
  path: string;
  /** Status answered; 0 while the answer is still pending (latency) or when the client went away first. */
  status: number;
  /** The `Amazon-Advertising-API-Scope` header, if any. */
  profileId?: string;
  /** When it arrived (epoch ms). */
  at: number;
}

/** Which requests {@link AdsApiSimulator.count} counts; every given field must match. */
export interface AdsApiCountFilter {
  /** Exact URL path. */
  path?: string;
  /** Status answered. */
  status?: number;
  /** HTTP method. */
  method?: string;
}

/** The JSON body of `/echo/...` answers: what arrived. */
export interface AdsApiEcho {
  /** HTTP method. */
  method: string;
  /** URL path. */
  path: string;
  /** Query parameters (the last value of a repeated name). */
  query: Record<string, string>;
  /** Received headers, lower-case names; `authorization` reads `Bearer [redacted]`. */
  headers: Record<string, string>;
  /** The request body as text. */
  body: string;
}

/** The JSON body of an Ads API error answer. */
export interface AdsApiErrorBody {
  /** Error code, e.g. `UNAUTHORIZED`, `THROTTLED`, `INTERNAL_ERROR`. */
  code: string;
  /** Human-readable description. */
  details: string;
  /** Request id, also sent as `x-amzn-RequestId`. */
  requestId: string;
}
