import { performance } from 'node:perf_hooks';

/** What one look at a lock file saw: its inode and a fingerprint its holder changes on each renewal. */
export interface Heartbeat {
  /** Inode of the lock file (a new holder means a new inode). */
  ino: bigint;
  /** Changes whenever the holder renews (modification and change times, size). */
  beat: string;
}

interface Observed {
  ino: bigint;
  beat: string;
  /** performance.now() of the first look that saw this beat. */
  since: number;
}

/**
 * Judges lock files by what this process observes on its own monotonic clock (performance.now()),
 * never by comparing a file's timestamp with a wall clock: a lease is stale once its heartbeat
 * stayed unchanged, as seen here, for longer than its allowance. A wall-clock step on this host or
 * on the holder's therefore neither makes a live holder look stale nor a dead one look fresh.
 */
export class HeartbeatWatch {
  readonly #seen = new Map<string, Observed>();

  /** How long (ms, monotonic) `path` has shown `heartbeat` to this process; 0 on the first look or a change. */
  unchangedFor(path: string, heartbeat: Heartbeat): number {
    const now = performance.now();
    const known = this.#seen.get(path);
    if (known === undefined || known.ino !== heartbeat.ino || known.beat !== heartbeat.beat) {
      this.#seen.set(path, { ino: heartbeat.ino, beat: heartbeat.beat, since: now });
      return 0;
    }
    return now - known.since;
  }

  /** Forgets `path` (it was removed or is ours). */
  forget(path: string): void {
    this.#seen.delete(path);
  }
}
