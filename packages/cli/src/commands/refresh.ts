import { printJson, say, type Command } from '../command.js';
import { JSON_OPTION } from '../common-options.js';
import { EXIT_CODES } from '../exit-codes.js';
import { describeExpiry, tokenInfoJson } from '../token-info-view.js';

/** `ads-token refresh`: refreshes the access token now. */
export const refreshCommand: Command = {
  name: 'refresh',
  summary: 'Refresh the access token now',
  usage: 'refresh [--grant NAME] [--json]',
  description: 'Asks LWA for a new access token now (under the refresh lock, so a fleet sharing the store refreshes once) and stores it. Prints the new expiry, never a token.',
  options: { ...JSON_OPTION },
  examples: ['ads-token refresh', 'ads-token refresh --grant acme --json'],
  async run(context) {
    const session = await context.session();
    const manager = session.manager();
    await manager.refreshAccessToken({ signal: context.signal });
    const info = await manager.getTokenInfo({ signal: context.signal });
    const now = Date.now();
    if (context.flags.json === true) printJson(context, tokenInfoJson(info, now));
    else say(context, `Refreshed grant '${info.grantId}': access token ${describeExpiry(info, now)}.`);
    return EXIT_CODES.ok;
  },
};
