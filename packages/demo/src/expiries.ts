/**
 * How many times the fleet's current token came due for refresh while the fleet ran.
 *
 * `issuedAt`: epoch ms of every token LWA issued (code exchange and refreshes), in any order.
 * A token counts when it came due (`issuedAt + dueAfterMs`) at least `marginMs` before `endAt`
 * and was still the newest token then: one replaced well before its due time (a duplicate
 * refresh) does not count, so a fleet that refreshes twice per expiry shows 2 refreshes per expiry.
 */
export function countExpiries(issuedAt: readonly number[], dueAfterMs: number, endAt: number, marginMs = 1000): number {
  const times = [...issuedAt].sort((a, b) => a - b);
  let expiries = 0;
  for (let i = 0; i < times.length; i += 1) {
    const due = times[i]! + dueAfterMs;
    const next = times[i + 1];
    const cameDue = due <= endAt - marginMs;
    const stillNewest = next === undefined || next >= due - marginMs;
    if (cameDue && stillNewest) expiries += 1;
  }
  return expiries;
}
