import { describe, expect, it } from 'vitest';
import { parseStoreKey, storeKey, storeKeyPrefix } from '../src/index.js';

describe('storeKey', () => {
  it('uses the documented format with a Redis Cluster hash tag', () => {
    expect(storeKey('amzn1.application-oa2-client.x', 'default')).toBe('ads-token:v1:{amzn1.application-oa2-client.x:default}');
  });

  it('escapes ids so that no two grants collide', () => {
    const a = storeKey('a:b', 'c');
    const b = storeKey('a', 'b:c');
    expect(a).not.toBe(b);
    expect(storeKey('x}', '{y')).toBe('ads-token:v1:{x%7D:%7By}');
    expect(storeKey('100%', 'g')).not.toBe(storeKey('100%25', 'g'));
  });

  it('round-trips through parseStoreKey and lists under the client prefix', () => {
    for (const [c, g] of [['a:b', 'c'], ['%3A', '}{'], ['client', 'grant-1']] as const) {
      const key = storeKey(c, g);
      expect(parseStoreKey(key)).toEqual({ clientId: c, grantId: g });
      expect(key.startsWith(storeKeyPrefix(c))).toBe(true);
    }
    expect(parseStoreKey('other:key')).toBeUndefined();
    expect(storeKey('ab', 'c').startsWith(storeKeyPrefix('a'))).toBe(false);
  });
});
