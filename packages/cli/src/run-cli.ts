import { parseCommandArgs, splitCommand } from './arguments.js';
import { UsageError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import type { CommandContext } from './command.js';
import { COMMANDS } from './commands/index.js';
import { resolveConfig, type CliConfig } from './config.js';
import { describeError } from './describe-error.js';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';
import { commandHelp, globalHelp } from './help.js';
import { SecretRedactor } from './secret-redactor.js';
import { Session } from './session.js';
import { VERSION } from './version.js';

function fail(io: CliIo, where: string, report: { message: string; hint: string | undefined }): void {
  io.stderr.write(`ads-token${where}: ${report.message}\n`);
  if (report.hint !== undefined) io.stderr.write(`${report.hint}\n`);
}

/**
 * Runs `ads-token` with `argv` (without the node and script paths) on `io` and resolves to the exit
 * code; never throws and never calls process.exit. Everything it opened is closed before it resolves.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const redactor = new SecretRedactor();
  const safeIo: CliIo = { ...io, stdout: redactor.wrap(io.stdout), stderr: redactor.wrap(io.stderr) };
  const { name, rest } = splitCommand(argv, COMMANDS);

  if (name === undefined) {
    if (rest.includes('--version') || rest.includes('-v')) {
      safeIo.stdout.write(`${VERSION}\n`);
      return EXIT_CODES.ok;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      safeIo.stdout.write(globalHelp(COMMANDS));
      return EXIT_CODES.ok;
    }
    safeIo.stderr.write(globalHelp(COMMANDS));
    return rest.length === 0 ? EXIT_CODES.usage : (fail(safeIo, '', { message: `Unknown option ${rest[0]!}`, hint: undefined }), EXIT_CODES.usage);
  }
  if (name === 'help') {
    const target = COMMANDS.find((c) => c.name === rest.find((a) => !a.startsWith('-')));
    safeIo.stdout.write(target === undefined ? globalHelp(COMMANDS) : commandHelp(target));
    return EXIT_CODES.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    fail(safeIo, '', { message: `Unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')})`, hint: "Run 'ads-token --help' for usage." });
    return EXIT_CODES.usage;
  }

  let session: Session | undefined;
  let grant = 'default';
  try {
    const flags = parseCommandArgs(command, rest);
    if (flags.help === true) {
      safeIo.stdout.write(commandHelp(command));
      return EXIT_CODES.ok;
    }
    if (typeof flags.grant === 'string') grant = flags.grant;
    let config: Promise<CliConfig> | undefined;
    let opening: Promise<Session> | undefined;
    const loadConfig = (): Promise<CliConfig> =>
      (config ??= resolveConfig(flags, io.env, io.cwd).then((c) => {
        redactor.add(c.clientSecret);
        redactor.add(c.encryptionKey);
        grant = c.grant;
        if (c.warning !== undefined) safeIo.stderr.write(`${c.warning}\n`);
        return c;
      }));
    const context: CommandContext = {
      io: safeIo,
      flags,
      redactor,
      signal: io.signal ?? new AbortController().signal,
      config: loadConfig,
      session: () =>
        (opening ??= loadConfig()
          .then((c) => Session.open(c, redactor))
          .then((s) => (session = s))),
    };
    return await command.run(context);
  } catch (error) {
    const report = describeError(error, { grant, duringLogin: command.name === 'login' });
    fail(safeIo, ` ${command.name}`, report);
    if (error instanceof UsageError) return EXIT_CODES.usage;
    return report.exitCode;
  } finally {
    await session?.close();
  }
}
