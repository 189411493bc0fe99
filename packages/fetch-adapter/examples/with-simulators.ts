/** Runs the quick start against loopback simulators of Login with Amazon and the Ads API. */
import { AdsApiSimulator, LwaSimulator } from '@ads-token/testing';
import { quickStart } from './quick-start.js';
import type { ProfileSummary } from './quick-start.js';

/** Starts the simulators, runs {@link quickStart} against them with a code from a simulated consent, and stops them. */
export async function runWithSimulators(log: (line: string) => void = console.log): Promise<ProfileSummary[]> {
  const lwa = await LwaSimulator.start();
  const ads = await AdsApiSimulator.start({ lwa });
  try {
    return await quickStart({
      clientId: lwa.clientId,
      clientSecret: lwa.clientSecret,
      authorizationCode: lwa.issueCode(),
      tokenUrl: lwa.tokenUrl,
      adsApiUrl: ads.url,
      log,
    });
  } finally {
    await ads.stop();
    await lwa.stop();
  }
}
