// Runs examples/lambda-handler.ts as Lambda would: imported once (cold start), then invoked again
// and again (warm), and counts what each invocation asks of DynamoDB.
import { generateEncryptionKey, TokenManager } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { AdsApiSimulator, LwaSimulator } from '@ads-token/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoDbLock, DynamoDbTokenStore } from '../src/index.js';
import { ensureTable, loopbackClient, startDynalite, type DynaliteServer } from './dynalite-server.js';

let server: DynaliteServer;
let lwa: LwaSimulator;
let ads: AdsApiSimulator;
const saved = { ...process.env };
beforeAll(async () => {
  server = await startDynalite();
  await ensureTable(server.endpoint, 'lambda-tokens');
  lwa = await LwaSimulator.start();
  ads = await AdsApiSimulator.start({ lwa });
});
afterAll(async () => {
  process.env = saved;
  await ads?.stop();
  await lwa?.stop();
  await server?.stop();
});

it('a cold start reads the table once, warm invocations send DynamoDB nothing while the token is valid', async () => {
  const key = generateEncryptionKey();
  // Boot: an operator stored the grant's refresh token (as `ads-token import` or a setup script would).
  const client = loopbackClient(server.endpoint);
  const setup = new TokenManager({
    clientId: lwa.clientId,
    clientSecret: lwa.clientSecret,
    http: new FetchHttpClient(),
    endpoints: { tokenUrl: lwa.tokenUrl },
    store: new DynamoDbTokenStore({ client, tableName: 'lambda-tokens' }),
    lock: new DynamoDbLock({ client, tableName: 'lambda-tokens' }),
    encryptionKey: { raw: key },
  });
  await setup.setRefreshToken(lwa.issueRefreshToken());
  await setup.getAccessToken();
  await setup.close();
  client.destroy();

  Object.assign(process.env, {
    LWA_CLIENT_ID: lwa.clientId,
    LWA_CLIENT_SECRET: lwa.clientSecret,
    LWA_TOKEN_URL: lwa.tokenUrl,
    ADS_API_URL: ads.url,
    ADS_TOKEN_KEY: key,
    TOKEN_TABLE: 'lambda-tokens',
    AWS_ENDPOINT_URL_DYNAMODB: server.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOOPBACKTEST',
    AWS_SECRET_ACCESS_KEY: 'loopback-test-secret',
  });
  server.resetCounts();
  lwa.resetCounts();
  const { handler, manager } = await import('../examples/lambda-handler.js');

  const cold = await handler({});
  expect(cold.statusCode).toBe(200);
  expect(Object.fromEntries(server.counts)).toEqual({ GetItem: 1 });
  server.resetCounts();
  for (let i = 0; i < 20; i++) {
    const warm = await handler({ profileId: ads.profiles[0]!.profileId.toString() });
    expect(warm.statusCode).toBe(200);
  }
  expect(server.total()).toBe(0);
  expect(lwa.counts.refresh_token).toBe(0);
  await manager.close();
});
