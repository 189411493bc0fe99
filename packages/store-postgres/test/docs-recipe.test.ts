import { readFileSync } from 'node:fs';
import { tokenStoreSuite } from '@ads-token/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { startPostgres, type PostgresServer } from './postgres-server.js';
import { SqlTokenStore } from './recipes/sql-token-store.js';

const doc = readFileSync(new URL('../../../docs/custom-store.md', import.meta.url), 'utf8');

/** The ```ts block of the doc that starts with `// <name>`. */
function block(name: string): string {
  const start = doc.indexOf('```ts\n// ' + name + '\n');
  if (start < 0) throw new Error(`docs/custom-store.md has no code block starting with // ${name}`);
  return doc.slice(start + 6, doc.indexOf('```\n', start + 6));
}

describe('docs/custom-store.md: the PostgreSQL recipe', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
    // The table exactly as the recipe's comment creates it.
    const ddl = /CREATE TABLE ads_token \(.*\);/.exec(block('sql-token-store.ts'))?.[0];
    expect(ddl).toBeDefined();
    await server.query(ddl!);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is, character for character, the store tested here', () => {
    expect(block('sql-token-store.ts')).toBe(readFileSync(new URL('./recipes/sql-token-store.ts', import.meta.url), 'utf8'));
  });

  tokenStoreSuite(
    test,
    () => {
      const a = new pg.Pool({ connectionString: server.url, max: 5 });
      const b = new pg.Pool({ connectionString: server.url, max: 5 });
      return {
        store: new SqlTokenStore(a),
        peer: new SqlTokenStore(b),
        cleanup: async () => {
          await Promise.all([a.end(), b.end()]);
        },
      };
    },
    { name: 'SqlTokenStore (docs recipe)', peer: true },
  );

  it('leaves the table empty: the suite deletes every key it wrote', async () => {
    expect((await server.query('SELECT count(*)::int AS n FROM ads_token')).rows[0]).toEqual({ n: 0 });
  });
});
