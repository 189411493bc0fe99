import { createAdsFetch } from '@ads-token/fetch-adapter';
import { CliError } from './cli-error.js';
import type { TextSink } from './cli-io.js';
import { EXIT_CODES } from './exit-codes.js';
import type { Session } from './session.js';

/**
 * GETs `path` from the Ads API through createAdsFetch (headers, one refresh on 401, backoff on
 * 429/5xx) and returns the parsed JSON body; retries are reported on `progress`.
 */
export async function adsApiGet(session: Session, path: string, signal: AbortSignal, progress: TextSink): Promise<unknown> {
  const adsFetch = createAdsFetch(session.manager(), {
    baseUrl: session.config.apiUrl,
    onRetry: (info) => progress.write(`The Ads API answered HTTP ${info.status}; retrying in ${Math.ceil(info.delayMs / 1000)}s ...\n`),
  });
  let response: Response;
  try {
    response = await adsFetch(path, { method: 'GET', headers: { accept: 'application/json' }, signal });
  } catch (error) {
    if (error instanceof Error && error.name === 'TypeError') {
      throw new CliError(`Cannot reach the Ads API at ${new URL(session.config.apiUrl).origin}`, EXIT_CODES.unavailable, 'Check the network and --api-url / ADS_API_URL.');
    }
    throw error;
  }
  return checkResponse(response.status, await response.text(), path);
}

function checkResponse(status: number, body: string, path: string): unknown {
  if (status >= 200 && status < 300) {
    try {
      return JSON.parse(body) as unknown;
    } catch {
      throw new CliError(`The Ads API answered ${path} with something that is not JSON`, EXIT_CODES.unavailable);
    }
  }
  let detail = '';
  try {
    const parsed = JSON.parse(body) as { code?: unknown; details?: unknown; message?: unknown };
    const text = [parsed.code, parsed.details ?? parsed.message].filter((v) => typeof v === 'string').join(': ');
    if (text !== '') detail = ` - ${text.slice(0, 300)}`;
  } catch {
    // not JSON: status only
  }
  if (status === 429 || status >= 500) {
    throw new CliError(`The Ads API answered GET ${path} with HTTP ${status}${detail}`, EXIT_CODES.unavailable, 'Try again later.');
  }
  if (status === 401) {
    throw new CliError(`The Ads API refused the access token (HTTP 401)${detail}`, EXIT_CODES.apiRefused, 'Check the region (--region) and that the grant belongs to this client id.');
  }
  throw new CliError(`The Ads API answered GET ${path} with HTTP ${status}${detail}`, EXIT_CODES.apiRefused);
}

