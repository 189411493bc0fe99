import { printJson, say, type Command } from '../command.js';
import { JSON_OPTION } from '../common-options.js';
import { EXIT_CODES } from '../exit-codes.js';
import { consentCell, expiryCell, grantStatusJson, statusCell } from '../grant-status-view.js';
import { readProfileCounts } from '../profile-counts.js';
import { renderTable } from '../table.js';

/** `ads-token grants`: every grant of the client id with status, expiry, consent age and profile count. */
export const grantsCommand: Command = {
  name: 'grants',
  summary: 'List every grant of the client id: status, expiry, consent age, profiles',
  usage: 'grants [--json]',
  description:
    'Lists every grant stored for the client id (all of them; --grant is ignored): status (valid, expiring, expired, no_access_token, ' +
    'revoked, unreadable), access token expiry, days since consent (flagged within 30 days of the 365-day consent limit) and the ' +
    "number of Ads API profiles the shared profile directory routes to the grant ('-' when no directory is stored). " +
    'Reads the store only: no LWA or Ads API call, never a token. Exits 0 when the grants could be listed; ' +
    "'ads-token status --check' gives a verdict for monitoring.",
  options: { ...JSON_OPTION },
  examples: ['ads-token grants', 'ads-token grants --json', 'ads-token grants --store redis://127.0.0.1:6379/0'],
  async run(context) {
    const session = await context.session();
    const pool = session.pool();
    const statuses = (await pool.status({ signal: context.signal })).sort((a, b) => (a.grantId < b.grantId ? -1 : a.grantId > b.grantId ? 1 : 0));
    const directory = await readProfileCounts(pool, context.signal);
    const profiles = (grantId: string): number | null => (directory.kind === 'counts' ? (directory.counts.get(grantId) ?? 0) : null);
    if (context.flags.json === true) {
      printJson(
        context,
        statuses.map((s) => ({ ...grantStatusJson(s), profiles: profiles(s.grantId) })),
      );
    } else if (statuses.length === 0) {
      say(context, `No grants stored for client ${session.config.clientId} in ${session.storeDescription}. Run 'ads-token login --grant NAME' to add one.`);
    } else {
      const now = Date.now();
      const table = renderTable(
        ['GRANT', 'STATUS', 'ACCESS TOKEN', 'CONSENTED', 'PROFILES'],
        statuses.map((s) => [s.grantId, statusCell(s), expiryCell(s, now), consentCell(s), String(profiles(s.grantId) ?? '-')]),
      );
      context.io.stdout.write(`Client ${session.config.clientId}, store ${session.storeDescription}\n${table}`);
    }
    if (directory.kind === 'unreadable') say(context, `Profile counts unavailable: ${directory.reason}.`);
    return EXIT_CODES.ok;
  },
};
