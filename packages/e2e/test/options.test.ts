import { ConfigurationError, TokenManager, type TokenManagerOptions } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { describe, expect, it } from 'vitest';

const base: TokenManagerOptions = { clientId: 'amzn1.application-oa2-client.x', clientSecret: 'secret-0123456789', http: new FetchHttpClient() };

describe('options', () => {
  it.each([
    ['refreshBuffer', { refreshBuffer: Number.NaN }],
    ['refreshBuffer', { refreshBuffer: -1 }],
    ['retry.baseDelayMs', { retry: { baseDelayMs: Number.NaN } }],
    ['retry.baseDelayMs', { retry: { baseDelayMs: -5 } }],
    ['retry.maxDelayMs', { retry: { maxDelayMs: Number.POSITIVE_INFINITY } }],
    ['retry.maxAttempts', { retry: { maxAttempts: 2.5 } }],
    ['retry.maxAttempts', { retry: { maxAttempts: 0 } }],
    ['retry.timeoutMs', { retry: { timeoutMs: Number.NaN } }],
    ['lockWaitMs', { lockWaitMs: -1 }],
    ['lockTtlMs', { lockTtlMs: 0 }],
    ['closeTimeoutMs', { closeTimeoutMs: -10 }],
    ['backgroundRetryCooldownMs', { backgroundRetryCooldownMs: -1 }],
    ['backgroundRetryCooldownMs', { backgroundRetryCooldownMs: '30000' }],
  ] as const)('%s out of range is a ConfigurationError naming it (%o)', (name, extra) => {
    const create = () => new TokenManager({ ...base, ...(extra as Partial<TokenManagerOptions>) });
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(name);
  });

  it('accepts a space-separated list of scopes and puts it in the consent URL', async () => {
    const manager = new TokenManager({ ...base, scope: 'profile advertising::campaign_management' });
    const { url } = await manager.createAuthorizationUrl();
    expect(new URL(url).searchParams.get('scope')).toBe('profile advertising::campaign_management');
  });

  it.each(['', ' profile', 'profile  advertising::x', 'profile\tx', 'a"b', 'a\\b', 'profile\n'])('refuses the scope %j', (scope) => {
    expect(() => new TokenManager({ ...base, scope })).toThrow(ConfigurationError);
  });
});
