import { UsageError } from '../cli-error.js';
import { printJson, type Command } from '../command.js';
import { EXIT_CODES } from '../exit-codes.js';

function curlQuote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `ads-token headers`: the Ads API headers, as JSON or as curl `-H` lines. */
export const headersCommand: Command = {
  name: 'headers',
  summary: 'Print Ads API request headers (JSON, or -H lines for curl)',
  usage: 'headers [--profile ID] [--format json|curl] [--grant NAME]',
  description:
    'Prints Authorization (with a valid access token), Amazon-Advertising-API-ClientId and, with --profile, Amazon-Advertising-API-Scope. ' +
    "--format curl prints one -H line per header, which curl reads as a config file: 'ads-token headers --format curl | curl -K - URL'.",
  options: {
    profile: { type: 'string', value: 'ID', description: 'Ads API profile id (sets Amazon-Advertising-API-Scope)' },
    format: { type: 'string', value: 'json|curl', description: 'Output format (default json)' },
  },
  examples: [
    'ads-token headers --profile 1234567890',
    'ads-token headers --profile 1234567890 --format curl | curl -K - https://advertising-api.amazon.com/v2/profiles',
  ],
  async run(context) {
    const format = typeof context.flags.format === 'string' ? context.flags.format : 'json';
    if (format !== 'json' && format !== 'curl') throw new UsageError(`--format must be json or curl, got "${format}"`, 'headers');
    const profile = context.flags.profile;
    if (typeof profile === 'string' && !/^\d+$/.test(profile)) throw new UsageError(`--profile must be a numeric profile id, got "${profile}"`, 'headers');
    const session = await context.session();
    const headers = await session.manager().getHeaders({ signal: context.signal, ...(typeof profile === 'string' ? { profileId: profile } : {}) });
    if (format === 'json') printJson(context, headers);
    else context.io.stdout.write(Object.entries(headers).map(([name, value]) => `-H ${curlQuote(`${name}: ${value}`)}\n`).join(''));
    return EXIT_CODES.ok;
  },
};
