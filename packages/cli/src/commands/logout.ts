import { storeKey } from '@ads-token/core';
import { printJson, say, type Command } from '../command.js';
import { JSON_OPTION } from '../common-options.js';
import { EXIT_CODES } from '../exit-codes.js';

/** `ads-token logout`: deletes a grant's tokens from the store. */
export const logoutCommand: Command = {
  name: 'logout',
  summary: "Delete a grant's tokens from the store",
  usage: 'logout [--grant NAME] [--json]',
  description:
    "Deletes the grant's stored tokens (also when they can no longer be decrypted). Every process sharing the store stops using them. " +
    'This does not withdraw the consent at Amazon: the advertiser does that in their Amazon account.',
  options: { ...JSON_OPTION },
  examples: ['ads-token logout', 'ads-token logout --grant acme'],
  async run(context) {
    const session = await context.session();
    const grant = session.config.grant;
    const existed = (await session.store.get(storeKey(session.config.clientId, grant), { signal: context.signal })) !== undefined;
    await session.manager(grant).clearTokens({ signal: context.signal });
    if (context.flags.json === true) printJson(context, { grant, removed: existed });
    else if (existed) say(context, `Removed grant '${grant}' from ${session.storeDescription}.`);
    else say(context, `Grant '${grant}' had no stored tokens in ${session.storeDescription}; nothing to remove.`);
    return EXIT_CODES.ok;
  },
};
