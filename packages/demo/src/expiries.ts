/**
 * How many times the fleet's current token came due for refresh while the fleet ran.
 *
 * `issuedAt`: epoch ms of every token LWA issued (code exchange and refreshes), in any order.
 * A token counts when it was replaced no earlier than `marginMs` before it came due
 * (`issuedAt + dueAfterMs`), even in the run's last moments, or, if never replaced, when it came
 * due at least `marginMs` before `endAt`. One replaced well before its due time (a duplicate
 * refresh) does not count, so a fleet that refreshes twice per expiry shows 2 refreshes per expiry.
 */
export function countExpiries(issuedAt: readonly number[], dueAfterMs: number, endAt: number, marginMs = 1000): number {
  const times = [...issuedAt].sort((a, b) => a - b);
  let expiries = 0;
  for (let i = 0; i < times.length; i += 1) {
    const due = times[i]! + dueAfterMs;
    const next = times[i + 1];
    // Refreshed when due (however close to the end), or came due well before the end.
    const refreshedWhenDue = next !== undefined && next >= due - marginMs;
    const cameDueUnrefreshed = next === undefined && due <= endAt - marginMs;
    if (refreshedWhenDue || cameDueUnrefreshed) expiries += 1;
  }
  return expiries;
}

/** One token request as the LWA simulator logged it (the fields the tally reads). */
export interface IssueRecord {
  grantType: string;
  status: number;
  at: number;
  grant?: string;
}

/** LWA refresh requests and expiries of one grant during a run. */
export interface GrantTally {
  /** The grant, named as the LWA simulator names it. */
  grant: string;
  refreshes: number;
  expiries: number;
}

/**
 * Per grant: refresh requests in `run`, and expiries (see {@link countExpiries}) of the tokens
 * issued before (`before`: the sign-in and seeding) and during the run.
 */
export function tallyByGrant(before: readonly IssueRecord[], run: readonly IssueRecord[], dueAfterMs: number, endAt: number, marginMs = 1000): GrantTally[] {
  const issued = new Map<string, number[]>();
  const refreshes = new Map<string, number>();
  for (const record of [...before, ...run]) {
    if (record.grant === undefined) continue;
    if (!issued.has(record.grant)) issued.set(record.grant, []);
    if (record.status === 200) issued.get(record.grant)!.push(record.at);
  }
  for (const record of run) {
    if (record.grant !== undefined && record.grantType === 'refresh_token') refreshes.set(record.grant, (refreshes.get(record.grant) ?? 0) + 1);
  }
  return [...issued].map(([grant, times]) => ({ grant, refreshes: refreshes.get(grant) ?? 0, expiries: countExpiries(times, dueAfterMs, endAt, marginMs) }));
}
