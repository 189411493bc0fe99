export { runCli } from './run-cli.js';
export { processIo, openInBrowser } from './cli-io.js';
export type { CliIo, TextSink } from './cli-io.js';
export { EXIT_CODES } from './exit-codes.js';
export type { ExitCode } from './exit-codes.js';
export { CliError, UsageError } from './cli-error.js';
export { VERSION } from './version.js';
