import type { CliIo } from './cli-io.js';
import type { CliConfig, CliFlags } from './config.js';
import type { ExitCode } from './exit-codes.js';
import type { SecretRedactor } from './secret-redactor.js';
import type { Session } from './session.js';

/** One flag of a command. */
export interface OptionSpec {
  /** `string` flags take a value; `boolean` flags do not (`--no-x` negates). */
  type: 'string' | 'boolean';
  /** One-letter alias. */
  short?: string;
  /** Placeholder of the value in help (`PATH`, `ID`). */
  value?: string;
  /** One line for help. */
  description: string;
}

/** What a command gets to run with. */
export interface CommandContext {
  /** Streams (output already passes through the redactor). */
  io: CliIo;
  /** Parsed flags. */
  flags: CliFlags;
  /** Add secrets the command learns (an imported refresh token) so no output shows them. */
  redactor: SecretRedactor;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** The resolved configuration (loaded on first use). */
  config(): Promise<CliConfig>;
  /** Store, lock and managers (opened on first use, closed after the command). */
  session(): Promise<Session>;
}

/** A subcommand of `ads-token`. */
export interface Command {
  /** Name on the command line. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage line after `ads-token`. */
  usage: string;
  /** Paragraphs for `--help`. */
  description: string;
  /** The command's own flags (the common ones are added to every command). */
  options: Readonly<Record<string, OptionSpec>>;
  /** Example command lines. */
  examples: readonly string[];
  /** Runs the command; resolves to the exit code. */
  run(context: CommandContext): Promise<ExitCode>;
}

/** Writes one line to stderr. */
export function say(context: CommandContext, line = ''): void {
  context.io.stderr.write(`${line}\n`);
}

/** Writes JSON (2-space indented) to stdout. */
export function printJson(context: CommandContext, value: unknown): void {
  context.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
