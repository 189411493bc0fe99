import { RedisScript } from '@ads-token/redis-common';

/** KEYS[1] record. `{fields, v, d}`: the hash's field count (0: absent) and its `v` and `d` (nil when missing), read at once. */
export const READ = new RedisScript(`
local fields = redis.call('HMGET', KEYS[1], 'v', 'd')
return {redis.call('HLEN', KEYS[1]), fields[1], fields[2]}
`);

/** KEYS[1] record; ARGV: hasExpected ('0'|'1'), expected, version, data, channel. 1 when written. */
export const COMPARE_AND_SET = new RedisScript(`
if ARGV[1] == '1' then
  if redis.call('HGET', KEYS[1], 'v') ~= ARGV[2] then return 0 end
elseif redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'v', ARGV[3], 'd', ARGV[4])
redis.call('PUBLISH', ARGV[5], 'set')
return 1
`);

/** KEYS[1] record; ARGV: hasExpected ('0'|'1'), expected, channel. 1 when deleted. */
export const DELETE = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] == '1' and redis.call('HGET', KEYS[1], 'v') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[3], 'del')
return 1
`);
