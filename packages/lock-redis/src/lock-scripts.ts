import { RedisScript } from '@ads-token/redis-common';

/** KEYS[1] lock; ARGV: owner token, ttl ms. 1 when the owner still holds it and its expiry was reset. */
export const RENEW = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`);

/** KEYS[1] lock; ARGV: owner token, release channel. Deletes only the owner's lock, then wakes waiters. */
export const RELEASE = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], 'released')
  return 1
end
return 0
`);
