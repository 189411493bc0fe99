import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenPool, sharedRecordKey } from '@ads-token/core';
import { FetchHttpClient, PROFILE_DIRECTORY_RECORD } from '@ads-token/fetch-adapter';
import { AdsApiSimulator, LwaSimulator } from '@ads-token/testing';
import { dropPostgresTables, openBackend, redactDatabaseUrl, redactRedisUrl } from './backend.js';
import { demoGrants, demoProfiles } from './demo-grants.js';
import { tallyByGrant, type GrantTally } from './expiries.js';
import { Fleet, type FleetMember } from './fleet.js';
import { FleetMetrics } from './fleet-metrics.js';
import { LOCK_WAIT_THRESHOLD_MS, type BackendConfig, type WorkerConfig } from './protocol.js';
import { signInWithConsent } from './sign-in.js';
import { StatusView } from './status-view.js';
import { renderTable } from './table.js';

/** Settings of one demo run. */
export interface DemoSettings {
  /** How long the workers call the Ads API, in seconds. @default 32 */
  seconds: number;
  /** Worker processes. @default 4 */
  workers: number;
  /** Advertiser grants the workers serve through one TokenPool each (2 to 4 profiles per grant). @default 200 */
  grants: number;
  /** Access token lifetime the LWA simulator hands out, in seconds. @default 10 */
  tokenSeconds: number;
  /** Use RedisTokenStore + RedisLock at this URL instead of the file store and lock. */
  redisUrl?: string;
  /** PostgreSQL to share tokens through (`PostgresTokenStore` + `PostgresLock`) instead of the file store. */
  databaseUrl?: string;
  /** The built worker entry. */
  workerPath: string;
  /** Where to print. */
  out: NodeJS.WriteStream;
  /** Redraw status lines in place. @default out.isTTY */
  live?: boolean;
  /** Record the fleet's metrics with @ads-token/otel and print them through the OpenTelemetry console exporter (`--metrics`). */
  metrics?: boolean;
}

/** What a run found. */
export interface DemoResult {
  ok: boolean;
  lwaRefreshes: number;
  expiries: number;
  /** Grants whose LWA refreshes equal their expiries. */
  exactGrants: number;
  errors: number;
  served: number;
}

/** Reads the settings from DEMO_SECONDS, DEMO_WORKERS, DEMO_GRANTS, DEMO_TOKEN_SECONDS, REDIS_URL and DATABASE_URL, and `--metrics` from the arguments. */
export function settingsFromEnv(env: NodeJS.ProcessEnv, workerPath: string, out: NodeJS.WriteStream, args: readonly string[] = []): DemoSettings {
  const unknown = args.filter((arg) => arg !== '--metrics');
  if (unknown.length > 0) throw new RangeError(`unknown argument ${unknown[0]}: the demo takes only --metrics`);
  const number = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer from ${min} to ${max}`);
    return value;
  };
  const redisUrl = env['REDIS_URL'];
  const databaseUrl = env['DATABASE_URL'];
  if (redisUrl !== undefined && redisUrl !== '' && databaseUrl !== undefined && databaseUrl !== '') {
    throw new RangeError('Set REDIS_URL or DATABASE_URL, not both');
  }
  return {
    seconds: number('DEMO_SECONDS', 32, 3, 600),
    workers: number('DEMO_WORKERS', 4, 1, 32),
    grants: number('DEMO_GRANTS', 200, 1, 1000),
    tokenSeconds: number('DEMO_TOKEN_SECONDS', 10, 4, 3600),
    ...(redisUrl === undefined || redisUrl === '' ? {} : { redisUrl }),
    ...(databaseUrl === undefined || databaseUrl === '' ? {} : { databaseUrl }),
    workerPath,
    out,
    ...(args.includes('--metrics') ? { metrics: true } : {}),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Refreshes one pool runs at once (the TokenPool default). */
const REFRESH_CAP = 4;

/**
 * The fleet demo: LWA and Ads API simulators, a sign-in through the consent redirect with PKCE and
 * more advertiser grants beside it, then worker processes, each serving every grant through one
 * TokenPool and sharing the tokens through one store and lock, calling the Ads API by profile id
 * across several expiries; a live status, a summary table and the invariants checked.
 */
export async function runDemo(settings: DemoSettings): Promise<DemoResult> {
  const print = (line = ''): void => { settings.out.write(line + '\n'); };
  // Refresh 40% of the lifetime before expiry: inside core's cap (half) and ahead of its floor (a quarter).
  const bufferSeconds = Math.max(1, Math.round(settings.tokenSeconds * 0.4));
  const dueAfterMs = (settings.tokenSeconds - bufferSeconds) * 1000;

  const cleanups: (() => Promise<void>)[] = [];
  let fleet: Fleet | undefined;
  let metrics: FleetMetrics | undefined;
  const onSignal = (): void => {
    void (async () => {
      await fleet?.kill();
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      process.exit(130);
    })();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const lwa = await LwaSimulator.start({ tokenLifetimeSeconds: settings.tokenSeconds });
    cleanups.push(() => lwa.stop());
    const grants = demoGrants(settings.grants);
    const ads = await AdsApiSimulator.start({ lwa, profiles: demoProfiles(grants) });
    cleanups.push(() => ads.stop());

    let backendConfig: BackendConfig;
    let backendName: string;
    if (settings.redisUrl !== undefined) {
      backendConfig = { kind: 'redis', url: settings.redisUrl, keyPrefix: `ads-token-demo:${randomBytes(4).toString('hex')}:` };
      backendName = `RedisTokenStore + RedisLock (node-redis) at ${redactRedisUrl(settings.redisUrl)}`;
    } else if (settings.databaseUrl !== undefined) {
      const suffix = randomBytes(4).toString('hex');
      backendConfig = { kind: 'postgres', url: settings.databaseUrl, table: `ads_token_demo_${suffix}`, lockTable: `ads_token_demo_${suffix}_lock` };
      backendName = `PostgresTokenStore + PostgresLock (pg) at ${redactDatabaseUrl(settings.databaseUrl)}`;
    } else {
      const dir = await mkdtemp(join(tmpdir(), 'ads-token-demo-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      backendConfig = { kind: 'file', path: join(dir, 'tokens.json'), lockDirectory: join(dir, 'locks') };
      backendName = `FileTokenStore ${backendConfig.path} + FileLock ${backendConfig.lockDirectory}`;
    }

    print('ads-token fleet demo');
    print(`  LWA simulator      ${lwa.url} (access tokens live ${settings.tokenSeconds} s)`);
    print(`  Ads API simulator  ${ads.url}`);
    const fromEnv = settings.redisUrl !== undefined ? '  (REDIS_URL is set)' : settings.databaseUrl !== undefined ? '  (DATABASE_URL is set)' : '';
    print(`  token store, lock  ${backendName}${fromEnv}`);
    print(`  refresh buffer     ${bufferSeconds} s before expiry: each token comes due ${dueAfterMs / 1000} s after it was issued (pools spread grants a little later inside the buffer)`);
    print(`  grants             ${grants.length} advertisers, ${grants.reduce((n, g) => n + g.profileIds.length, 0)} profiles; each worker serves them all through one TokenPool (at most ${REFRESH_CAP} refreshes at once)`);
    print();

    const backend = await openBackend(backendConfig);
    const pool = new TokenPool({
      clientId: lwa.clientId,
      clientSecret: lwa.clientSecret,
      http: new FetchHttpClient(),
      store: backend.store,
      lock: backend.lock,
      endpoints: { tokenUrl: lwa.tokenUrl, authorizationUrl: lwa.authorizationUrl },
      refreshBuffer: bufferSeconds,
      maxConcurrentRefreshes: REFRESH_CAP,
    });
    const manager = pool.manager(grants[0]!.grantId);
    const clearStored = async (): Promise<void> => {
      if (backendConfig.kind === 'redis') {
        for (const grant of grants) await pool.manager(grant.grantId).clearTokens().catch(() => undefined);
        await backend.store.delete(sharedRecordKey(lwa.clientId, PROFILE_DIRECTORY_RECORD)).catch(() => undefined);
      }
      await pool.close().catch(() => undefined);
      await backend.close().catch(() => undefined);
      if (backendConfig.kind === 'postgres') await dropPostgresTables(backendConfig).catch(() => undefined);
    };
    cleanups.push(clearStored);
    const info = await signInWithConsent(manager);
    if (settings.metrics === true) metrics = new FleetMetrics(manager);
    print(`Signed in: consent URL with PKCE (S256) -> redirect with code and state -> code exchanged.`);
    print(`  grant "${info.grantId}" stored sealed (AES-256-GCM); access token expires in ${info.expiresInSeconds} s`);
    const seededRefreshTokens = new Map<string, string>();
    for (let i = 1; i < grants.length; i += 20) {
      await Promise.all(grants.slice(i, i + 20).map(async (grant) => {
        const refreshToken = lwa.issueRefreshToken();
        seededRefreshTokens.set(grant.grantId, refreshToken);
        await pool.manager(grant.grantId).setRefreshToken(refreshToken);
        await pool.getAccessToken(grant.grantId);
      }));
    }
    // The Ads API lists each grant's own profiles: the workers' ProfileDirectory learns the routing from it.
    const profiles = demoProfiles(grants);
    for (const [i, grant] of grants.entries()) {
      const ownToken = i === 0 ? await pool.getAccessToken(grant.grantId) : seededRefreshTokens.get(grant.grantId)!;
      ads.setGrantProfiles(ownToken, profiles.filter((p) => grant.profileIds.includes(p.profileId)));
    }
    if (grants.length > 1) print(`  ${grants.length - 1} more advertiser grants stored beside it (${grants[1]!.grantId} ... ${grants.at(-1)!.grantId}), each with a first access token`);
    // The tokens issued so far; from here on every refresh request is the fleet's.
    const issuedBefore = lwa.requests;
    lwa.resetCounts();
    print();

    const config = (id: number): WorkerConfig => ({
      id,
      clientId: lwa.clientId,
      clientSecret: lwa.clientSecret,
      tokenUrl: lwa.tokenUrl,
      adsUrl: ads.url,
      backend: backendConfig,
      refreshBufferSeconds: bufferSeconds,
      // Every grant is reached about once a second fleet-wide: each worker walks the grants from its own start.
      callers: 3,
      pauseMs: 40,
      profileStart: Math.floor(((id - 1) * grants.length) / settings.workers),
      errorPauseMs: 250,
      statusIntervalMs: 200,
      grants,
      maxConcurrentRefreshes: REFRESH_CAP,
      ...(metrics === undefined ? {} : { relayEvents: true }),
    });
    const recording = metrics;
    fleet = await Fleet.start({
      workerPath: settings.workerPath,
      size: settings.workers,
      config,
      execArgv: ['--expose-gc'],
      ...(recording === undefined ? {} : { onMessage: (_member, message) => { if (message.type === 'token_event') recording.record(message.event); } }),
    });
    const started = Date.now();
    print(`${settings.workers} workers started (pids ${fleet.members.map((m) => m.pid).join(', ')}); calling GET /v2/profiles/{profileId} for ${settings.seconds} s, each call named by its profile id only`);
    const current = fleet;
    const view = new StatusView(current.members, {
      out: settings.out,
      ...(settings.live === undefined ? {} : { live: settings.live }),
      header: () => {
        const elapsed = Math.round((Date.now() - started) / 1000);
        const served = current.members.reduce((n, m) => n + m.stats.served, 0);
        return `t+${String(elapsed).padStart(2)}s  ${served} calls served  LWA refresh requests so far: ${lwa.counts.refresh_token}`;
      },
    });
    fleet.go();
    view.start();
    await sleep(settings.seconds * 1000);
    const endAt = Date.now();
    await fleet.stop();
    view.stop();
    print();

    const members = fleet.members;
    const lwaRefreshes = lwa.counts.refresh_token;
    // A pool refreshes a grant after its token came due (jitter, then the queue of at most REFRESH_CAP
    // refreshes at once), at a call: a token not replaced by the end counts only if it expired 2 s before it.
    const tallies = tallyByGrant(issuedBefore, lwa.requests, dueAfterMs, endAt, bufferSeconds * 1000 + 2000);
    const expiries = tallies.reduce((n, t) => n + t.expiries, 0);
    const exactGrants = tallies.filter((t) => t.refreshes === t.expiries && t.expiries > 0).length;
    const neverDue = grants.length - tallies.filter((t) => t.expiries > 0).length;
    const lwaInFlight = Math.max(0, ...members.map((m) => m.stats.lwaInFlightPeak));
    const peakRefreshes = Math.max(0, ...members.map((m) => m.stats.peakRefreshes ?? 0));
    const heapPerGrant = members.map((m) => m.stats.heapPerGrantBytes).filter((n): n is number => n !== undefined);
    const missing = members.filter((m) => !m.final || m.fatal !== undefined || m.exit?.code !== 0);
    const errors = members.reduce((n, m) => n + m.stats.errors, 0) + missing.length;
    const served = members.reduce((n, m) => n + m.stats.served, 0);
    const workerLwa = members.reduce((n, m) => n + m.stats.lwaRefreshes, 0);
    const unauthorized = ads.count({ status: 401 });

    printSummary(print, members, backendName);
    print();
    const ratio = expiries === 0 ? NaN : lwaRefreshes / expiries;
    print(`LWA refresh requests: ${lwaRefreshes} (workers that refreshed through LWA: ${workerLwa} times)`);
    print(`token expiries:       ${expiries} (each token came due ${dueAfterMs / 1000} s after it was issued; run ${Math.round((endAt - started) / 1000)} s)`);
    print(`refreshes per expiry: ${Number.isNaN(ratio) ? 'n/a' : ratio.toFixed(2)} (must be exactly 1)`);
    print(`per grant:            ${perGrantLine(tallies, grants.length)}`);
    print(`LWA requests in flight at most: ${lwaInFlight} per worker (cap ${REFRESH_CAP}; TokenPool peakConcurrentRefreshes ${peakRefreshes})`);
    if (heapPerGrant.length > 0) {
      print(`heap per grant:       ${kB(Math.max(...heapPerGrant))} at most (${heapPerGrant.map(kB).join(', ')}: TokenPool after one token per grant, tokens included, in each worker)`);
    }
    print(`errors:               ${errors} (must be 0)   Ads API 401 answers: ${unauthorized}   calls served: ${served}`);
    for (const m of missing) {
      print(`  worker ${m.id} did not finish cleanly: ${m.fatal ?? `exit ${m.exit?.code ?? m.exit?.signal ?? '?'}`} ${m.stderr.trim()}`);
    }
    const ok = expiries > 0 && lwaRefreshes === expiries && exactGrants === grants.length && lwaInFlight <= REFRESH_CAP && errors === 0;
    if (metrics !== undefined) {
      print();
      print('Metrics of the whole fleet (@ads-token/otel, OpenTelemetry console exporter):');
      await metrics.print();
      metrics = undefined;
    }
    print();
    print(ok
      ? `OK: ${settings.workers} workers x ${grants.length} grants, ${expiries} expiries, exactly one LWA refresh per expiry for every grant, at most ${REFRESH_CAP} LWA requests in flight per worker, no errors.`
      : 'FAILED: ' + [
          neverDue > 0 ? `no token came due for ${neverDue} of ${grants.length} grants (run longer than the token lifetime)` : '',
          expiries > 0 && lwaRefreshes !== expiries ? `${lwaRefreshes} LWA refreshes for ${expiries} expiries` : '',
          grants.length - exactGrants - neverDue > 0 ? `${grants.length - exactGrants - neverDue} grants without exactly one refresh per expiry` : '',
          lwaInFlight > REFRESH_CAP ? `${lwaInFlight} LWA requests in flight at once in one worker (cap ${REFRESH_CAP})` : '',
          errors > 0 ? `${errors} errors` : '',
        ].filter(Boolean).join('; '));
    return { ok, lwaRefreshes, expiries, exactGrants, errors, served };
  } finally {
    await metrics?.discard();
    await fleet?.kill();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function printSummary(print: (line?: string) => void, members: readonly FleetMember[], backendName: string): void {
  print(`Summary (${backendName})`);
  const rows: string[][] = [['worker', 'pid', 'calls served', 'refreshes (LWA)', 'from store', `lock waits (>=${LOCK_WAIT_THRESHOLD_MS} ms)`, 'longest wait', 'LWA in flight (max)', 'errors']];
  const total = { served: 0, lwa: 0, store: 0, waits: 0, longest: 0, inFlight: 0, errors: 0 };
  for (const m of members) {
    const s = m.stats;
    rows.push([String(m.id), String(m.pid), String(s.served), String(s.lwaRefreshes), String(s.storeRefreshes), String(s.lockWaits), `${s.maxLockWaitMs} ms`, String(s.lwaInFlightPeak), String(s.errors)]);
    total.served += s.served;
    total.lwa += s.lwaRefreshes;
    total.store += s.storeRefreshes;
    total.waits += s.lockWaits;
    total.longest = Math.max(total.longest, s.maxLockWaitMs);
    total.inFlight = Math.max(total.inFlight, s.lwaInFlightPeak);
    total.errors += s.errors;
  }
  rows.push(['total', '', String(total.served), String(total.lwa), String(total.store), String(total.waits), `${total.longest} ms`, String(total.inFlight), String(total.errors)]);
  for (const line of renderTable(rows)) print(`  ${line}`);
}

const kB = (bytes: number): string => `${(bytes / 1024).toFixed(2)} kB`;

/** Refreshes per expiry across grants: how many grants had exactly one, and the range. */
function perGrantLine(tallies: readonly GrantTally[], grantCount: number): string {
  const ratios = tallies.filter((t) => t.expiries > 0).map((t) => t.refreshes / t.expiries);
  const exact = tallies.filter((t) => t.expiries > 0 && t.refreshes === t.expiries).length;
  if (ratios.length === 0) return `no grant's token came due (${grantCount} grants)`;
  const due = ratios.length < grantCount ? `; ${grantCount - ratios.length} grants' tokens never came due` : '';
  const range = `min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)}`;
  return `refreshes per expiry exactly 1 for ${exact} of ${grantCount} grants (${range}${due}; must be 1 for all)`;
}
