import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackHttpServer, readBody } from './loopback-http-server.js';
import { AdsFaultQueue, errorCodeFor, retryAfterHeader } from './ads-api/ads-fault-queue.js';
import { defaultProfiles } from './ads-api/default-profiles.js';
import type {
  AdsApiCountFilter,
  AdsApiEcho,
  AdsApiErrorBody,
  AdsApiFault,
  AdsApiRequestRecord,
  AdsApiSimulatorOptions,
  AdsApiTokenIssuer,
  AdsProfile,
} from './ads-api/types.js';

const MAX_BODY_BYTES = 1 << 20;
const PROFILES_PATH = '/v2/profiles';
const ECHO_PREFIX = '/echo/';
const DEFAULT_REQUIRE_SCOPE = ['/v2/campaigns', '/v2/sp/', '/sp/', '/sb/', '/sd/'];

/**
 * A real HTTP server on 127.0.0.1 (free port) that behaves like the Amazon Ads API surface users touch
 * first: `GET /v2/profiles`, `GET /v2/profiles/{id}`, and an echo route (any method, any path under
 * `/echo/`) that answers with what arrived. Every request must carry `Authorization: Bearer <token>`
 * with a token the given LWA issued and that is still valid (else 401) and the LWA's client id in
 * `Amazon-Advertising-API-ClientId` (else 400). Can answer 401, 429 with `Retry-After`, 5xx, or
 * slowly. Start it with {@link AdsApiSimulator.start} and always {@link AdsApiSimulator.stop} it.
 */
export class AdsApiSimulator {
  private readonly server: LoopbackHttpServer;
  private readonly faults = new AdsFaultQueue();
  private readonly rejected = new Set<string>();
  private readonly log: AdsApiRequestRecord[] = [];
  private readonly lwa: AdsApiTokenIssuer;
  private readonly profileList: AdsProfile[];
  private readonly grantProfiles = new Map<string, AdsProfile[]>();
  private readonly requireScope: readonly string[];
  private latencyMs: number;

  private constructor(options: AdsApiSimulatorOptions) {
    if (typeof options?.lwa?.isValidAccessToken !== 'function') throw new TypeError('options.lwa is required (an LwaSimulator)');
    this.lwa = options.lwa;
    this.latencyMs = checkLatency(options.latencyMs ?? 0);
    this.profileList = structuredClone(options.profiles ?? defaultProfiles());
    this.requireScope = [...(options.requireScope ?? DEFAULT_REQUIRE_SCOPE)];
    for (const [grant, profiles] of Object.entries(options.profilesByGrant ?? {})) this.setGrantProfiles(grant, profiles);
    this.server = new LoopbackHttpServer((req, res) => this.route(req, res));
  }

  /** Starts a simulator on 127.0.0.1 on a free port, accepting tokens `options.lwa` issued. */
  static async start(options: AdsApiSimulatorOptions): Promise<AdsApiSimulator> {
    const simulator = new AdsApiSimulator(options);
    await simulator.server.listen();
    return simulator;
  }

  /** Base URL, `http://127.0.0.1:PORT`: pass it as `baseUrl` to `createAdsFetch`. */
  get url(): string {
    return this.server.url;
  }

  /** The profiles `GET /v2/profiles` lists (a copy). */
  get profiles(): AdsProfile[] {
    return structuredClone(this.profileList);
  }

  /**
   * Sets what `GET /v2/profiles` lists for the grant `refreshToken` belongs to (any of its refresh
   * tokens), and which profiles its calls may name in `Amazon-Advertising-API-Scope`. Needs an issuer
   * with `grantOf` (an LwaSimulator has it), else throws TypeError.
   */
  setGrantProfiles(refreshToken: string, profiles: AdsProfile[]): void {
    if (typeof this.lwa.grantOf !== 'function') throw new TypeError('per-grant profiles need an issuer with grantOf (an LwaSimulator)');
    if (!Array.isArray(profiles)) throw new TypeError('profiles must be an array');
    this.grantProfiles.set(this.lwa.grantOf(refreshToken) ?? refreshToken, structuredClone(profiles));
  }

  /** What `GET /v2/profiles` lists for the grant of this access or refresh token (a copy). */
  profilesOf(token: string): AdsProfile[] {
    return structuredClone(this.listFor(this.lwa.grantOf?.(token)));
  }

  /** Every request received since start or {@link resetCounts} (a snapshot). */
  get requests(): AdsApiRequestRecord[] {
    return this.log.map((r) => ({ ...r }));
  }

  /** How many requests received since start or {@link resetCounts} match `filter` (all of them without one). */
  count(filter: AdsApiCountFilter = {}): number {
    return this.log.filter(
      (r) =>
        (filter.path === undefined || r.path === filter.path) &&
        (filter.status === undefined || r.status === filter.status) &&
        (filter.method === undefined || r.method === filter.method.toUpperCase()),
    ).length;
  }

  /** Answers 401 to every later request that carries this access token (as after a revocation), while other tokens still work. */
  rejectToken(token: string): void {
    this.rejected.add(token);
  }

  /** Answers the next `fault.times` (default 1) matching requests with `fault.status`, after faults already queued. */
  failNext(fault: AdsApiFault): void {
    this.faults.push(fault.grant === undefined ? fault : { ...fault, grant: this.lwa.grantOf?.(fault.grant) ?? fault.grant });
  }

  /** Forgets every queued fault and rejected token. */
  clearFaults(): void {
    this.faults.clear();
    this.rejected.clear();
  }

  /** Sets the delay before answering each request, in ms. */
  setLatency(ms: number): void {
    this.latencyMs = checkLatency(ms);
  }

  /** Empties {@link requests}, so {@link count} starts from zero. */
  resetCounts(): void {
    this.log.length = 0;
  }

  /** Closes the server and every open connection, slow answers included. Safe to call twice. */
  stop(): Promise<void> {
    return this.server.stop();
  }

  /** A short description (no tokens). */
  toJSON(): Record<string, string> {
    return { url: this.url, clientId: this.lwa.clientId };
  }

  /** A short description (no tokens). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `AdsApiSimulator { url: '${this.url}', clientId: '${this.lwa.clientId}' }`;
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const requestId = randomUUID();
    res.setHeader('x-amzn-RequestId', requestId);
    const url = new URL(req.url ?? '/', this.url);
    const scope = header(req, 'amazon-advertising-api-scope');
    const record: AdsApiRequestRecord = { method: req.method ?? 'GET', path: url.pathname, status: 0, at: Date.now() };
    if (scope !== undefined) record.profileId = scope;
    this.log.push(record);
    const bearer = /^Bearer (\S+)$/i.exec(header(req, 'authorization') ?? '')?.[1];
    const fault = this.faults.take(url.pathname, bearer === undefined ? undefined : this.lwa.grantOf?.(bearer));
    readBody(req, MAX_BODY_BYTES)
      .then((body) =>
        this.server.later(
          this.latencyMs,
          () => {
            const answer = fault ? faultAnswer(fault, requestId) : this.answer(req, url, body, requestId);
            record.status = answer.status;
            res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify(answer.body));
          },
          res,
        ),
      )
      .catch(() => req.socket.destroy());
  }

  private answer(req: IncomingMessage, url: URL, body: string, requestId: string): Answer {
    const authorization = header(req, 'authorization') ?? '';
    const token = /^Bearer (\S+)$/i.exec(authorization)?.[1];
    if (token === undefined || this.rejected.has(token) || !this.lwa.isValidAccessToken(token)) {
      return error(401, token === undefined ? 'Missing bearer token' : 'Not authorized: the access token is invalid or expired', requestId);
    }
    if (header(req, 'amazon-advertising-api-clientid') !== this.lwa.clientId) {
      return error(400, 'Amazon-Advertising-API-ClientId is missing or does not match the token', requestId);
    }
    const path = url.pathname;
    const scope = header(req, 'amazon-advertising-api-scope');
    const profiles = this.listFor(this.lwa.grantOf?.(token));
    if (this.requireScope.some((prefix) => path.startsWith(prefix))) {
      if (scope === undefined) return error(400, 'Amazon-Advertising-API-Scope is required', requestId);
      if (!profiles.some((p) => String(p.profileId) === scope)) return error(400, 'Amazon-Advertising-API-Scope names no profile of this account', requestId);
    }
    if (path.startsWith(ECHO_PREFIX)) return { status: 200, body: echo(req, url, body) };
    if (path === PROFILES_PATH || path === `${PROFILES_PATH}/`) {
      if (req.method !== 'GET') return error(405, `${req.method ?? ''} is not allowed on ${PROFILES_PATH}`, requestId);
      return { status: 200, body: profiles };
    }
    if (path.startsWith(`${PROFILES_PATH}/`) && req.method === 'GET') {
      const id = path.slice(PROFILES_PATH.length + 1);
      const profile = profiles.find((p) => String(p.profileId) === id);
      return profile ? { status: 200, body: profile } : error(404, 'Profile not found', requestId);
    }
    return error(404, 'No such resource in the simulator', requestId);
  }

  /** The profiles of a grant: its own list when one was set, else the shared one. */
  private listFor(grant: string | undefined): AdsProfile[] {
    return (grant === undefined ? undefined : this.grantProfiles.get(grant)) ?? this.profileList;
  }
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function checkLatency(ms: number): number {
  if (typeof ms !== 'number' || !(ms >= 0)) throw new RangeError('latency must be >= 0');
  return ms;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function error(status: number, details: string, requestId: string): Answer {
  const body: AdsApiErrorBody = { code: errorCodeFor(status), details, requestId };
  return { status, body };
}

function faultAnswer(fault: AdsApiFault, requestId: string): Answer {
  const answer = error(fault.status, `Simulated ${fault.status}`, requestId);
  if (fault.retryAfter !== undefined) answer.headers = { 'retry-after': retryAfterHeader(fault.retryAfter) };
  return answer;
}

function echo(req: IncomingMessage, url: URL, body: string): AdsApiEcho {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = name === 'authorization' ? 'Bearer [redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body,
  };
}
