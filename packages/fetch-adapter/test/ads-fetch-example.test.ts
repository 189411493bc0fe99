import { describe, expect, it } from 'vitest';
import { runWithSimulators } from '../examples/with-simulators.js';

describe('examples/quick-start.ts', () => {
  it('authenticates, lists profiles by hand and through createAdsFetch, and logs no token', async () => {
    const lines: string[] = [];
    const profiles = await runWithSimulators((line) => lines.push(line));
    expect(profiles.length).toBeGreaterThanOrEqual(3);
    expect(lines[0]).toMatch(/^authenticated: status valid, expires in \d+ s$/);
    expect(lines).toContain(`fetch + getHeaders: ${profiles.length} profiles`);
    expect(lines).toContain(`profile ${profiles[0]!.profileId}: 200`);
    expect(lines.filter((l) => l.startsWith('profile ')).length).toBe(profiles.length + 1);
    expect(lines.join('\n')).not.toMatch(/Atz[ar]\|/);
  });
});
