import { EXIT_CODES, type ExitCode } from './exit-codes.js';

/** A failure the CLI reports with its own message and exit code (usage errors, timeouts, Ads API refusals). */
export class CliError extends Error {
  /** Exit status to end with. */
  readonly exitCode: ExitCode;
  /** An extra line telling the user what to do next. */
  readonly hint: string | undefined;

  /** Creates the error. */
  constructor(message: string, exitCode: ExitCode = EXIT_CODES.other, hint?: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** A bad command line: exit code 2 with a pointer to `--help`. */
export class UsageError extends CliError {
  /** Creates the error; `command` names the command whose help to suggest. */
  constructor(message: string, command?: string) {
    super(message, EXIT_CODES.usage, `Run 'ads-token ${command ? `${command} ` : ''}--help' for usage.`);
    this.name = 'UsageError';
  }
}
