import { describe, expect, test } from 'vitest';
import type { FleetMember } from '../src/fleet.js';
import { emptyStats } from '../src/protocol.js';
import { StatusView, workerLine } from '../src/status-view.js';

function sink(isTTY: boolean): { out: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const out = { isTTY, columns: 100, write: (chunk: string) => { text += chunk; return true; } } as unknown as NodeJS.WriteStream;
  return { out, text: () => text };
}

function member(id: number, served: number): FleetMember {
  return { id, pid: 1000 + id, stats: { ...emptyStats(), served, lwaRefreshes: 1 }, final: false, stderr: '' } as unknown as FleetMember;
}

describe('StatusView', () => {
  const members = [member(1, 10), member(2, 20)];

  test('on a terminal it redraws one line per worker in place', () => {
    const { out, text } = sink(true);
    const view = new StatusView(members, { out, header: () => 'header', liveIntervalMs: 60_000 });
    view.start();
    members[0]!.stats.served = 11;
    view.stop();
    const lines = text().split('\n').filter(Boolean);
    expect(lines).toHaveLength(6); // two draws of header + 2 workers
    expect(text().split('\x1b[3A')).toHaveLength(2); // the second draw moved up over the first
    expect(lines[4]).toContain('worker 1 (pid 1001) running: 11 calls served, refreshed 1 via LWA / 0 from store');
    expect(lines.every((l) => l.includes('\r\x1b[2K'))).toBe(true); // each line cleared before it is written
  });

  test('elsewhere it prints plain blocks, no escape codes', () => {
    const { out, text } = sink(false);
    const view = new StatusView(members, { out, header: () => 'header', plainIntervalMs: 60_000 });
    view.start();
    view.stop();
    expect(text()).toBe(`header\n  ${workerLine(members[0]!)}\n  ${workerLine(members[1]!)}\n`);
    expect(text()).not.toContain('\x1b');
  });
});
