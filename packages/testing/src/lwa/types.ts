/** How the simulated consent page answers: approve, or redirect back with an OAuth error. */
export type LwaConsentBehaviour = 'approve' | { error: string; description?: string };

/** Options of {@link LwaSimulator.start}. */
export interface LwaSimulatorOptions {
  /** Accepted client id. @default 'amzn1.application-oa2-client.sim' */
  clientId?: string;
  /** Accepted client secret. @default 'amzn1.oa2-cs.v1.simulator-secret-0123456789abcdef' */
  clientSecret?: string;
  /** `expires_in` of issued access tokens, in seconds. @default 3600 */
  tokenLifetimeSeconds?: number;
  /** true: every refresh returns a new refresh token and the old one stops working. @default false (the same refresh token comes back) */
  rotateRefreshTokens?: boolean;
  /** true: refresh responses carry no `refresh_token` field. @default false */
  omitRefreshTokenOnRefresh?: boolean;
  /** Accepted `redirect_uri` values. @default ['https://localhost'] */
  redirectUris?: string[];
  /** Delay before answering each token request, in ms. @default 0 */
  latencyMs?: number;
  /** What the consent endpoint does. @default 'approve' */
  consent?: LwaConsentBehaviour;
  /** Clock (epoch ms) for code and token expiry and request timestamps. @default Date.now */
  now?: () => number;
}

/** A successful LWA token response body. */
export interface LwaTokenResponse {
  /** `Atza|...` access token. */
  access_token: string;
  /** `Atzr|...` refresh token; absent on some refresh responses. */
  refresh_token?: string;
  /** Always `bearer`. */
  token_type: 'bearer';
  /** Lifetime of the access token in seconds. */
  expires_in: number;
}

/** An LWA error response body. */
export interface LwaErrorResponse {
  /** OAuth error code (`invalid_grant`, `invalid_client`, ...). */
  error: string;
  /** Human-readable description. */
  error_description: string;
  /** Request id, carried by some error bodies. */
  request_id?: string;
}

/** A fault the token endpoint plays for the next `times` requests instead of answering normally. */
export type LwaFault =
  | {
      /** Answer with this HTTP status and a JSON error body. */
      kind: 'status';
      /** HTTP status, e.g. 500, 503, 429 or 400. */
      status: number;
      /** `Retry-After` header value (seconds or an HTTP date). */
      retryAfter?: string;
      /** The body's `error` field. @default derived from the status (server_error, temporarily_unavailable, ...) */
      error?: string;
      /** The body's `error_description`. @default 'Simulated <status> <error>' */
      description?: string;
      /** How many requests get this fault. @default 1 */
      times?: number;
    }
  | {
      /**
       * `html`: an HTML page (status 200 unless `status` is given); `invalid-json`: 200 with a truncated JSON body;
       * `missing-access-token`: 200 JSON without `access_token`; `bad-expires-in`: 200 JSON whose `expires_in` is not a number;
       * `drop`: the socket is destroyed without an answer; `hang`: no answer until {@link LwaSimulator.stop}.
       */
      kind: 'html' | 'invalid-json' | 'missing-access-token' | 'bad-expires-in' | 'drop' | 'hang';
      /** HTTP status of the `html` fault. @default 200 */
      status?: number;
      /** How many requests get this fault. @default 1 */
      times?: number;
     }
  | {
      /**
       * The request is processed as usual (a rotating refresh token is spent and replaced), then:
       * `drop-after-processing`: the socket is destroyed without an answer, as when an answer is lost;
       * `slow`: the answer comes after `delayMs` instead of the simulator's latency;
       * `odd-fields`: a 200 answer gets `fields` merged into its body (e.g. `{ expires_in: '3600.0' }`).
       */
      kind: 'drop-after-processing' | 'slow' | 'odd-fields';
      /** Delay of the `slow` answer, in ms. @default 0 */
      delayMs?: number;
      /** Fields of the `odd-fields` answer: each replaces the field of that name; `undefined` removes it. */
      fields?: Record<string, unknown>;
      /** How many requests get this fault. @default 1 */
      times?: number;
    };

/** Token-endpoint requests received, per grant type (failed and faulted ones included). */
export interface LwaCounts {
  /** `grant_type=authorization_code` requests. */
  authorization_code: number;
  /** `grant_type=refresh_token` requests. */
  refresh_token: number;
  /** Every token-endpoint request, whatever its grant type. */
  total: number;
}

/** One token-endpoint request as the simulator saw it. */
export interface LwaRequestRecord {
  /** The request's `grant_type` (empty when it had none or was not form-encoded). */
  grantType: string;
  /** HTTP status answered; 0 for `drop` and `hang` faults. */
  status: number;
  /** When it arrived (epoch ms, from the simulator's `now`). */
  at: number;
  /**
   * The grant the request is about, named as {@link LwaSimulator.grantOf} names it: the grant of
   * the refresh token sent, or the grant a successful code exchange started.
   */
  grant?: string;
}

/** Options of {@link LwaSimulator.issueCode}. */
export interface IssueCodeOptions {
  /** The redirect URI the code is bound to. @default the first of `redirectUris` */
  redirectUri?: string;
  /** A PKCE S256 challenge the exchange must match. */
  codeChallenge?: string;
  /** The scope granted. @default 'advertising::campaign_management' */
  scope?: string;
}
