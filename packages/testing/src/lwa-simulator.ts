import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackHttpServer, readBody } from './loopback-http-server.js';
import { answerConsent } from './lwa/consent-endpoint.js';
import { FaultQueue, faultBody } from './lwa/fault-queue.js';
import { LwaGrantBook } from './lwa/lwa-grant-book.js';
import { answerTokenRequest, isFormContentType } from './lwa/token-endpoint.js';
import type { TokenEndpointConfig } from './lwa/token-endpoint.js';
import type {
  IssueCodeOptions,
  LwaConsentBehaviour,
  LwaCounts,
  LwaFault,
  LwaRequestRecord,
  LwaSimulatorOptions,
} from './lwa/types.js';

const DEFAULT_CLIENT_ID = 'amzn1.application-oa2-client.sim';
const DEFAULT_CLIENT_SECRET = 'amzn1.oa2-cs.v1.simulator-secret-0123456789abcdef';
const DEFAULT_SCOPE = 'advertising::campaign_management';
const MAX_BODY_BYTES = 1 << 20;
const TOKEN_PATH = '/auth/o2/token';
const CONSENT_PATH = '/ap/oa';

/**
 * A real HTTP server on 127.0.0.1 (free port) that behaves like Login with Amazon: a token endpoint
 * (`authorization_code` and `refresh_token` grants) and a consent endpoint, with injectable latency and faults.
 * Start it with {@link LwaSimulator.start} and always {@link LwaSimulator.stop} it.
 */
export class LwaSimulator {
  /** The accepted client id. */
  readonly clientId: string;
  /** The accepted client secret. */
  readonly clientSecret: string;

  private readonly server: LoopbackHttpServer;
  private readonly book: LwaGrantBook;
  private readonly faults = new FaultQueue();
  private readonly now: () => number;
  private readonly redirectUris: readonly string[];
  private readonly tokenConfig: TokenEndpointConfig;
  private consent: LwaConsentBehaviour;
  private latencyMs: number;
  private readonly countsByGrant: LwaCounts = { authorization_code: 0, refresh_token: 0, total: 0 };
  private readonly log: LwaRequestRecord[] = [];

  private constructor(options: LwaSimulatorOptions) {
    this.clientId = options.clientId ?? DEFAULT_CLIENT_ID;
    this.clientSecret = options.clientSecret ?? DEFAULT_CLIENT_SECRET;
    this.now = options.now ?? Date.now;
    this.redirectUris = [...(options.redirectUris ?? ['https://localhost'])];
    if (this.redirectUris.length === 0) throw new RangeError('redirectUris must not be empty');
    this.consent = options.consent ?? 'approve';
    this.latencyMs = options.latencyMs ?? 0;
    this.book = new LwaGrantBook(this.now);
    this.tokenConfig = {
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
      rotateRefreshTokens: options.rotateRefreshTokens ?? false,
      omitRefreshTokenOnRefresh: options.omitRefreshTokenOnRefresh ?? false,
    };
    this.server = new LoopbackHttpServer((req, res) => this.route(req, res));
  }

  /** Starts a simulator on 127.0.0.1 on a free port. */
  static async start(options: LwaSimulatorOptions = {}): Promise<LwaSimulator> {
    const simulator = new LwaSimulator(options);
    await simulator.server.listen();
    return simulator;
  }

  /** Base URL, `http://127.0.0.1:PORT`. */
  get url(): string {
    return this.server.url;
  }

  /** The token endpoint, `${url}/auth/o2/token`. */
  get tokenUrl(): string {
    return `${this.url}${TOKEN_PATH}`;
  }

  /** The consent endpoint, `${url}/ap/oa`. */
  get authorizationUrl(): string {
    return `${this.url}${CONSENT_PATH}`;
  }

  /** Token-endpoint requests received per grant type, failed and faulted ones included (a snapshot). */
  get counts(): LwaCounts {
    return { ...this.countsByGrant };
  }

  /** Every token-endpoint request received since start or {@link resetCounts} (a snapshot). */
  get requests(): LwaRequestRecord[] {
    return this.log.map((r) => ({ ...r }));
  }

  /** A fresh single-use code, as if the user had just consented; it expires after 5 minutes. */
  issueCode(options: IssueCodeOptions = {}): string {
    return this.book.issueCode(
      options.redirectUri ?? (this.redirectUris[0] as string),
      options.scope ?? DEFAULT_SCOPE,
      options.codeChallenge,
    );
  }

  /** A valid `Atzr|...` refresh token of a new grant. */
  issueRefreshToken(): string {
    return this.book.newGrant();
  }

  /** Revokes the grant of this refresh token: later refreshes with it or any rotated successor get 400 invalid_grant. */
  revoke(refreshToken: string): void {
    this.book.revoke(refreshToken);
  }

  /** True for a refresh token LWA would accept now: its grant's current one, not revoked. */
  isUsableRefreshToken(refreshToken: string): boolean {
    return this.book.isUsableRefreshToken(refreshToken);
  }

  /** The refresh token that currently works for the grant `refreshToken` belongs to (after rotations), if any. */
  currentRefreshToken(refreshToken: string): string | undefined {
    return this.book.currentOf(refreshToken);
  }

  /**
   * `grant_type=refresh_token` requests since start or {@link resetCounts}, by grant (named as
   * {@link grantOf} names it), failed and faulted ones included, in arrival order (a snapshot).
   * Requests with an unknown refresh token are left out.
   */
  refreshesByGrant(): Map<string, LwaRequestRecord[]> {
    const out = new Map<string, LwaRequestRecord[]>();
    for (const record of this.log) {
      if (record.grantType !== 'refresh_token' || record.grant === undefined) continue;
      const list = out.get(record.grant) ?? [];
      list.push({ ...record });
      out.set(record.grant, list);
    }
    return out;
  }

  /** True for an access token this simulator issued that has not expired (per `now`). */
  isValidAccessToken(token: string): boolean {
    return this.book.isValidAccessToken(token);
  }

  /**
   * The grant an access token or refresh token belongs to, named by the grant's first refresh token
   * (what {@link issueRefreshToken} returned, or what the code exchange gave), which stays its name
   * across rotations. Undefined for a token this simulator never issued.
   */
  grantOf(token: string): string | undefined {
    return this.book.grantNameOf(token);
  }

  /** Queues a fault for the next `fault.times` (default 1) token requests, after faults already queued. */
  fail(fault: LwaFault): void {
    this.faults.push(fault);
  }

  /** Forgets every queued fault. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** Sets the delay before answering each token request, in ms. */
  setLatency(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('latency must be >= 0');
    this.latencyMs = ms;
  }

  /** Changes what the consent endpoint does from now on. */
  setConsent(consent: LwaConsentBehaviour): void {
    this.consent = consent;
  }

  /** Sets {@link counts} to zero and empties {@link requests}. */
  resetCounts(): void {
    this.countsByGrant.authorization_code = 0;
    this.countsByGrant.refresh_token = 0;
    this.countsByGrant.total = 0;
    this.log.length = 0;
  }

  /** Closes the server and every open connection, hanging ones included. Safe to call twice. */
  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Never shows the client secret. */
  toJSON(): Record<string, string> {
    return { url: this.url, clientId: this.clientId, clientSecret: '[redacted]' };
  }

  /** Never shows the client secret. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `LwaSimulator { url: '${this.url}', clientId: '${this.clientId}', clientSecret: '[redacted]' }`;
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const requestId = randomUUID();
    res.setHeader('x-amzn-RequestId', requestId);
    const url = new URL(req.url ?? '/', this.url);
    if (url.pathname === TOKEN_PATH) {
      readBody(req, MAX_BODY_BYTES)
        .then((body) => this.token(req, res, body, requestId))
        .catch(() => req.socket.destroy());
      return;
    }
    if (url.pathname === CONSENT_PATH && req.method === 'GET') {
      const answer = answerConsent(
        this.book,
        { clientId: this.clientId, redirectUris: this.redirectUris, consent: this.consent },
        url.searchParams,
      );
      if (answer.status === 302) {
        res.writeHead(302, { location: answer.location }).end();
      } else {
        res.writeHead(400, { 'content-type': 'text/plain;charset=UTF-8' }).end(answer.message);
      }
      return;
    }
    sendJson(res, 404, { error: 'not_found', error_description: 'No such endpoint' });
  }

  private token(req: IncomingMessage, res: ServerResponse, body: string, requestId: string): void {
    const contentType = req.headers['content-type'] ?? '';
    const form = isFormContentType(contentType) ? new URLSearchParams(body) : undefined;
    const grantType = form?.get('grant_type') ?? '';
    const record: LwaRequestRecord = { grantType, status: 0, at: this.now() };
    const sentRefreshToken = grantType === 'refresh_token' ? form?.get('refresh_token') : undefined;
    const grant = sentRefreshToken ? this.book.grantNameOf(sentRefreshToken) : undefined;
    if (grant !== undefined) record.grant = grant;
    this.log.push(record);
    this.countsByGrant.total += 1;
    if (grantType === 'authorization_code' || grantType === 'refresh_token') this.countsByGrant[grantType] += 1;
    const fault = this.faults.take();
    const processed = fault?.kind === 'drop-after-processing' || fault?.kind === 'slow' || fault?.kind === 'odd-fields';
    const delayMs = fault?.kind === 'slow' ? (fault.delayMs ?? 0) : this.latencyMs;
    this.server.later(delayMs, () => {
      if (fault?.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'hang') return;
      if (fault && !processed) {
        const answer = faultBody(fault, requestId);
        record.status = answer.status;
        const headers: Record<string, string> = { 'content-type': answer.contentType, 'cache-control': 'no-store' };
        if (fault.kind === 'status' && fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
        res.writeHead(answer.status, headers).end(answer.body);
        return;
      }
      const answer = answerTokenRequest(
        this.book,
        this.tokenConfig,
        { method: req.method ?? '', contentType, authorization: req.headers.authorization ?? '', form },
        requestId,
      );
      record.status = answer.status;
      const started = grantType === 'authorization_code' && 'refresh_token' in answer.body && typeof answer.body.refresh_token === 'string'
        ? this.book.grantNameOf(answer.body.refresh_token)
        : undefined;
      if (started !== undefined) record.grant = started;
      if (fault?.kind === 'drop-after-processing') {
        req.socket.destroy();
        return;
      }
      const body: Record<string, unknown> = { ...answer.body };
      if (fault?.kind === 'odd-fields' && answer.status === 200) {
        for (const [name, value] of Object.entries(fault.fields ?? {})) {
          if (value === undefined) delete body[name];
          else body[name] = value;
        }
      }
      sendJson(res, answer.status, body);
    });
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-store', pragma: 'no-cache' })
    .end(JSON.stringify(body));
}
