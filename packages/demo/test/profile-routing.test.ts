import { describe, expect, test } from 'vitest';
import { demoGrants, demoProfiles } from '../src/demo-grants.js';
import { profileRouter } from '../src/profile-routing.js';

describe('profile routing', () => {
  const grants = demoGrants(200);

  test('every profile of every grant routes to that grant, by number or string', () => {
    const grantFor = profileRouter(grants);
    for (const grant of grants) {
      for (const profileId of grant.profileIds) {
        expect(grantFor(profileId)).toBe(grant.grantId);
        expect(grantFor(String(profileId))).toBe(grant.grantId);
      }
    }
  });

  test('a profile no grant reaches is refused with its id in the message', () => {
    expect(() => profileRouter(grants)(42)).toThrow('no grant reaches profile 42');
  });

  test('the demo grants have 2 to 4 profiles each, unique across grants, and the simulator lists every one', () => {
    const ids = grants.flatMap((g) => g.profileIds);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Math.min(...grants.map((g) => g.profileIds.length))).toBe(2);
    expect(Math.max(...grants.map((g) => g.profileIds.length))).toBe(4);
    expect(demoProfiles(grants).map((p) => p.profileId)).toEqual(ids);
    expect(new Set(grants.map((g) => g.grantId)).size).toBe(200);
  });
});
