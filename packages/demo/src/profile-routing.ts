import type { DemoGrant } from './protocol.js';

/** Finds the grant that reaches an advertising profile. */
export type ProfileRouter = (profileId: number | string) => string;

/**
 * The one place the demo maps a profile id to its grant: a table built from the grants' profile
 * lists. `ProfileDirectory.grantFor` (fetch-adapter), which lists `/v2/profiles` per grant and
 * shares the table through the store, can take its place without changing any caller.
 */
export function profileRouter(grants: readonly DemoGrant[]): ProfileRouter {
  const table = new Map<string, string>();
  for (const grant of grants) for (const profileId of grant.profileIds) table.set(String(profileId), grant.grantId);
  return (profileId) => {
    const grantId = table.get(String(profileId));
    if (grantId === undefined) throw new RangeError(`no grant reaches profile ${String(profileId)}`);
    return grantId;
  };
}
