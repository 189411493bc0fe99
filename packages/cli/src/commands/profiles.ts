import { CliError } from '../cli-error.js';
import { printJson, say, type Command } from '../command.js';
import { JSON_OPTION } from '../common-options.js';
import { EXIT_CODES } from '../exit-codes.js';
import { adsApiGet } from '../ads-api-get.js';
import { renderTable } from '../table.js';

interface ProfileView {
  profileId?: unknown;
  countryCode?: unknown;
  currencyCode?: unknown;
  timezone?: unknown;
  accountInfo?: { type?: unknown; name?: unknown; id?: unknown; marketplaceStringId?: unknown };
}

const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '-');

/** `ads-token profiles`: lists the Ads API profiles the grant can use. */
export const profilesCommand: Command = {
  name: 'profiles',
  summary: 'List the Ads API profiles of the grant (proves the credentials work)',
  usage: 'profiles [--grant NAME] [--json]',
  description:
    "Calls GET /v2/profiles on the region's Ads API host (or --api-url) with the grant's access token, refreshing it when needed, " +
    'and prints the profiles: id, country, currency, account type and name. The profile id is what --profile of headers takes.',
  options: { ...JSON_OPTION },
  examples: ['ads-token profiles', 'ads-token profiles --region EU --grant acme-eu --json'],
  async run(context) {
    const session = await context.session();
    const body = await adsApiGet(session, '/v2/profiles', context.signal, context.io.stderr);
    if (!Array.isArray(body)) throw new CliError('The Ads API answered /v2/profiles with something that is not a list', EXIT_CODES.unavailable);
    if (context.flags.json === true) {
      printJson(context, body);
      return EXIT_CODES.ok;
    }
    if (body.length === 0) {
      say(context, 'No profiles: the advertiser has no Ads account in this region (try --region).');
      return EXIT_CODES.ok;
    }
    const rows = (body as ProfileView[]).map((p) => [
      text(p.profileId),
      text(p.countryCode),
      text(p.currencyCode),
      text(p.accountInfo?.type),
      text(p.accountInfo?.name),
    ]);
    context.io.stdout.write(renderTable(['PROFILE ID', 'COUNTRY', 'CURRENCY', 'TYPE', 'NAME'], rows));
    return EXIT_CODES.ok;
  },
};
