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
