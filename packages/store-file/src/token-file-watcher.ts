import { sameSignature, statTokenFile, type FileSignature, type TokenFileSnapshot } from './token-file-reader.js';

/**
 * Tells subscribers when a key's version in the token file changed, by polling the file's
 * signature (inode, size, mtime, ctime) every `intervalMs` and reading it only when that changed.
 * Its timer never keeps the process alive.
 */
export class TokenFileWatcher {
  readonly #listeners = new Map<string, Set<() => void>>();
  readonly #known = new Map<string, string | undefined>();
  #signature: FileSignature | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #polling = false;
  #closed = false;

  /** Creates a watcher over `path`, reading it with `read`. */
  constructor(
    private readonly path: string,
    private readonly read: () => Promise<TokenFileSnapshot>,
    private readonly intervalMs: number,
  ) {}

  /** Adds a listener for `key`; resolves to its removal. */
  async subscribe(key: string, onChange: () => void): Promise<() => Promise<void>> {
    if (!this.#known.has(key)) {
      try {
        const snap = await this.read();
        this.#known.set(key, snap.records.get(key)?.version);
        if (this.#listeners.size === 0) this.#signature = snap.signature;
      } catch {
        this.#known.set(key, undefined);
      }
    }
    let set = this.#listeners.get(key);
    if (set === undefined) this.#listeners.set(key, (set = new Set()));
    const listener = (): void => onChange();
    set.add(listener);
    this.#schedule();
    return async () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(key) === set) {
        this.#listeners.delete(key);
        this.#known.delete(key);
      }
      if (this.#listeners.size === 0) this.#stop();
    };
  }

  /** Records a write made by this process and tells its listeners at once. */
  noteLocalChange(key: string, version: string | undefined): void {
    if (!this.#listeners.has(key)) return;
    if (this.#known.get(key) === version) return;
    this.#known.set(key, version);
    this.#notify(key);
  }

  /** Stops polling and drops every listener. */
  close(): void {
    this.#closed = true;
    this.#listeners.clear();
    this.#known.clear();
    this.#stop();
  }

  #stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Arms the next poll unless one is armed or running: there is never more than one poll loop. */
  #schedule(): void {
    if (this.#closed || this.#timer !== undefined || this.#polling || this.#listeners.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#polling = true;
      // A failed look at the file is retried at the next interval, never an unhandled rejection.
      void this.#poll()
        .catch(() => undefined)
        .finally(() => {
          this.#polling = false;
          this.#schedule();
        });
    }, this.intervalMs);
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    const signature = await statTokenFile(this.path);
    if (sameSignature(signature, this.#signature)) return;
    let snap: TokenFileSnapshot;
    try {
      snap = await this.read();
    } catch {
      return;
    }
    this.#signature = snap.signature;
    for (const key of [...this.#listeners.keys()]) {
      const version = snap.records.get(key)?.version;
      if (this.#known.get(key) === version) continue;
      this.#known.set(key, version);
      this.#notify(key);
    }
  }

  #notify(key: string): void {
    const set = this.#listeners.get(key);
    if (set === undefined) return;
    for (const listener of [...set]) {
      queueMicrotask(() => {
        try {
          listener();
        } catch {
          // A listener's failure is its own.
        }
      });
    }
  }
}
