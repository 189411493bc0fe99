import { readFileSync } from 'node:fs';
import { describe, expect, it, test } from 'vitest';
import { lockSuite, tokenStoreSuite } from '../src/index.js';
import { MapLeaseBackend, MapLock } from './recipes/map-lock.js';
import { MapBackend, MapTokenStore } from './recipes/map-token-store.js';

const doc = readFileSync(new URL('../../../docs/custom-store.md', import.meta.url), 'utf8');

/** The ```ts block of the doc that starts with `// <name>`. */
function block(name: string): string {
  const start = doc.indexOf('```ts\n// ' + name + '\n');
  if (start < 0) throw new Error(`docs/custom-store.md has no code block starting with // ${name}`);
  const end = doc.indexOf('```\n', start + 6);
  return doc.slice(start + 6, end);
}

describe('docs/custom-store.md: the map store recipe', () => {
  it('is, character for character, the store tested here', () => {
    expect(block('map-token-store.ts')).toBe(readFileSync(new URL('./recipes/map-token-store.ts', import.meta.url), 'utf8'));
  });

  tokenStoreSuite(
    test,
    () => {
      const backend = new MapBackend();
      return { store: new MapTokenStore(backend), peer: new MapTokenStore(backend) };
    },
    { name: 'MapTokenStore (docs recipe)', peer: true, subscribe: true },
  );
});

describe('docs/custom-store.md: the lock recipe', () => {
  it('is, character for character, the lock tested here', () => {
    expect(block('map-lock.ts')).toBe(readFileSync(new URL('./recipes/map-lock.ts', import.meta.url), 'utf8'));
  });

  lockSuite(
    test,
    () => {
      const backend = new MapLeaseBackend();
      return {
        lock: new MapLock(backend),
        peer: new MapLock(backend),
        loseLease: (key) => {
          backend.leases.delete(key);
          return Promise.resolve();
        },
      };
    },
    { name: 'MapLock (docs recipe)', peer: true, loseLease: true },
  );
});
