import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { afterEach, expect, test } from 'vitest';
import { Cleanup, everyoneServedAgain, fileBackend, report, seconds, seedGrant, sleep, startFleet, startSimulators, tempDir, until } from './support/harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

test('corrupted token file: a typed error naming the path, the file is never overwritten, service resumes once it is restored', async ({ task }) => {
  const { lwa, ads } = await startSimulators(cleanup, { tokenLifetimeSeconds: 10 });
  const backend = fileBackend(await tempDir(cleanup, 'drill-corrupt-'));
  await seedGrant(lwa, backend, 0);
  const drill = await startFleet(cleanup, { lwa, ads, backend, refreshBufferSeconds: 4, backgroundRetryCooldownMs: 500 });
  const ids = drill.fleet.members.map((m) => m.id);
  await until(() => drill.served().every((n) => n > 0), 'every worker served a call', 10_000);

  const original = await readFile(backend.path);
  const garbage = '{"format":"ads-token-file","formatVersion":1,"records":{"ads-token:v1:{trunc';
  const corruptedAt = Date.now();
  await writeFile(backend.path, garbage);
  const corruptedStat = await stat(backend.path);
  const servedAtCorruption = drill.served().reduce((a, b) => a + b, 0);

  const sawCorrupt = (id: number): boolean => drill.log.failures.some((f) => f.worker === id && f.code === 'CORRUPT_RECORD');
  await until(() => ids.every(sawCorrupt), 'every worker reported CORRUPT_RECORD', 15_000);
  const allSawAt = Math.max(...ids.map((id) => drill.log.failures.find((f) => f.worker === id && f.code === 'CORRUPT_RECORD')!.at));
  const servedOnHeldToken = drill.served().reduce((a, b) => a + b, 0) - servedAtCorruption;
  await sleep(1500); // workers keep calling: still nobody writes over the file
  const untouched = (await readFile(backend.path, 'utf8')) === garbage && (await stat(backend.path)).mtimeMs === corruptedStat.mtimeMs;

  // Restore the file as an operator would: a copy moved into place.
  await writeFile(`${backend.path}.restore`, original, { mode: 0o600 });
  const restoredAt = Date.now();
  await rename(`${backend.path}.restore`, backend.path);
  const failuresAtRestore = drill.log.failures.length;
  await everyoneServedAgain(drill, ids, 'every worker served calls after the restore', 15_000);
  const recoveredAt = Date.now();
  await sleep(500);
  await drill.fleet.stop();

  const members = drill.fleet.members;
  const sample = drill.log.failures.find((f) => f.code === 'CORRUPT_RECORD')!;
  const codes = new Set(drill.log.failures.map((f) => f.code));
  const lateFailures = drill.log.failures.slice(failuresAtRestore).filter((f) => f.at > recoveredAt);

  report(task, {
    story: [
      'While 4 workers serve calls, the token file is overwritten with truncated JSON. The workers keep serving the token',
      'they hold while it is valid; once it must be replaced, each one reads the file and fails with CorruptTokenFileError',
      'naming it, and nobody writes over it. After the operator moves the saved copy back, the workers serve again.',
      `A caller sees: ${sample.code}: ${sample.message}`,
    ],
    figures: [
      ['calls served on the held token after the corruption', servedOnHeldToken],
      ['corruption -> every worker reports it', seconds(allSawAt - corruptedAt)],
      ['file left as found while corrupt', untouched ? 'yes' : 'NO'],
      ['restore -> every worker served again', seconds(recoveredAt - restoredAt)],
      ['errors seen by callers', `${drill.log.failures.length} (${[...codes].join(', ')})`],
      ['errors after recovery', lateFailures.length],
      ['LWA calls', lwa.counts.refresh_token],
    ],
  });

  for (const m of members) {
    expect(m.fatal).toBeUndefined();
    expect(m.final).toBe(true);
    expect(m.exit?.code).toBe(0);
  }
  expect(sample.message).toContain(backend.path);
  expect([...codes]).toEqual(['CORRUPT_RECORD']);
  expect(untouched).toBe(true);
  expect(lateFailures).toEqual([]);
});
