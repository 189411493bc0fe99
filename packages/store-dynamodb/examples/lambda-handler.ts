// An AWS Lambda handler that calls the Amazon Ads API with tokens shared through DynamoDB.
//
// Everything is made at module scope, once per execution environment: a cold start reads the
// table once, and warm invocations get the access token from memory (no DynamoDB request) until
// it is due. One invocation per fleet refreshes it; the others poll the lock and then read it.
//
// Environment: LWA_CLIENT_ID, LWA_CLIENT_SECRET, ADS_TOKEN_KEY (32 random bytes, base64),
// TOKEN_TABLE (default `ads-token`); the SDK's own AWS_REGION and credentials (the function's
// role). Optional overrides for tests: LWA_TOKEN_URL, ADS_API_URL, AWS_ENDPOINT_URL_DYNAMODB.
import { TokenManager } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { DynamoDbLock, DynamoDbTokenStore } from '@ads-token/store-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const env = process.env;
const tableName = env.TOKEN_TABLE ?? 'ads-token';
const client = new DynamoDBClient({});

/** The manager of this function's advertiser grant, shared by every invocation of this environment. */
export const manager = new TokenManager({
  clientId: env.LWA_CLIENT_ID ?? '',
  clientSecret: env.LWA_CLIENT_SECRET ?? '',
  http: new FetchHttpClient(),
  store: new DynamoDbTokenStore({ client, tableName }),
  lock: new DynamoDbLock({ client, tableName }),
  encryptionKey: { raw: env.ADS_TOKEN_KEY ?? '' },
  // Work after the response is frozen: a due refresh happens inside the invocation instead.
  backgroundRefresh: false,
  ...(env.LWA_TOKEN_URL === undefined ? {} : { endpoints: { tokenUrl: env.LWA_TOKEN_URL } }),
});

/** What the handler is invoked with. */
export interface ProfilesEvent {
  /** Lists this profile only, when given. */
  profileId?: string;
}

/** Lists the advertiser's Ads API profiles. */
export async function handler(event: ProfilesEvent): Promise<{ statusCode: number; body: string }> {
  const base = env.ADS_API_URL ?? 'https://advertising-api.amazon.com';
  const headers = await manager.getHeaders(event.profileId === undefined ? {} : { profileId: event.profileId });
  const path = event.profileId === undefined ? '/v2/profiles' : `/v2/profiles/${encodeURIComponent(event.profileId)}`;
  const response = await fetch(base + path, { headers });
  return { statusCode: response.status, body: await response.text() };
}
