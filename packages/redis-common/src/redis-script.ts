import { createHash } from 'node:crypto';

/** A Lua script run by EVALSHA, falling back to EVAL (which caches it) on NOSCRIPT. */
export class RedisScript {
  /** The Lua source. */
  readonly source: string;
  /** SHA-1 of the source, as Redis names it. */
  readonly sha: string;

  /** Creates a script from its Lua source. */
  constructor(source: string) {
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }
}

/** True when Redis answered NOSCRIPT (the script cache does not hold the script). */
export function isNoScriptError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith('NOSCRIPT') || message.includes('NOSCRIPT No matching script');
}
