import { tokenStoreSuite } from '@ads-token/testing';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { openClient, openClusterClient, type ClientKind, type OpenedClient } from '../../redis-common/test/redis-clients.js';
import { startRedis, startRedisCluster, type RedisCluster, type RedisServer } from '../../redis-common/test/redis-server.js';
import { RedisTokenStore } from '../src/index.js';

function suite(kind: ClientKind, topology: 'standalone' | 'cluster'): void {
  describe(`RedisTokenStore conformance, ${kind} (${topology})`, () => {
    let server: RedisServer | undefined;
    let cluster: RedisCluster | undefined;
    beforeAll(async () => {
      if (topology === 'cluster') cluster = await startRedisCluster();
      else server = await startRedis();
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
      await cluster?.stop();
    });
    const open = (): Promise<OpenedClient> =>
      topology === 'cluster' ? openClusterClient(kind, cluster!.rootNodes) : openClient(kind, server!.port);

    tokenStoreSuite(
      test,
      async () => {
        // Two clients: the peer is what another process would have.
        const [a, b] = await Promise.all([open(), open()]);
        const store = new RedisTokenStore({ client: a.client, keyPrefix: 'conformance:' });
        const peer = new RedisTokenStore({ client: b.client, keyPrefix: 'conformance:' });
        return {
          store,
          peer,
          cleanup: async () => {
            await Promise.all([store.close(), peer.close()]);
            await Promise.all([a.close(), b.close()]);
          },
        };
      },
      { name: 'RedisTokenStore', peer: true, subscribe: true },
    );
  });
}

suite('node-redis', 'standalone');
suite('ioredis', 'standalone');
suite('node-redis', 'cluster');
suite('ioredis', 'cluster');
