import { ConfigurationError, REGIONS, abortableSleep, backoffDelay, parseRetryAfter, profileIdHeader } from '@ads-token/core';
import type { AdsFetch, AdsFetchInit, AdsFetchOptions, AdsFetchPool, AdsFetchRetryInfo, AdsFetchTokenSource } from './ads-fetch-options.js';
import { sendFollowingSameOrigin } from './ads-fetch-redirect.js';
import { prepareRequest, safeUrl } from './ads-fetch-request.js';
import type { PreparedRequest } from './ads-fetch-request.js';
import { isRetryableStatus, resolveAdsFetchRetry } from './ads-fetch-retry.js';
import { ProfileDirectory } from './profile-directory.js';

const AUTHORIZATION = 'Authorization';
const CLIENT_ID = 'Amazon-Advertising-API-ClientId';
const SCOPE = 'Amazon-Advertising-API-Scope';

/** Cancels the body of a response that is not handed to the caller, so its connection is freed. */
function discard(response: Response): void {
  response.body?.cancel().catch(() => undefined);
}

function checkBaseUrl(baseUrl: string): string {
  try {
    new URL(baseUrl);
  } catch (cause) {
    throw new ConfigurationError('baseUrl is not a valid URL', { cause });
  }
  return baseUrl;
}

/** True for a TokenPool (or what looks like one), as opposed to a single grant's TokenManager. */
function isPool(source: AdsFetchTokenSource | AdsFetchPool): source is AdsFetchPool {
  return typeof (source as Partial<AdsFetchPool>).manager === 'function' && typeof (source as Partial<AdsFetchPool>).readShared === 'function';
}

/** Finds the token source of one call: the manager itself, or the pool's manager of the call's grant. */
type SourceFinder = (prepared: PreparedRequest, profileId: string | undefined) => Promise<AdsFetchTokenSource>;

function sourceFinder(source: AdsFetchTokenSource | AdsFetchPool, options: AdsFetchOptions, baseUrl: string): SourceFinder {
  if (!isPool(source)) {
    if (typeof source?.getHeaders !== 'function' || typeof source.refreshAccessToken !== 'function') {
      throw new ConfigurationError('createAdsFetch needs a TokenManager or a TokenPool');
    }
    if (options.grantId !== undefined || options.directory !== undefined) throw new ConfigurationError('grantId and directory are options for a TokenPool, not a TokenManager');
    return (prepared) => {
      if (prepared.grantId !== undefined) return Promise.reject(new ConfigurationError('a per-call grantId needs createAdsFetch over a TokenPool'));
      return Promise.resolve(source);
    };
  }
  const pool = source;
  if (options.grantId !== undefined && (typeof options.grantId !== 'string' || options.grantId === '')) throw new ConfigurationError('grantId must be a non-empty string');
  if (options.directory !== undefined && options.directory.pool !== pool) throw new ConfigurationError('the directory must belong to the same TokenPool');
  let directory = options.directory;
  return async (prepared, profileId) => {
    const grantId = prepared.grantId ?? options.grantId;
    if (grantId !== undefined) return pool.manager(grantId);
    if (profileId === undefined) throw new ConfigurationError('createAdsFetch over a TokenPool needs a profileId (or a grantId) to pick the grant');
    directory ??= new ProfileDirectory(pool, { baseUrl, ...(options.fetch === undefined ? {} : { fetch: options.fetch }) });
    return pool.manager(await directory.resolve(profileId, { signal: prepared.signal }));
  };
}

/**
 * A `fetch` for Amazon Ads API calls. It resolves relative paths against the region's Ads API host
 * (or `baseUrl`), adds `Authorization`, `Amazon-Advertising-API-ClientId` and, with a profile,
 * `Amazon-Advertising-API-Scope` (headers the caller set win); on a 401 it refreshes through
 * `manager.refreshAccessToken({ rejected })` and retries once; on 429 and 5xx it backs off
 * (honouring `Retry-After`) within `retry`'s bounds. A profile id must be digits, a non-negative safe
 * integer or a bigint (else ConfigurationError). Bodies that cannot be sent twice (streams)
 * are sent once and never retried. Redirects are followed only within the same origin, so the
 * `Authorization` header never goes to another one: a redirect to another origin is returned as it is
 * (read its `Location`). Throws ConfigurationError for bad options.
 *
 * Over a `TokenPool`, each call is made for a grant: the `grantId` (per call or option) when given,
 * else the grant that reaches the call's profile, found through a {@link ProfileDirectory} (refreshed
 * once when it does not know the profile); a profile no grant has rejects with ProfileNotFoundError.
 */
export function createAdsFetch(manager: AdsFetchTokenSource | AdsFetchPool, options: AdsFetchOptions = {}): AdsFetch {
  if (typeof manager !== 'object' || manager === null) throw new ConfigurationError('createAdsFetch needs a TokenManager or a TokenPool');
  const retry = resolveAdsFetchRetry(options.retry);
  const region = REGIONS[manager.region] as (typeof REGIONS)[keyof typeof REGIONS] | undefined;
  const baseUrl = checkBaseUrl(options.baseUrl ?? region?.apiUrl ?? REGIONS.NA.apiUrl);
  const findSource = sourceFinder(manager, options, baseUrl);
  const defaultProfile = options.profileId === undefined ? undefined : profileIdHeader(options.profileId);
  const onRetry = options.onRetry;

  const notify = (info: AdsFetchRetryInfo): void => {
    try {
      onRetry?.(info);
    } catch {
      // A logging callback must not break the call.
    }
  };

  /** Headers for one attempt: the caller's, then ours where the caller set none. Returns the token sent, if ours. */
  const headersFor = async (
    source: AdsFetchTokenSource,
    prepared: PreparedRequest,
    profileId: string | undefined,
    token: string | undefined,
  ): Promise<[Headers, string | undefined]> => {
    const headers = new Headers(prepared.headers);
    const ours: Record<string, string> = { [CLIENT_ID]: source.clientId };
    if (profileId !== undefined) ours[SCOPE] = profileId;
    let sent: string | undefined;
    if (!prepared.headers.has(AUTHORIZATION)) {
      sent = token ?? (await source.getHeaders({ signal: prepared.signal }))[AUTHORIZATION]?.replace(/^Bearer /, '');
      if (sent !== undefined) ours[AUTHORIZATION] = `Bearer ${sent}`;
    }
    for (const [name, value] of Object.entries(ours)) if (!headers.has(name)) headers.set(name, value);
    return [headers, sent];
  };

  return async function adsFetch(input: string | URL | Request, init?: AdsFetchInit): Promise<Response> {
    const started = Date.now();
    const prepared = await prepareRequest(input, init, baseUrl);
    const { signal } = prepared;
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') throw new ConfigurationError('No fetch is available: pass options.fetch');
    const profileId = prepared.profileId === undefined ? defaultProfile : prepared.profileId === null ? undefined : profileIdHeader(prepared.profileId);
    const url = safeUrl(prepared.url);
    const source = await findSource(prepared, profileId);
    let refreshed: string | undefined;
    let triedRefresh = false;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      const [headers, sent] = await headersFor(source, prepared, profileId, refreshed);
      refreshed = undefined;
      const response = await sendFollowingSameOrigin(fetchImpl, prepared, headers);
      const last = attempt >= retry.maxAttempts || !prepared.replayable;

      if (response.status === 401 && sent !== undefined && !triedRefresh) {
        triedRefresh = true;
        // Refresh even when this call cannot retry, so the caller's next call carries a good token.
        let fresh: string;
        try {
          fresh = await source.refreshAccessToken({ rejected: sent, signal });
        } catch (error) {
          discard(response);
          throw error;
        }
        if (last) return response;
        discard(response);
        notify({ attempt, status: 401, delayMs: 0, url });
        refreshed = fresh;
        continue;
      }

      if (!isRetryableStatus(response.status) || last) return response;
      const delayMs = parseRetryAfter(response.headers.get('retry-after'), Date.now()) ?? backoffDelay(attempt, retry);
      if (Date.now() + delayMs - started > retry.maxTotalMs) return response;
      discard(response);
      notify({ attempt, status: response.status, delayMs, url });
      await abortableSleep(delayMs, signal, { keepAlive: true });
    }
  };
}
