import type { PreparedRequest } from './ads-fetch-request.js';
import { send } from './ads-fetch-request.js';

/** Statuses fetch would follow. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Redirects followed for one attempt, as fetch's own limit. */
export const MAX_REDIRECTS = 20;

/** Headers that describe a body; dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = ['content-encoding', 'content-language', 'content-location', 'content-type', 'content-length'];

/**
 * The next hop of a redirect the caller's request may follow: same origin as `prepared` and within the
 * fetch spec's method rules; undefined when it is not followed (other origin, no valid `Location`, a body
 * that cannot be sent again).
 */
function nextHop(prepared: PreparedRequest, headers: Headers, response: Response): [PreparedRequest, Headers] | undefined {
  const location = response.headers.get('location');
  if (location === null) return undefined;
  let target: URL;
  try {
    target = new URL(location, prepared.url);
  } catch {
    return undefined;
  }
  if (target.origin !== new URL(prepared.url).origin) return undefined;
  const method = (prepared.rest.method ?? prepared.request?.method ?? 'GET').toUpperCase();
  const toGet = (response.status === 303 && method !== 'GET' && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST');
  if (!toGet && !prepared.replayable) return undefined;
  const nextHeaders = new Headers(headers);
  if (toGet) for (const name of BODY_HEADERS) nextHeaders.delete(name);
  // prepareRequest read a Request's body into `body`, so the hop needs no Request.
  const next: PreparedRequest = {
    ...prepared,
    request: undefined,
    url: target.href,
    body: toGet ? undefined : prepared.body,
    rest: { ...prepared.rest, method: toGet ? 'GET' : method },
  };
  return [next, nextHeaders];
}

/**
 * Sends one attempt, following only same-origin redirects (at most {@link MAX_REDIRECTS}), so the
 * `Authorization` header is never sent to another origin: a redirect elsewhere is returned to the caller
 * as it is (its `Location` tells where). A caller's `redirect: 'manual'` or `'error'` is left to fetch.
 */
export async function sendFollowingSameOrigin(fetchImpl: typeof fetch, prepared: PreparedRequest, headers: Headers): Promise<Response> {
  const mode = prepared.rest.redirect ?? prepared.request?.redirect ?? 'follow';
  if (mode !== 'follow') return send(fetchImpl, prepared, headers);
  let current = prepared;
  let currentHeaders = headers;
  for (let hop = 0; ; hop++) {
    const response = await send(fetchImpl, { ...current, rest: { ...current.rest, redirect: 'manual' } }, currentHeaders);
    if (!REDIRECTS.has(response.status) || hop >= MAX_REDIRECTS) return response;
    const next = nextHop(current, currentHeaders, response);
    if (next === undefined) return response;
    response.body?.cancel().catch(() => undefined);
    [current, currentHeaders] = next;
  }
}
