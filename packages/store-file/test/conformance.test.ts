import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { lockSuite, tokenStoreSuite } from '@ads-token/testing';
import { describe, test } from 'vitest';
import { FileLock, FileTokenStore } from '../src/index.js';
import { removeDir, tempDir } from './helpers.js';

describe('FileTokenStore conformance', () => {
  tokenStoreSuite(
    test,
    async () => {
      const dir = await tempDir('conf-store-');
      const path = join(dir, 'tokens.json');
      const store = new FileTokenStore({ path, watchIntervalMs: 50 });
      const peer = new FileTokenStore({ path, watchIntervalMs: 50 });
      return {
        store,
        peer,
        cleanup: async () => {
          await store.close();
          await peer.close();
          await removeDir(dir);
        },
      };
    },
    { name: 'FileTokenStore', peer: true, subscribe: true },
  );
});

describe('FileLock conformance', () => {
  lockSuite(
    test,
    async () => {
      const directory = await tempDir('conf-lock-');
      const lock = new FileLock({ directory });
      const peer = new FileLock({ directory });
      return {
        lock,
        peer,
        loseLease: async (key: string) => {
          await unlink(lock.pathFor(key));
        },
        cleanup: async () => {
          await lock.close();
          await peer.close();
          await removeDir(directory);
        },
      };
    },
    { name: 'FileLock', peer: true, loseLease: true },
  );
});
