import type { Clock } from '../clock.js';
import type { AdsTokenError} from '../errors.js';
import { HttpTransportError, TokenRefreshError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http-client.js';
import { backoffDelay, parseRetryAfter, type ResolvedRetryOptions } from '../retry.js';
import { readTokenResponse, type GrantType, type TokenResponse } from './token-response.js';

/** When a token request was sent and when its refresh must end (filled in by {@link LwaTokenClient.request}). */
export interface RequestTiming {
  /** When the last attempt was sent (epoch ms): the new token's lifetime counts from here. */
  sentAt: number;
  /** The refresh deadline (epoch ms): `retry.timeoutMs` after the first attempt. */
  deadline: number;
}

/** What one token request may use besides its parameters. */
export interface TokenRequestContext {
  /** Ends the request and its retries (a caller's signal, the refresh's deadline, close()). */
  signal?: AbortSignal | undefined;
  /** The refresh lease: no attempt is sent once it is lost. */
  leaseSignal?: AbortSignal | undefined;
  /** Secrets to redact from what LWA says, besides the client secret. */
  secrets?: readonly (string | undefined)[];
  /** Told of each retry. */
  onRetry?: (retry: { attempt: number; delayMs: number; status?: number | undefined; requestId?: string | undefined }) => void;
}

/** What the token endpoint client needs; one instance serves every grant of an LWA app. */
export interface LwaTokenClientOptions {
  clientId: string;
  clientSecret: string;
  http: HttpClient;
  tokenUrl: string;
  retry: ResolvedRetryOptions;
  clock: Clock;
}

/**
 * LWA's token endpoint: form-encoded POSTs, retries of failures that certainly reached no LWA
 * (connection refused) and of answers that say try again (408, 429, 5xx), with capped, jittered
 * backoff honouring Retry-After. A request that may have reached LWA is never sent again: its
 * answer may have held a rotated refresh token. Waits for an answer up to the refresh deadline.
 */
export class LwaTokenClient {
  readonly #options: LwaTokenClientOptions;

  /** Creates the client; does no I/O. */
  constructor(options: LwaTokenClientOptions) {
    this.#options = options;
  }

  /** POSTs `params` (plus the client credentials) and reads the answer. */
  async request(params: Record<string, string>, grantType: GrantType, timing: RequestTiming, context: TokenRequestContext = {}): Promise<TokenResponse> {
    const { clientId, clientSecret, http, tokenUrl, retry, clock } = this.#options;
    const { signal, leaseSignal } = context;
    const body = new URLSearchParams({ ...params, client_id: clientId, client_secret: clientSecret }).toString();
    const secrets = [clientSecret, params.refresh_token, params.code, ...(context.secrets ?? [])];
    const first = clock.now();
    const deadline = first + retry.timeoutMs;
    timing.deadline = deadline;
    for (let attempt = 1; ; attempt++) {
      if (leaseSignal?.aborted) throw new TokenRefreshError('the refresh lock was lost before the token request was sent', { grantType });
      signal?.throwIfAborted();
      timing.sentAt = clock.now();
      const remainingMs = Math.max(1, deadline - timing.sentAt);
      const expired = new AbortController();
      const timer = new AbortController();
      clock.sleep(remainingMs, timer.signal).then(
        () => expired.abort(new TokenRefreshError(`LWA did not answer within ${retry.timeoutMs} ms`, { grantType })),
        () => undefined,
      );
      const requestSignal = signal === undefined ? expired.signal : AbortSignal.any([signal, expired.signal]);
      let failure: { error: AdsTokenError; retryAfter?: string | undefined; status?: number; requestId?: string | undefined };
      try {
        const response: HttpResponse = await http.send({
          method: 'POST',
          url: tokenUrl,
          headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json' },
          body,
          signal: requestSignal,
          timeoutMs: remainingMs,
        });
        const result = readTokenResponse(response, grantType, secrets);
        if (result.ok) return result.value;
        if (!result.retryable) throw result.error;
        failure = { error: result.error, retryAfter: result.retryAfter, status: response.status, requestId: result.error.requestId };
      } catch (error) {
        if (requestSignal.aborted) throw requestSignal.reason;
        if (!(error instanceof HttpTransportError)) throw error;
        if (!error.notSent) {
          throw new TokenRefreshError(
            'the token request may have reached LWA but no answer came; it is not sent again in this refresh (its answer may have held a new refresh token)',
            { grantType, cause: error },
          );
        }
        failure = { error };
      } finally {
        timer.abort();
      }
      const now = clock.now();
      const retryAfter = parseRetryAfter(failure.retryAfter, now);
      const delayMs = Math.max(retryAfter ?? 0, backoffDelay(attempt, retry));
      if (attempt >= retry.maxAttempts || now + delayMs >= deadline) {
        if (failure.error instanceof TokenRefreshError) throw failure.error;
        throw new TokenRefreshError(`LWA could not be reached after ${attempt} attempt${attempt === 1 ? '' : 's'}`, { grantType, cause: failure.error });
      }
      context.onRetry?.({ attempt, delayMs, status: failure.status, requestId: failure.requestId });
      await clock.sleep(delayMs, signal);
    }
  }
}
