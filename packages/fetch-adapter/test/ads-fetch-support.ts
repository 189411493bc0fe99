import { TokenManager } from '@ads-token/core';
import type { TokenManagerOptions } from '@ads-token/core';
import { AdsApiSimulator, LwaSimulator } from '@ads-token/testing';
import type { AdsApiEcho, AdsApiSimulatorOptions, LwaSimulatorOptions } from '@ads-token/testing';
import { FetchHttpClient } from '../src/index.js';

/** LWA and Ads API simulators and a manager holding a grant of that LWA; stop() ends them all. */
export interface AdsWorld {
  lwa: LwaSimulator;
  ads: AdsApiSimulator;
  refreshToken: string;
  manager(extra?: Partial<TokenManagerOptions>): Promise<TokenManager>;
  stop(): Promise<void>;
}

export async function startWorld(options: { lwa?: LwaSimulatorOptions; ads?: Partial<AdsApiSimulatorOptions> } = {}): Promise<AdsWorld> {
  const lwa = await LwaSimulator.start(options.lwa);
  const ads = await AdsApiSimulator.start({ lwa, ...options.ads });
  const refreshToken = lwa.issueRefreshToken();
  const managers: TokenManager[] = [];
  return {
    lwa,
    ads,
    refreshToken,
    async manager(extra = {}) {
      const m = new TokenManager({
        clientId: lwa.clientId,
        clientSecret: lwa.clientSecret,
        http: new FetchHttpClient({ timeoutMs: 5000 }),
        endpoints: { tokenUrl: lwa.tokenUrl, authorizationUrl: lwa.authorizationUrl },
        retry: { baseDelayMs: 5, maxDelayMs: 50 },
        ...extra,
      });
      managers.push(m);
      await m.setRefreshToken(extra.grantId === undefined ? refreshToken : lwa.issueRefreshToken());
      return m;
    },
    async stop() {
      await Promise.all(managers.map((m) => m.close()));
      await ads.stop();
      await lwa.stop();
    },
  };
}

/** The echo route's answer. */
export async function echoOf(response: Response): Promise<AdsApiEcho> {
  if (response.status !== 200) throw new Error(`echo answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as AdsApiEcho;
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
