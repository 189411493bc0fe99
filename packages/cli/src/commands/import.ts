import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError, UsageError } from '../cli-error.js';
import { printJson, say, type Command, type CommandContext } from '../command.js';
import { JSON_OPTION } from '../common-options.js';
import { EXIT_CODES } from '../exit-codes.js';
import { readLine } from '../read-line.js';
import { describeExpiry, tokenInfoJson } from '../token-info-view.js';

async function readRefreshToken(context: CommandContext): Promise<string> {
  const { flags, io } = context;
  if (typeof flags['refresh-token'] === 'string') {
    if (typeof flags['refresh-token-file'] === 'string') throw new UsageError('Give either --refresh-token-file or --refresh-token, not both', 'import');
    say(context, 'Warning: --refresh-token puts the token in the process list and shell history; prefer stdin or --refresh-token-file.');
    return flags['refresh-token'].trim();
  }
  if (typeof flags['refresh-token-file'] === 'string') {
    const path = resolve(io.cwd, flags['refresh-token-file']);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new CliError(`Cannot read the refresh token file ${path}: ${typeof code === 'string' ? code : 'read failed'}`, EXIT_CODES.usage);
    }
    return text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? '';
  }
  if (io.stdin.isTTY === true) say(context, 'Paste the refresh token (input is hidden) and press Enter:');
  return (await readLine(io.stdin, { signal: context.signal, hidden: true })) ?? '';
}

/** `ads-token import`: stores an existing refresh token. */
export const importCommand: Command = {
  name: 'import',
  summary: 'Store an existing refresh token (from stdin or a file)',
  usage: 'import [--grant NAME] [--refresh-token-file PATH] [--if-absent] [--no-verify] [--json]',
  description:
    'Stores a refresh token you already have (for example from the Python library) under the grant, sealed like every record. ' +
    'The token is read from stdin (first non-empty line) or --refresh-token-file; --refresh-token works too but leaks into the process list. ' +
    'Then it is checked with one refresh (skip with --no-verify). The token is never printed.',
  options: {
    'refresh-token-file': { type: 'string', value: 'PATH', description: 'Read the refresh token from this file (first non-empty line)' },
    'refresh-token': { type: 'string', value: 'TOKEN', description: 'The refresh token itself (discouraged: visible in ps and shell history)' },
    'if-absent': { type: 'boolean', description: 'Store only when the grant has no tokens yet (never overwrite a newer or rotated one)' },
    verify: { type: 'boolean', description: 'Refresh once to check the token (default; --no-verify skips it)' },
    ...JSON_OPTION,
  },
  examples: [
    'ads-token import < refresh-token.txt',
    'ads-token import --grant acme --refresh-token-file ./acme.token',
    'printf %s "$REFRESH_TOKEN" | ads-token import --if-absent',
  ],
  async run(context) {
    const token = await readRefreshToken(context);
    context.redactor.add(token);
    if (token === '') throw new UsageError('No refresh token was given: pipe it to stdin or use --refresh-token-file', 'import');
    if (/\s/.test(token)) throw new UsageError('The refresh token must not contain spaces', 'import');
    if (!token.startsWith('Atzr|')) say(context, 'Warning: LWA refresh tokens usually start with "Atzr|"; storing it anyway.');
    const session = await context.session();
    const manager = session.manager();
    const ifAbsent = context.flags['if-absent'] === true;
    const written = await manager.setRefreshToken(token, { ifAbsent, signal: context.signal });
    const json = context.flags.json === true;
    if (!written) {
      if (json) printJson(context, { grant: manager.grantId, imported: false, reason: 'exists' });
      else say(context, `Grant '${manager.grantId}' already has tokens in ${session.storeDescription}; nothing was imported (--if-absent).`);
      return EXIT_CODES.ok;
    }
    if (context.flags.verify !== false) {
      try {
        await manager.refreshAccessToken({ signal: context.signal });
      } catch (error) {
        say(context, `Stored the refresh token as grant '${manager.grantId}', but checking it failed:`);
        throw error;
      }
    }
    const info = await manager.getTokenInfo({ signal: context.signal });
    if (json) printJson(context, { ...tokenInfoJson(info, Date.now()), imported: true, verified: context.flags.verify !== false });
    else {
      const verified = context.flags.verify !== false ? ` It works: access token ${describeExpiry(info, Date.now())}.` : ' Not checked (--no-verify).';
      say(context, `Imported the refresh token as grant '${manager.grantId}' in ${session.storeDescription}.${verified}`);
    }
    return EXIT_CODES.ok;
  },
};
