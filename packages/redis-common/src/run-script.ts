import type { RedisConnection } from './redis-connection.js';
import { isNoScriptError, type RedisScript } from './redis-script.js';

/** Runs `script` by EVALSHA; on NOSCRIPT, by EVAL (which loads it for next time). Keys route the call on Cluster. */
export async function runScript(
  connection: RedisConnection,
  script: RedisScript,
  keys: string[],
  args: string[],
): Promise<unknown> {
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await connection.command(keys[0], ['EVALSHA', script.sha, ...tail]);
  } catch (error) {
    if (!isNoScriptError(error)) throw error;
    return connection.command(keys[0], ['EVAL', script.source, ...tail]);
  }
}
