/** One HTTP request, as core hands it to an {@link HttpClient}. */
export interface HttpRequest {
  /** HTTP method. */
  method: 'GET' | 'POST';
  /** Absolute URL. */
  url: string;
  /** Request headers. */
  headers: Record<string, string>;
  /** Request body (form-encoded for LWA). May hold secrets: never log or echo it. */
  body?: string;
  /** Aborts the request. */
  signal?: AbortSignal;
  /**
   * Overrides the client's own per-request timeout for this request, in ms. Core sets it on token
   * requests, which wait for their answer up to the refresh deadline.
   */
  timeoutMs?: number;
}

/** One HTTP response, fully read. */
export interface HttpResponse {
  /** HTTP status code. */
  status: number;
  /** Response headers with lower-case names. */
  headers: Record<string, string>;
  /** Response body as text. */
  body: string;
}

/**
 * Sends HTTP requests for core, which does no I/O of its own.
 * Throws {@link HttpTransportError} for network failures and timeouts: the retryable kind. Set its
 * `notSent` only when the request certainly never reached the server.
 */
export interface HttpClient {
  /** Sends one request and reads the whole response. */
  send(request: HttpRequest): Promise<HttpResponse>;
}
