import { parseArgs } from 'node:util';
import { UsageError } from './cli-error.js';
import type { Command, OptionSpec } from './command.js';
import type { CliFlags } from './config.js';
import { COMMON_OPTIONS } from './common-options.js';

type ParseOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function toParseOptions(specs: Readonly<Record<string, OptionSpec>>): ParseOptions {
  const out: NonNullable<ParseOptions> = {};
  for (const [name, spec] of Object.entries(specs)) out[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  return out;
}

/** The command name (first positional) and the remaining arguments, found with every known flag's type. */
export function splitCommand(argv: readonly string[], commands: readonly Command[]): { name: string | undefined; rest: string[] } {
  const all: Record<string, OptionSpec> = { ...COMMON_OPTIONS, version: { type: 'boolean', short: 'v', description: '' } };
  for (const command of commands) Object.assign(all, command.options);
  const { tokens } = parseArgs({ args: [...argv], options: toParseOptions(all), strict: false, allowPositionals: true, tokens: true });
  const first = tokens.find((t) => t.kind === 'positional');
  if (first === undefined) return { name: undefined, rest: [...argv] };
  return { name: first.value, rest: argv.filter((_, i) => i !== first.index) };
}

/** Parses a command's arguments strictly (unknown flags and stray arguments are usage errors). */
export function parseCommandArgs(command: Command, args: readonly string[]): CliFlags {
  const secretFlag = args.find((a) => /^--(client-secret|encryption-key)(=|$)/.test(a));
  if (secretFlag !== undefined) {
    const name = secretFlag.replace(/=.*$/, '');
    throw new UsageError(
      `${name} is not a flag: secrets are read from the environment (${name === '--client-secret' ? 'ADS_CLIENT_SECRET' : 'ADS_ENCRYPTION_KEY'}) or the config file, never from the command line`,
      command.name,
    );
  }
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...args],
      options: toParseOptions({ ...COMMON_OPTIONS, ...command.options }),
      strict: true,
      allowPositionals: true,
      allowNegative: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '') : String(error), command.name);
  }
  if (parsed.positionals.length > 0) throw new UsageError(`Unexpected argument "${parsed.positionals[0]!}"`, command.name);
  const flags: Record<string, string | boolean | undefined> = {};
  for (const [name, value] of Object.entries(parsed.values)) flags[name] = Array.isArray(value) ? value[value.length - 1] : value;
  return flags;
}
