import { CorruptRecordError, NotAuthenticatedError, TokenManager, storeKey } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { LwaSimulator } from '@ads-token/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClient, type ClientKind, type OpenedClient } from '../../redis-common/test/redis-clients.js';
import { startRedis, type RedisServer } from '../../redis-common/test/redis-server.js';
import { RedisTokenStore } from '../src/index.js';

let server: RedisServer | undefined;
let lwa: LwaSimulator | undefined;
const opened: OpenedClient[] = [];
beforeAll(async () => {
  server = await startRedis();
  lwa = await LwaSimulator.start();
}, 60_000);
afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await lwa?.stop();
  await server?.stop();
});

async function store(kind: ClientKind, keyPrefix: string): Promise<RedisTokenStore> {
  const c = await openClient(kind, server!.port);
  opened.push(c);
  return new RedisTokenStore({ client: c.client, keyPrefix });
}

for (const kind of ['node-redis', 'ioredis'] as const) {
  describe(`a Redis hash that is not a token record (${kind})`, () => {
    const key = storeKey('amzn1.client', 'grant-1');

    it('missing `v` or `d` (or both, with other fields) is CorruptRecordError naming the key', async () => {
      for (const [name, fields] of [
        ['no-v', ['d', 'sealed']],
        ['no-d', ['v', 'version-1']],
        ['neither', ['other', 'x']],
      ] as const) {
        const prefix = `${kind}-${name}:`;
        await server!.cli('HSET', prefix + key, ...fields);
        const error = await (await store(kind, prefix)).get(key).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, name).toBeInstanceOf(CorruptRecordError);
        expect((error as Error).message).toContain(prefix + key);
        expect(await server!.cli('HGETALL', prefix + key)).toBe(fields.join('\n'));
      }
    });

    it('an absent key and an empty `d` still read as they are', async () => {
      const s = await store(kind, `${kind}-ok:`);
      expect(await s.get(key)).toBeUndefined();
      expect(await s.compareAndSet(key, undefined, { version: 'v1', data: '' })).toBe(true);
      expect(await s.get(key)).toEqual({ version: 'v1', data: '' });
    });

    it('the manager reports the corrupt record, not "Not authenticated", and setRefreshToken does not say the store kept changing', async () => {
      const prefix = `${kind}-manager:`;
      const s = await store(kind, prefix);
      const manager = new TokenManager({ clientId: lwa!.clientId, clientSecret: lwa!.clientSecret, http: new FetchHttpClient(), store: s, endpoints: { tokenUrl: lwa!.tokenUrl } });
      await server!.cli('HSET', prefix + manager.key, 'd', 'sealed');
      try {
        const read = await manager.getAccessToken().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(read).toBeInstanceOf(CorruptRecordError);
        expect(read).not.toBeInstanceOf(NotAuthenticatedError);
        const write = await manager.setRefreshToken(lwa!.issueRefreshToken()).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(write).toBeInstanceOf(CorruptRecordError);
        expect((write as Error).message).not.toContain('kept changing');
        expect(await server!.cli('HGETALL', prefix + manager.key)).toBe('d\nsealed');
      } finally {
        await manager.close();
      }
    });
  });
}
