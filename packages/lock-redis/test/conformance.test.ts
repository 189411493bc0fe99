import { lockSuite } from '@ads-token/testing';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { openClient, openClusterClient, type ClientKind, type OpenedClient } from '../../redis-common/test/redis-clients.js';
import { startRedis, startRedisCluster, type RedisCluster, type RedisServer } from '../../redis-common/test/redis-server.js';
import { RedisLock } from '../src/index.js';

const PREFIX = 'conformance:';

function suite(kind: ClientKind, topology: 'standalone' | 'cluster'): void {
  describe(`RedisLock conformance, ${kind} (${topology})`, () => {
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

    lockSuite(
      test,
      async () => {
        // Two clients: the peer is what another process would have; a third deletes lock entries.
        const [a, b, admin] = await Promise.all([open(), open(), open()]);
        const lock = new RedisLock({ client: a.client, keyPrefix: PREFIX });
        const peer = new RedisLock({ client: b.client, keyPrefix: PREFIX });
        // Both libraries' clients and clusters have del().
        const adminClient = admin.client as { del(key: string): Promise<unknown> };
        return {
          lock,
          peer,
          loseLease: async (key: string) => {
            await adminClient.del(PREFIX + key);
          },
          cleanup: async () => {
            await Promise.all([lock.close(), peer.close()]);
            await Promise.all([a.close(), b.close(), admin.close()]);
          },
        };
      },
      { name: 'RedisLock', peer: true, loseLease: true },
    );
  });
}

suite('node-redis', 'standalone');
suite('ioredis', 'standalone');
suite('node-redis', 'cluster');
suite('ioredis', 'cluster');
