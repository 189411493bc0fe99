import type { AdsFetchInit } from './ads-fetch-options.js';

/** A call's parts, ready to be sent once or more. */
export interface PreparedRequest {
  /** Absolute URL. */
  url: string;
  /** The caller's Request, when one was passed (its other settings are kept). */
  request: Request | undefined;
  /** The caller's headers. */
  headers: Headers;
  /** The body to send (undefined: none, or the caller's Request keeps its own). */
  body: BodyInit | undefined;
  /** False when the body is a stream (or anything else that cannot be sent twice). */
  replayable: boolean;
  /** The caller's signal: `init.signal`, else the Request's. */
  signal: AbortSignal | undefined;
  /** The caller's other init fields (method, redirect, ...). */
  rest: RequestInit;
  /** `init.profileId` as given (undefined: not given). */
  profileId: string | number | bigint | null | undefined;
  /** `init.grantId` as given (undefined: not given). */
  grantId: string | undefined;
}

const ABSOLUTE = /^[a-z][a-z\d+.-]*:/i;

/** `input` as an absolute URL: absolute URLs as they are, other strings appended to `baseUrl` (whose path is kept). */
export function resolveUrl(input: string | URL, baseUrl: string): string {
  if (input instanceof URL) return input.href;
  if (ABSOLUTE.test(input)) return new URL(input).href;
  if (input.startsWith('//')) return new URL(input, baseUrl).href;
  const base = baseUrl.endsWith('/') ? baseUrl.slice(0, -1) : baseUrl;
  return new URL(`${base}${input.startsWith('/') ? '' : '/'}${input}`).href;
}

/** True for bodies fetch can send again: strings, URLSearchParams, Blob, FormData, ArrayBuffer and its views. */
export function isReplayableBody(body: BodyInit | null | undefined): boolean {
  if (body === undefined || body === null || typeof body === 'string') return true;
  return (
    body instanceof URLSearchParams ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    (typeof Blob === 'function' && body instanceof Blob) ||
    (typeof FormData === 'function' && body instanceof FormData)
  );
}

/** Splits a fetch call into parts; a Request's body is read once into memory so it can be sent again. */
export async function prepareRequest(input: string | URL | Request, init: AdsFetchInit | undefined, baseUrl: string): Promise<PreparedRequest> {
  const { profileId, grantId, headers: initHeaders, body: initBody, signal: initSignal, ...rest } = init ?? {};
  const request = input instanceof Request ? input : undefined;
  const url = request ? request.url : resolveUrl(input as string | URL, baseUrl);
  const headers = new Headers(initHeaders ?? request?.headers);
  const signal = initSignal ?? request?.signal;
  let body: BodyInit | undefined;
  let replayable: boolean;
  if (initBody !== undefined && initBody !== null) {
    body = initBody;
    replayable = isReplayableBody(initBody);
  } else if (request?.body) {
    signal?.throwIfAborted();
    body = await request.arrayBuffer();
    replayable = true;
  } else {
    body = undefined;
    replayable = true;
  }
  return { url, request, headers, body, replayable, signal, rest, profileId, grantId };
}

/** Sends one attempt of a prepared call with these headers. */
export function send(fetchImpl: typeof fetch, prepared: PreparedRequest, headers: Headers): Promise<Response> {
  const init: RequestInit = { ...prepared.rest, headers };
  if (prepared.body !== undefined) init.body = prepared.body;
  if (prepared.signal !== undefined) init.signal = prepared.signal;
  return prepared.request ? fetchImpl(new Request(prepared.request, init)) : fetchImpl(prepared.url, init);
}

/** Origin and path of a URL, without query or fragment (they may hold ids users would rather not log). */
export function safeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
