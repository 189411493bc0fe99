import { ConfigurationError, HttpTransportError } from '@ads-token/core';
import type { HttpClient, HttpRequest, HttpResponse } from '@ads-token/core';
import { HttpRedirectError } from './http-redirect-error.js';

/** Options of {@link FetchHttpClient}. */
export interface FetchHttpClientOptions {
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Per-request timeout in ms, covering the answer and reading its body. @default 10_000 */
  timeoutMs?: number;
  /** `User-Agent` sent when the request sets none. @default the runtime's own */
  userAgent?: string;
}

/** Where a request went, without query, fragment or credentials (they may hold secrets). */
function safeTarget(request: HttpRequest): string {
  try {
    const url = new URL(request.url);
    return `${request.method} ${url.origin}${url.pathname}`;
  } catch {
    return `${request.method} (invalid URL)`;
  }
}

/** Error codes meaning the request never left this host: it was not sent and may be sent again. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_INVALID_ARG']);

/** True when a fetch failure's cause chain says the connection was never made. */
function neverSent(error: unknown): boolean {
  let inner: unknown = error;
  for (let depth = 0; depth < 6 && inner instanceof Error; depth++) {
    const code = (inner as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_SENT_CODES.has(code)) return true;
    const nested = (inner as { errors?: unknown }).errors;
    if (Array.isArray(nested) && nested.length > 0 && nested.every((e) => neverSent(e))) return true;
    inner = inner.cause;
  }
  return false;
}

/** Origin and path of a redirect's `Location`, resolved against the request's URL; undefined when missing or invalid. */
function redirectTarget(location: string | null, base: string): string | undefined {
  if (location === null) return undefined;
  try {
    const url = new URL(location, base);
    return `${url.origin}${url.pathname}`;
  } catch {
    return undefined;
  }
}

/** Redirects a GET follows, within its origin, before the answer counts as a redirect error. */
const MAX_GET_REDIRECTS = 20;

/**
 * Where a GET may go next: a 301, 302, 303, 307 or 308 to the same origin as the request (so its
 * headers, an Ads API `Authorization` included, never reach another origin). Undefined otherwise:
 * token requests (POST) never follow any redirect.
 */
function sameOriginGet(request: HttpRequest, url: string, response: Response, hop: number): string | undefined {
  if (request.method !== 'GET' || hop >= MAX_GET_REDIRECTS || ![301, 302, 303, 307, 308].includes(response.status)) return undefined;
  const location = response.headers.get('location');
  if (location === null) return undefined;
  try {
    const next = new URL(location, url);
    return next.origin === new URL(request.url).origin ? next.href : undefined;
  } catch {
    return undefined;
  }
}

/** A short description of a fetch failure, with the request's URL and body cut out. */
function describeFailure(error: unknown, request: HttpRequest): string {
  let inner: unknown = error;
  for (let depth = 0; depth < 5 && inner instanceof Error && inner.cause !== undefined; depth++) inner = inner.cause;
  const parts: string[] = [];
  if (inner instanceof Error) {
    const code = (inner as { code?: unknown }).code;
    if (typeof code === 'string') parts.push(code);
    parts.push(inner.message);
  } else {
    parts.push(String(inner));
  }
  let text = parts.join(' ');
  const secrets = [request.url, request.body].filter((s): s is string => typeof s === 'string' && s.length > 0);
  for (const secret of secrets) text = text.split(secret).join('[redacted]');
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** Aborts when any of the signals aborts, with that signal's reason. */
function anySignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

/**
 * Core's {@link HttpClient} over WHATWG `fetch`: a per-request timeout combined with the caller's signal,
 * lower-cased response headers, and {@link HttpTransportError} for network failures and timeouts.
 * Token requests (POST) never follow a redirect: a 3xx answer is an {@link HttpRedirectError} naming the
 * status, and the request is never sent to the redirect's location. A GET (Ads API calls) follows
 * redirects within its origin only; one to another origin is an HttpRedirectError too.
 */
export class FetchHttpClient implements HttpClient {
  private readonly fetchImpl: typeof fetch | undefined;
  private readonly timeoutMs: number;
  private readonly userAgent: string | undefined;

  /** Creates a client; throws ConfigurationError for a timeout that is not a positive number. */
  constructor(options: FetchHttpClientOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) {
      throw new ConfigurationError('timeoutMs must be a positive number of milliseconds');
    }
    this.fetchImpl = options.fetch;
    this.timeoutMs = timeoutMs;
    this.userAgent = options.userAgent;
  }

  /**
   * Sends one request and reads the whole body as text. Rejects with HttpTransportError on network failure or
   * timeout (`timeout: true`), with HttpRedirectError for a redirect it does not follow (any, for a POST;
   * one to another origin, for a GET), and with the caller's abort reason when `request.signal` aborts.
   */
  async send(request: HttpRequest): Promise<HttpResponse> {
    const callerSignal = request.signal;
    callerSignal?.throwIfAborted();
    const fetchImpl = this.fetchImpl ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') throw new ConfigurationError('No fetch is available: pass options.fetch');

    const timeoutMs = typeof request.timeoutMs === 'number' && request.timeoutMs > 0 ? request.timeoutMs : this.timeoutMs;
    const timeout = new AbortController();
    let timedOut = false;
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          timedOut = true;
          timeout.abort(new HttpTransportError(`${safeTarget(request)} timed out after ${timeoutMs} ms`, { timeout: true }));
        }, timeoutMs)
      : undefined;
    const signal = callerSignal ? anySignal([callerSignal, timeout.signal]) : timeout.signal;

    const headers: Record<string, string> = { ...request.headers };
    if (this.userAgent !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'user-agent')) {
      headers['user-agent'] = this.userAgent;
    }

    try {
      let url = request.url;
      let response: Response;
      for (let hop = 0; ; hop++) {
        response = await fetchImpl(url, {
          method: request.method,
          headers,
          ...(request.body === undefined ? {} : { body: request.body }),
          signal,
          redirect: 'manual',
        });
        if (!((response.status >= 300 && response.status < 400) || response.type === 'opaqueredirect')) break;
        response.body?.cancel().catch(() => undefined);
        const next = sameOriginGet(request, url, response, hop);
        if (next === undefined) {
          throw new HttpRedirectError(safeTarget({ ...request, url }), response.status, redirectTarget(response.headers.get('location'), url));
        }
        url = next;
      }
      const body = await response.text();
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        responseHeaders[name.toLowerCase()] = value;
      });
      return { status: response.status, headers: responseHeaders, body };
    } catch (error) {
      if (error instanceof HttpRedirectError) throw error;
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (timedOut) {
        throw new HttpTransportError(`${safeTarget(request)} timed out after ${timeoutMs} ms`, { timeout: true });
      }
      throw new HttpTransportError(`${safeTarget(request)} failed: ${describeFailure(error, request)}`, { notSent: neverSent(error) });
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
}
