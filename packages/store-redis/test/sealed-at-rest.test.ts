import { TokenManager } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { LwaSimulator } from '@ads-token/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openClient, type OpenedClient } from '../../redis-common/test/redis-clients.js';
import { startRedis, type RedisServer } from '../../redis-common/test/redis-server.js';
import { RedisTokenStore } from '../src/index.js';

let server: RedisServer | undefined;
let lwa: LwaSimulator | undefined;
let opened: OpenedClient | undefined;
beforeAll(async () => {
  server = await startRedis();
  lwa = await LwaSimulator.start({ rotateRefreshTokens: true });
}, 60_000);
afterAll(async () => {
  await opened?.close();
  await lwa?.stop();
  await server?.stop();
});

it('what Redis holds for a grant contains no token and no secret', async () => {
  opened = await openClient('node-redis', server!.port);
  const store = new RedisTokenStore({ client: opened.client, keyPrefix: 'app:' });
  const manager = new TokenManager({
    clientId: lwa!.clientId,
    clientSecret: lwa!.clientSecret,
    http: new FetchHttpClient(),
    store,
    endpoints: { tokenUrl: lwa!.tokenUrl },
  });
  const refreshToken = lwa!.issueRefreshToken();
  await manager.setRefreshToken(refreshToken);
  const tokens = [await manager.getAccessToken(), await manager.refreshAccessToken()];
  await manager.close();
  await store.close();

  // Everything the server holds: every key's value, read by its type.
  const keys = (await server!.cli('--raw', 'KEYS', '*')).split('\n').filter(Boolean);
  expect(keys.length).toBeGreaterThan(0);
  const values = await Promise.all(
    keys.map(async (k) => {
      const type = await server!.cli('--raw', 'TYPE', k);
      if (type === 'hash') return server!.cli('--raw', 'HGETALL', k);
      if (type === 'string') return server!.cli('--raw', 'GET', k);
      throw new Error(`unexpected ${type} at ${k}`);
    }),
  );
  const held = values.join('\n');
  expect(held).toContain('ats1.');
  for (const secret of [...tokens, refreshToken, lwa!.clientSecret, 'Atza|', 'Atzr|']) expect(held).not.toContain(secret);
});
