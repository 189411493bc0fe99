import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { TokenFileSnapshot } from '../src/token-file-reader.js';
import { TokenFileWatcher } from '../src/token-file-watcher.js';
import { eventually, removeDir, tempDir } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir('watcher-');
});
afterEach(async () => {
  await removeDir(dir);
});

test('subscribe/unsubscribe churn while a poll is running leaves exactly one poll loop', async () => {
  const path = join(dir, 'tokens.json');
  await writeFile(path, '{}');
  // Every poll reads the file (the signature it returns never matches the real one) and, while
  // `hold` is set, its read waits until the test lets it go: each waiting read is one poll loop.
  let hold = false;
  const waiting: (() => void)[] = [];
  const read = async (): Promise<TokenFileSnapshot> => {
    if (hold) await new Promise<void>((resolve) => waiting.push(resolve));
    return { records: new Map(), signature: { ino: 0, size: 0, mtimeNs: 0n, ctimeNs: 0n } };
  };
  const watcher = new TokenFileWatcher(path, read, 5);
  try {
    const first = await watcher.subscribe('k', () => undefined);
    hold = true;
    await eventually(() => waiting.length === 1, 5000, 'a poll is running');
    hold = false;
    await first();
    const second = await watcher.subscribe('k', () => undefined);
    hold = true;
    waiting.shift()!();
    // Plenty of intervals for a second loop to reach its own read.
    await new Promise((r) => setTimeout(r, 300));
    expect(waiting).toHaveLength(1);
    await second();
  } finally {
    watcher.close();
    for (const release of waiting.splice(0)) release();
  }
});
