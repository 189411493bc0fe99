import { CliError } from './cli-error.js';
import { EXIT_CODES } from './exit-codes.js';
import type { Session } from './session.js';

/** GETs `path` from the Ads API with the grant's headers and returns the parsed JSON body. */
export async function adsApiGet(session: Session, path: string, signal: AbortSignal): Promise<unknown> {
  const manager = session.manager();
  const headers = await manager.getHeaders({ signal });
  const url = new URL(path, session.config.apiUrl).href;
  const response = await session.http.send({ method: 'GET', url, headers: { ...headers, accept: 'application/json' }, signal });
  return checkResponse(response.status, response.body, path);
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

