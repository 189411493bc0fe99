import type { Command, OptionSpec } from './command.js';
import { COMMON_OPTIONS } from './common-options.js';
import { EXIT_CODES } from './exit-codes.js';

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const entries = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return [flag, spec.description] as const;
  });
  const width = Math.max(...entries.map(([flag]) => flag.length));
  return entries.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`);
}

function wrap(text: string, width = 78): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

const EXIT_CODE_LINES = [
  `  ${String(EXIT_CODES.ok).padStart(3)}  success`,
  `  ${String(EXIT_CODES.other).padStart(3)}  unexpected error`,
  `  ${String(EXIT_CODES.usage).padStart(3)}  bad command line or configuration`,
  `  ${String(EXIT_CODES.notAuthenticated).padStart(3)}  not authenticated: no tokens for the grant (run login or import)`,
  `  ${String(EXIT_CODES.invalidGrant).padStart(3)}  grant refused by LWA (invalid_grant): revoked, or the code expired (consent again)`,
  `  ${String(EXIT_CODES.invalidClient).padStart(3)}  client refused by LWA (invalid_client): check client id and secret`,
  `  ${String(EXIT_CODES.unavailable).padStart(3)}  LWA or the Ads API unreachable or failing (network, timeout, 5xx, 429)`,
  `  ${String(EXIT_CODES.storeUnavailable).padStart(3)}  token store or lock unavailable or unsafe`,
  `  ${String(EXIT_CODES.unreadable).padStart(3)}  stored record cannot be decrypted or is corrupt (wrong key)`,
  `  ${String(EXIT_CODES.consentFailed).padStart(3)}  consent not completed: state mismatch, access denied, timeout`,
  `  ${String(EXIT_CODES.apiRefused).padStart(3)}  the Ads API refused the request (4xx)`,
  `  ${String(EXIT_CODES.attention).padStart(3)}  status --check: a grant needs attention (revoked, unreadable, expired, consent limit near)`,
  `  ${String(EXIT_CODES.interrupted).padStart(3)}  interrupted`,
];

/** `ads-token --help`. */
export function globalHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'ads-token: get, inspect and manage Login with Amazon tokens for the Amazon Ads API.',
    '',
    'Usage: ads-token <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options of every command:',
    ...optionLines(COMMON_OPTIONS),
    '',
    '  -v, --version  Print the version',
    '',
    'Configuration: flags, then environment (ADS_CLIENT_ID, ADS_CLIENT_SECRET, ADS_REGION, ADS_TOKEN_STORE,',
    'ADS_ENCRYPTION_KEY, ADS_GRANT, ADS_TOKEN_URL, ADS_AUTHORIZATION_URL, ADS_API_URL, ADS_REDIRECT_URI, ADS_SCOPE),',
    'then the config file. Secrets (client secret, encryption key) come from the environment or the config file only.',
    '',
    'Exit codes:',
    ...EXIT_CODE_LINES,
    '',
    "Run 'ads-token <command> --help' for a command's options.",
    '',
  ].join('\n');
}

/** `ads-token <command> --help`. */
export function commandHelp(command: Command): string {
  const own = Object.keys(command.options).length > 0 ? ['Options:', ...optionLines(command.options), ''] : [];
  return [
    `Usage: ads-token ${command.usage}`,
    '',
    ...wrap(command.description),
    '',
    ...own,
    'Options of every command:',
    ...optionLines(COMMON_OPTIONS),
    '',
    'Examples:',
    ...command.examples.map((e) => `  ${e}`),
    '',
    "Exit codes: see 'ads-token --help'.",
    '',
  ].join('\n');
}
