import { lockSuite, tokenStoreSuite } from '@ads-token/testing';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { DynamoDbLock, DynamoDbTokenStore } from '../src/index.js';
import { ensureTable, loopbackClient, startDynalite, type DynaliteServer } from './dynalite-server.js';

const TABLE = 'conformance';
let server: DynaliteServer;
beforeAll(async () => {
  server = await startDynalite();
  await ensureTable(server.endpoint, TABLE);
});
afterAll(async () => {
  await server?.stop();
});

describe('DynamoDbTokenStore conformance', () => {
  tokenStoreSuite(
    test,
    () => {
      // Two clients: the peer is what another process would have.
      const [a, b] = [loopbackClient(server.endpoint), loopbackClient(server.endpoint)];
      const store = new DynamoDbTokenStore({ client: a, tableName: TABLE, keyPrefix: 'conformance:' });
      const peer = new DynamoDbTokenStore({ client: b, tableName: TABLE, keyPrefix: 'conformance:' });
      return {
        store,
        peer,
        cleanup: async () => {
          await Promise.all([store.close(), peer.close()]);
          a.destroy();
          b.destroy();
        },
      };
    },
    { name: 'DynamoDbTokenStore', peer: true },
  );
});

describe('DynamoDbLock conformance', () => {
  lockSuite(
    test,
    () => {
      // Two clients for two "processes"; a third deletes lease items as an operator would.
      const [a, b, admin] = [loopbackClient(server.endpoint), loopbackClient(server.endpoint), loopbackClient(server.endpoint)];
      const lock = new DynamoDbLock({ client: a, tableName: TABLE, keyPrefix: 'lock:' });
      const peer = new DynamoDbLock({ client: b, tableName: TABLE, keyPrefix: 'lock:' });
      return {
        lock,
        peer,
        loseLease: async (key: string) => {
          await admin.send(new DeleteItemCommand({ TableName: TABLE, Key: { key: { S: `lock:${key}` } } }));
        },
        cleanup: async () => {
          await Promise.all([lock.close(), peer.close()]);
          for (const client of [a, b, admin]) client.destroy();
        },
      };
    },
    { name: 'DynamoDbLock', peer: true, loseLease: true },
  );
});
