import { spawn } from 'node:child_process';

/** Something text can be written to (process.stdout, a test buffer). */
export interface TextSink {
  /** Writes text as is. */
  write(text: string): unknown;
}

/** Where the CLI reads and writes, so it can run inside another program or a test. */
export interface CliIo {
  /** Results for scripts: the access token, JSON, tables. */
  stdout: TextSink;
  /** Messages for people: prompts, progress, errors. */
  stderr: TextSink;
  /** Input for pasted redirect URLs and imported refresh tokens. */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Environment variables (ADS_CLIENT_ID, ...). */
  env: Readonly<Record<string, string | undefined>>;
  /** Directory that relative paths and ./ads-token.config.json are resolved against. */
  cwd: string;
  /** Aborts a command in progress (Ctrl-C): it ends with exit code 130. */
  signal?: AbortSignal;
  /** Opens a URL in a browser (`login --open`). @default xdg-open, open or start, detached */
  openUrl?: (url: string) => Promise<void>;
}

/** Opens `url` with the platform's opener, detached; rejects when the opener cannot be started. */
export function openInBrowser(url: string): Promise<void> {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

/** The {@link CliIo} of this process (what the `ads-token` binary uses). */
export function processIo(signal?: AbortSignal): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // A getter: touching process.stdin opens it, which a command that reads nothing should not do.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    openUrl: openInBrowser,
    ...(signal === undefined ? {} : { signal }),
  };
}
