import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidGrantError } from '@ads-token/core';
import { CliError, UsageError } from '../cli-error.js';
import { printJson, say, type Command, type CommandContext } from '../command.js';
import { JSON_OPTION } from '../common-options.js';
import { EXIT_CODES } from '../exit-codes.js';
import { readLine } from '../read-line.js';
import { replaceGrant, storedGrant } from '../stored-grant.js';
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
    'It is checked with one refresh (skip with --no-verify); a grant that works is replaced only after the new token passed that check. ' +
    '--if-absent stores only when the grant has no tokens or was revoked. The token is never printed.',
  options: {
    'refresh-token-file': { type: 'string', value: 'PATH', description: 'Read the refresh token from this file (first non-empty line)' },
    'refresh-token': { type: 'string', value: 'TOKEN', description: 'The refresh token itself (discouraged: visible in ps and shell history)' },
    'if-absent': { type: 'boolean', description: 'Store only when the grant has no tokens or was revoked (never overwrite a newer or rotated one)' },
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
    const { signal } = context;
    const ifAbsent = context.flags['if-absent'] === true;
    const verify = context.flags.verify !== false;
    const json = context.flags.json === true;

    let written: boolean;
    let checked = false;
    if (ifAbsent) {
      // A revoked grant counts as absent: it is what a fleet boots from after re-consent.
      written = (await manager.setRefreshToken(token, { ifAbsent: true, signal })) || (await replaceGrant(session, token, ['revoked'], false, signal));
    } else if (verify && (await storedGrant(session, manager.key, signal)).state === 'working') {
      // Never replace a working grant with a token LWA refuses: try it first, then store what LWA answered.
      try {
        written = await replaceGrant(session, token, ['working', 'revoked', 'absent', 'unreadable'], true, signal);
      } catch (error) {
        if (error instanceof InvalidGrantError) {
          throw new CliError(
            `LWA refused the new refresh token (invalid_grant); grant '${manager.grantId}' was left as it was`,
            EXIT_CODES.invalidGrant,
            'The stored grant still works. Check the token you meant to import (it may be revoked or belong to another client id).',
          );
        }
        say(context, `Checking the new refresh token failed; grant '${manager.grantId}' was left as it was:`);
        throw error;
      }
      checked = true;
    } else {
      written = await manager.setRefreshToken(token, { signal });
    }
    if (!written) {
      if (json) printJson(context, { grant: manager.grantId, imported: false, reason: 'exists' });
      else say(context, `Grant '${manager.grantId}' already has tokens in ${session.storeDescription}; nothing was imported (--if-absent).`);
      return EXIT_CODES.ok;
    }
    if (verify && !checked) {
      try {
        await manager.refreshAccessToken({ signal });
      } catch (error) {
        say(context, `Stored the refresh token as grant '${manager.grantId}', but checking it failed:`);
        throw error;
      }
    }
    const info = await manager.getTokenInfo({ signal });
    if (json) printJson(context, { ...tokenInfoJson(info, Date.now()), imported: true, verified: verify });
    else {
      const verified = verify ? ` It works: access token ${describeExpiry(info, Date.now())}.` : ' Not checked (--no-verify).';
      say(context, `Imported the refresh token as grant '${manager.grantId}' in ${session.storeDescription}.${verified}`);
    }
    return EXIT_CODES.ok;
  },
};
