import { DEFAULT_REDIRECT_URI, type TokenInfo, type TokenManager } from '@ads-token/core';
import { CliError, UsageError } from '../cli-error.js';
import { printJson, say, type Command, type CommandContext } from '../command.js';
import { JSON_OPTION } from '../common-options.js';
import { describeError } from '../describe-error.js';
import { formatDuration } from '../duration.js';
import { EXIT_CODES } from '../exit-codes.js';
import { readLine } from '../read-line.js';
import { RedirectListener, isListenableRedirect } from '../redirect-listener.js';
import { describeExpiry, tokenInfoJson } from '../token-info-view.js';

const DEFAULT_TIMEOUT_SECONDS = 300;

function timeoutSeconds(context: CommandContext): number {
  const value = context.flags.timeout;
  if (value === undefined) return DEFAULT_TIMEOUT_SECONDS;
  const seconds = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || seconds < 1) throw new UsageError(`--timeout must be a whole number of seconds >= 1, got "${String(value)}"`, 'login');
  return seconds;
}

/** A signal that aborts on Ctrl-C or after `ms`, and a way to tell which. */
function deadline(parent: AbortSignal, ms: number): { signal: AbortSignal; timedOut: () => boolean; clear: () => void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('timeout'));
  }, ms);
  const onAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) onAbort();
  else parent.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    clear: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onAbort);
    },
  };
}

async function viaListener(
  context: CommandContext,
  manager: TokenManager,
  listener: RedirectListener,
  check: { state: string; codeVerifier?: string },
  signal: AbortSignal,
): Promise<TokenInfo> {
  const request = await listener.next(signal);
  try {
    const info = await manager.authenticateWithRedirect(request.url, { ...check, signal: context.signal });
    request.respond(200, 'Logged in', 'ads-token has stored the tokens. You can close this tab and return to the terminal.');
    return info;
  } catch (error) {
    const report = describeError(error, { grant: manager.grantId, duringLogin: true });
    request.respond(400, 'Login failed', `${report.message}. ${report.hint ?? ''}`.trim());
    throw error;
  }
}

async function viaPaste(
  context: CommandContext,
  manager: TokenManager,
  redirectUri: string,
  check: { state: string; codeVerifier?: string },
  signal: AbortSignal,
): Promise<TokenInfo> {
  say(context, `After you approve, the browser is sent to ${new URL(redirectUri).href}?code=...&state=... The page itself may not load: that is expected.`);
  say(context, 'Copy the full URL from the address bar and paste it here, then press Enter:');
  const line = await readLine(context.io.stdin, { signal });
  if (line === undefined) throw new CliError('No redirect URL was pasted (input ended)', EXIT_CODES.consentFailed, "Run 'ads-token login' again.");
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(line)) {
    throw new CliError('That is not a URL: paste the whole address the browser was sent to, starting with http', EXIT_CODES.consentFailed, "Run 'ads-token login' again.");
  }
  return manager.authenticateWithRedirect(line, { ...check, signal: context.signal });
}

/** `ads-token login`: consent in a browser, then the code exchange; stores the tokens under a grant. */
export const loginCommand: Command = {
  name: 'login',
  summary: 'Get tokens for an advertiser: consent in a browser, then store them',
  usage: 'login [--grant NAME] [--redirect-uri URI] [--open] [--manual] [--timeout SECONDS] [--json]',
  description:
    'Prints the Login with Amazon consent URL for the region (with state and PKCE). Open it, sign in as the advertiser and approve. ' +
    'With an http://localhost:PORT/PATH redirect URI, ads-token listens there and receives the redirect itself. ' +
    "With https://localhost (the default, what most apps register) or any other URI, paste the URL the browser was sent to. " +
    'The state is checked, the code is exchanged and the tokens are stored under --grant. The redirect URI must be registered in the ' +
    "app's security profile. Tokens are never printed.",
  options: {
    'redirect-uri': { type: 'string', value: 'URI', description: 'Redirect URI registered for the app (env ADS_REDIRECT_URI; default https://localhost)' },
    scope: { type: 'string', value: 'SCOPE', description: 'Scope to ask for (env ADS_SCOPE; default advertising::campaign_management)' },
    open: { type: 'boolean', description: 'Open the consent URL in the default browser' },
    manual: { type: 'boolean', description: 'Paste the redirected URL even when the redirect URI is http://localhost' },
    pkce: { type: 'boolean', description: 'Send a PKCE challenge (default; --no-pkce leaves it out)' },
    timeout: { type: 'string', value: 'SECONDS', description: `How long to wait for the redirect (default ${DEFAULT_TIMEOUT_SECONDS}; codes live 5 minutes)` },
    ...JSON_OPTION,
  },
  examples: [
    'ads-token login',
    'ads-token login --grant acme --redirect-uri http://localhost:8080/callback --open',
    'ads-token login --region EU --grant acme-eu',
  ],
  async run(context) {
    const waitMs = timeoutSeconds(context) * 1000;
    const session = await context.session();
    const redirectUri = session.config.redirectUri ?? DEFAULT_REDIRECT_URI;
    const manager = session.manager();
    const request = await manager.createAuthorizationUrl({ pkce: context.flags.pkce !== false });
    const check = { state: request.state, ...(request.codeVerifier === undefined ? {} : { codeVerifier: request.codeVerifier }) };
    const listen = isListenableRedirect(new URL(redirectUri)) && context.flags.manual !== true;
    const listener = listen ? await RedirectListener.start(new URL(redirectUri)) : undefined;

    say(context, `Log in grant '${manager.grantId}' (client ${session.config.clientId}, region ${session.config.region}).`);
    say(context, 'Open this URL in a browser, sign in with the Amazon account that manages the advertising accounts, and approve:');
    say(context);
    say(context, `  ${request.url}`);
    say(context);
    if (context.flags.open === true) {
      try {
        await (context.io.openUrl ?? (() => Promise.reject(new Error('no opener'))))(request.url);
      } catch {
        say(context, 'Could not open a browser; open the URL yourself.');
      }
    }
    const wait = deadline(context.signal, waitMs);
    let info: TokenInfo;
    try {
      if (listener !== undefined) {
        say(context, `Waiting up to ${formatDuration(waitMs)} for the redirect to ${redirectUri} ...`);
        info = await viaListener(context, manager, listener, check, wait.signal);
      } else {
        info = await viaPaste(context, manager, redirectUri, check, wait.signal);
      }
    } catch (error) {
      if (wait.timedOut()) {
        throw new CliError(`No redirect arrived within ${formatDuration(waitMs)}`, EXIT_CODES.consentFailed, "Run 'ads-token login' again (use --timeout to wait longer).");
      }
      throw error;
    } finally {
      wait.clear();
      await listener?.close();
    }
    const now = Date.now();
    if (context.flags.json === true) printJson(context, tokenInfoJson(info, now));
    say(context, `Logged in: grant '${info.grantId}' stored in ${session.storeDescription}; access token ${describeExpiry(info, now)}.`);
    return EXIT_CODES.ok;
  },
};
