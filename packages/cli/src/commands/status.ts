import { parseStoreKey, storeKeyPrefix, type TokenInfo } from '@ads-token/core';
import { printJson, say, type Command } from '../command.js';
import { JSON_OPTION } from '../common-options.js';
import { describeError } from '../describe-error.js';
import { formatRelative } from '../duration.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { renderTable } from '../table.js';
import { tokenInfoJson } from '../token-info-view.js';
import { runStatusCheck } from './status-check.js';

type Row = { grant: string; info: TokenInfo } | { grant: string; error: { code: string; message: string }; exitCode: ExitCode };

/** `ads-token status`: every grant in the store with its status. */
export const statusCommand: Command = {
  name: 'status',
  summary: 'Show every grant in the store: status, expiry, consent age, revoked',
  usage: 'status [--grant NAME] [--check] [--json]',
  description:
    'Lists the grants stored for the client id (or only --grant NAME): status (valid, expiring, expired, no_access_token, revoked), ' +
    'access token expiry, time since consent, whether a refresh token is held. Never prints a token. ' +
    'Exits 0 when every listed grant could be read; with --grant, 3 when that grant has no tokens. ' +
    'With --check (for cron and monitoring) it judges every grant from the store, with no LWA call, and exits 11 when any is revoked, ' +
    'unreadable, expired with no refresh token, or within 30 days of the 365-day consent limit, saying why on stderr; ' +
    '0 when all are fine; 3 when there is no grant to check.',
  options: {
    check: { type: 'boolean', description: 'Exit 11 when any grant needs attention (revoked, unreadable, expired, consent limit near)' },
    ...JSON_OPTION,
  },
  examples: ['ads-token status', 'ads-token status --json', 'ads-token status --grant acme', 'ads-token status --check || alert', 'ads-token status --check --json'],
  async run(context) {
    const session = await context.session();
    const { clientId } = session.config;
    const explicit = typeof context.flags.grant === 'string' || session.config.grant !== 'default';
    if (context.flags.check === true) return runStatusCheck(context, session, explicit ? session.config.grant : undefined);
    let grants: string[];
    if (explicit) {
      grants = [session.config.grant];
    } else {
      grants = [];
      for await (const key of session.store.list(storeKeyPrefix(clientId), { signal: context.signal })) {
        const parsed = parseStoreKey(key);
        if (parsed !== undefined && parsed.clientId === clientId) grants.push(parsed.grantId);
      }
      grants.sort();
    }
    const rows: Row[] = [];
    for (const grant of grants) {
      try {
        rows.push({ grant, info: await session.manager(grant).getTokenInfo({ signal: context.signal }) });
      } catch (error) {
        const report = describeError(error, { grant });
        const code = typeof (error as { code?: unknown }).code === 'string' ? String((error as { code: string }).code) : 'ERROR';
        rows.push({ grant, error: { code, message: report.message }, exitCode: report.exitCode });
      }
    }
    const now = Date.now();
    if (context.flags.json === true) {
      printJson(
        context,
        rows.map((r) => ('info' in r ? tokenInfoJson(r.info, now) : { grant: r.grant, status: 'unreadable', error: r.error })),
      );
    } else if (rows.length === 0) {
      say(context, `No grants stored for client ${clientId} in ${session.storeDescription}. Run 'ads-token login' to add one.`);
    } else {
      const table = renderTable(
        ['GRANT', 'STATUS', 'ACCESS TOKEN', 'CONSENTED', 'REFRESH TOKEN', 'REVOKED'],
        rows.map((r) => {
          if (!('info' in r)) return [r.grant, 'unreadable', '-', '-', '-', '-'];
          const i = r.info;
          return [
            r.grant,
            i.status,
            i.expiresAt === undefined ? '-' : i.expiresAt.getTime() > now ? `expires ${formatRelative(i.expiresAt, now)}` : `expired ${formatRelative(i.expiresAt, now)}`,
            i.consentedAt === undefined ? 'unknown' : formatRelative(i.consentedAt, now),
            i.hasRefreshToken ? 'yes' : 'no',
            i.status === 'revoked' ? 'yes' : 'no',
          ];
        }),
      );
      context.io.stdout.write(`Client ${clientId}, store ${session.storeDescription}\n${table}`);
      for (const r of rows) if (!('info' in r)) say(context, `Grant '${r.grant}': ${r.error.message}`);
    }
    const failed = rows.find((r): r is Extract<Row, { exitCode: ExitCode }> => 'exitCode' in r);
    if (failed !== undefined) return failed.exitCode;
    const only = rows.length === 1 && explicit ? rows[0] : undefined;
    if (only !== undefined && 'info' in only && only.info.status === 'not_authenticated') return EXIT_CODES.notAuthenticated;
    return EXIT_CODES.ok;
  },
};
