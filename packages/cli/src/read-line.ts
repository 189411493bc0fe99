import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** Options of {@link readLine}. */
export interface ReadLineOptions {
  /** Ends the wait (Ctrl-C, timeout): the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Do not echo what is typed on a terminal (secrets). */
  hidden?: boolean;
}

/**
 * The first non-empty line of `input`, trimmed; undefined when the input ends first. Leaves the
 * stream paused so it holds the process open no longer.
 */
export function readLine(input: NodeJS.ReadableStream & { isTTY?: boolean }, options: ReadLineOptions = {}): Promise<string | undefined> {
  const { signal, hidden = false } = options;
  signal?.throwIfAborted();
  const terminal = hidden && input.isTTY === true;
  const rl = createInterface({
    input,
    ...(terminal ? { output: new Writable({ write: (_chunk, _encoding, done) => done() }), terminal: true } : { terminal: false }),
  });
  return new Promise<string | undefined>((resolve, reject) => {
    let settled = false;
    const finish = (result: { line?: string; error?: unknown }): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      rl.close();
      input.pause();
      if ('error' in result) reject(result.error);
      else resolve(result.line);
    };
    const onAbort = (): void => finish({ error: signal?.reason });
    signal?.addEventListener('abort', onAbort, { once: true });
    rl.on('line', (line) => {
      const text = line.trim();
      if (text !== '') finish({ line: text });
    });
    rl.on('close', () => finish({}));
    // A terminal in raw mode (hidden input) turns Ctrl-C into this event instead of a signal.
    rl.on('SIGINT', () => finish({ error: new DOMException('Interrupted', 'AbortError') }));
  });
}
