import type { Command } from '../command.js';
import { EXIT_CODES } from '../exit-codes.js';

/** `ads-token token`: prints a valid access token (refreshing first when needed). */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'Print a valid access token (refreshes when needed)',
  usage: 'token [--grant NAME]',
  description:
    'Prints a valid access token for the grant on stdout, refreshing it first when it expires within the refresh buffer. ' +
    'This is the only command that prints a token; the refresh token is never printed.',
  options: {},
  examples: ['ads-token token', 'curl -H "Authorization: Bearer $(ads-token token)" ...'],
  async run(context) {
    const session = await context.session();
    const token = await session.manager().getAccessToken({ signal: context.signal });
    context.io.stdout.write(`${token}\n`);
    return EXIT_CODES.ok;
  },
};
