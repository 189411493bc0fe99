import type { GrantStatus } from '@ads-token/core';
import { printJson, say, type CommandContext } from '../command.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { grantProblems, type GrantProblem } from '../grant-problems.js';
import { consentCell, expiryCell, grantStatusJson, statusCell } from '../grant-status-view.js';
import type { Session } from '../session.js';
import { renderTable } from '../table.js';

/**
 * `ads-token status --check`: judges every stored grant (or only `grant`) from the store, with no
 * LWA call. Exits 0 when every grant is fine, {@link EXIT_CODES.attention} when any needs attention,
 * {@link EXIT_CODES.notAuthenticated} when there is nothing to check.
 */
export async function runStatusCheck(context: CommandContext, session: Session, grant: string | undefined): Promise<ExitCode> {
  const { clientId } = session.config;
  const all = await session.pool().status({ signal: context.signal });
  const statuses: GrantStatus[] = (grant === undefined ? all : all.filter((s) => s.grantId === grant)).sort((a, b) =>
    a.grantId < b.grantId ? -1 : a.grantId > b.grantId ? 1 : 0,
  );
  const judged = statuses.map((s) => ({ status: s, problems: grantProblems(s) }));
  const attention = judged.filter((j) => j.problems.length > 0);
  const empty = statuses.length === 0;
  const code: ExitCode = empty ? EXIT_CODES.notAuthenticated : attention.length > 0 ? EXIT_CODES.attention : EXIT_CODES.ok;
  if (context.flags.json === true) {
    printJson(context, {
      ok: code === EXIT_CODES.ok,
      checked: statuses.length,
      needAttention: attention.length,
      grants: judged.map((j) => ({ ...grantStatusJson(j.status), ok: j.problems.length === 0, problems: j.problems })),
    });
  } else if (!empty) {
    const now = Date.now();
    const table = renderTable(
      ['GRANT', 'CHECK', 'STATUS', 'ACCESS TOKEN', 'CONSENTED'],
      judged.map((j) => [j.status.grantId, j.problems.length === 0 ? 'ok' : 'ATTENTION', statusCell(j.status), expiryCell(j.status, now), consentCell(j.status)]),
    );
    context.io.stdout.write(`Client ${clientId}, store ${session.storeDescription}\n${table}`);
  }
  if (empty) {
    say(context, grant === undefined ? `No grants stored for client ${clientId} in ${session.storeDescription}: nothing to check.` : `Grant '${grant}' has no tokens in ${session.storeDescription}.`);
    return code;
  }
  for (const j of attention) for (const p of j.problems) say(context, `Grant '${j.status.grantId}': ${describe(p)}`);
  say(
    context,
    attention.length === 0
      ? `All ${statuses.length} grant${statuses.length === 1 ? '' : 's'} OK.`
      : `${attention.length} of ${statuses.length} grant${statuses.length === 1 ? '' : 's'} need attention.`,
  );
  return code;
}

function describe(problem: GrantProblem): string {
  const what: Record<GrantProblem['code'], string> = {
    revoked: 'revoked',
    unreadable: 'unreadable',
    expired_without_refresh_token: 'expired without a refresh token',
    consent_expiring: 'consent limit near',
  };
  return `${what[problem.code]}: ${problem.message}`;
}
