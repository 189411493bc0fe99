import { lockSuite, tokenStoreSuite } from '@ads-token/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { PostgresLock, PostgresTokenStore } from '../src/index.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';

let server: PostgresServer;
let admin: pg.Pool;
beforeAll(async () => {
  server = await startPostgres();
  admin = new pg.Pool({ connectionString: server.url, max: 2 });
  await new PostgresTokenStore({ pool: admin, schema: 'public', table: 'conformance_token' }).createTable();
  await new PostgresLock({ pool: admin, table: 'conformance_lock' }).createTable();
});
afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

/** Two pools: the peer is what another process would have. */
function pools(): [pg.Pool, pg.Pool] {
  const a = new pg.Pool({ connectionString: server.url, max: 10 });
  const b = new pg.Pool({ connectionString: server.url, max: 10 });
  a.on('error', () => undefined);
  b.on('error', () => undefined);
  return [a, b];
}

describe('PostgresTokenStore conformance', () => {
  tokenStoreSuite(
    test,
    () => {
      const [a, b] = pools();
      const store = new PostgresTokenStore({ pool: a, table: 'conformance_token' });
      const peer = new PostgresTokenStore({ pool: b, table: 'conformance_token' });
      return {
        store,
        peer,
        cleanup: async () => {
          await Promise.all([store.close(), peer.close()]);
          await Promise.all([a.end(), b.end()]);
        },
      };
    },
    { name: 'PostgresTokenStore', peer: true, subscribe: true },
  );
});

describe('PostgresLock conformance', () => {
  lockSuite(
    test,
    () => {
      const [a, b] = pools();
      const lock = new PostgresLock({ pool: a, table: 'conformance_lock' });
      const peer = new PostgresLock({ pool: b, table: 'conformance_lock' });
      return {
        lock,
        peer,
        loseLease: async (key: string) => {
          await admin.query('DELETE FROM conformance_lock WHERE key = $1', [key]);
        },
        cleanup: async () => {
          await Promise.all([lock.close(), peer.close()]);
          await Promise.all([a.end(), b.end()]);
        },
      };
    },
    { name: 'PostgresLock', peer: true, loseLease: true },
  );
});
