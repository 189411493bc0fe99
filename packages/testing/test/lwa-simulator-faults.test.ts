import { afterEach, describe, expect, it } from 'vitest';
import { LwaSimulator } from '../src/index.js';
import type { LwaSimulatorOptions } from '../src/index.js';

let lwa: LwaSimulator | undefined;
afterEach(async () => {
  await lwa?.stop();
  lwa = undefined;
});

async function start(options: LwaSimulatorOptions = {}): Promise<LwaSimulator> {
  lwa = await LwaSimulator.start(options);
  return lwa;
}

function refreshRequest(sim: LwaSimulator, refreshToken: string, signal?: AbortSignal): Promise<Response> {
  return fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
    }).toString(),
    ...(signal ? { signal } : {}),
  });
}

async function refresh(sim: LwaSimulator, refreshToken: string): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await refreshRequest(sim, refreshToken);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('LwaSimulator faults', () => {
  it('answers a status fault for `times` requests, then normally', async () => {
    const sim = await start();
    const token = sim.issueRefreshToken();
    sim.fail({ kind: 'status', status: 500, times: 2 });
    const first = await refresh(sim, token);
    const second = await refresh(sim, token);
    const third = await refresh(sim, token);
    expect(first.status).toBe(500);
    expect(JSON.parse(first.text)).toMatchObject({ error: 'server_error', request_id: first.headers.get('x-amzn-requestid') });
    expect(second.status).toBe(500);
    expect(third.status).toBe(200);
  });

  it('answers 503 temporarily_unavailable and 429 with Retry-After', async () => {
    const sim = await start();
    const token = sim.issueRefreshToken();
    sim.fail({ kind: 'status', status: 503 });
    sim.fail({ kind: 'status', status: 429, retryAfter: '7' });
    const unavailable = await refresh(sim, token);
    expect(unavailable.status).toBe(503);
    expect((JSON.parse(unavailable.text) as { error: string }).error).toBe('temporarily_unavailable');
    const throttled = await refresh(sim, token);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect(throttled.headers.get('x-amzn-requestid')).toBeTruthy();
  });

  it('answers a status fault with the error it was given', async () => {
    const sim = await start();
    sim.fail({ kind: 'status', status: 400, error: 'unauthorized_client' });
    const answer = await refresh(sim, sim.issueRefreshToken());
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({ error: 'unauthorized_client', error_description: expect.any(String) as unknown });
  });

  it('answers an HTML page, with status 200 unless told otherwise', async () => {
    const sim = await start();
    const token = sim.issueRefreshToken();
    sim.fail({ kind: 'html' });
    sim.fail({ kind: 'html', status: 502 });
    const plain = await refresh(sim, token);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toContain('text/html');
    expect(plain.text).toMatch(/^<!DOCTYPE html>/);
    const gateway = await refresh(sim, token);
    expect(gateway.status).toBe(502);
    expect(gateway.text).toMatch(/^<!DOCTYPE html>/);
  });

  it('answers JSON that does not parse', async () => {
    const sim = await start();
    sim.fail({ kind: 'invalid-json' });
    const answer = await refresh(sim, sim.issueRefreshToken());
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('application/json');
    expect(() => JSON.parse(answer.text) as unknown).toThrow(SyntaxError);
  });

  it('answers a token response without access_token', async () => {
    const sim = await start();
    sim.fail({ kind: 'missing-access-token' });
    const answer = await refresh(sim, sim.issueRefreshToken());
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text) as Record<string, unknown>;
    expect(body.token_type).toBe('bearer');
    expect('access_token' in body).toBe(false);
  });

  it('answers a token response whose expires_in is not a number', async () => {
    const sim = await start();
    sim.fail({ kind: 'bad-expires-in' });
    const answer = await refresh(sim, sim.issueRefreshToken());
    const body = JSON.parse(answer.text) as Record<string, unknown>;
    expect(answer.status).toBe(200);
    expect(body.access_token).toMatch(/^Atza\|/);
    expect(typeof body.expires_in).not.toBe('number');
  });

  it('drops the connection, then answers the next request', async () => {
    const sim = await start();
    const token = sim.issueRefreshToken();
    sim.fail({ kind: 'drop' });
    await expect(refresh(sim, token)).rejects.toThrow(TypeError);
    expect((await refresh(sim, token)).status).toBe(200);
    expect(sim.requests.map((r) => r.status)).toEqual([0, 200]);
  });

  it('hangs until stopped, and stop closes the hanging connection', async () => {
    const sim = await start();
    sim.fail({ kind: 'hang' });
    const pending = refreshRequest(sim, sim.issueRefreshToken(), AbortSignal.timeout(15_000));
    await waitFor(() => sim.counts.total === 1);
    await sim.stop();
    const error = (await pending.then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(TypeError);
    expect((error.cause as Error | undefined)?.name).not.toBe('TimeoutError');
  });

  it('plays queued faults in order, even for requests it would refuse', async () => {
    const sim = await start();
    sim.fail({ kind: 'status', status: 503 });
    sim.fail({ kind: 'missing-access-token' });
    expect((await refresh(sim, 'Atzr|unknown')).status).toBe(503);
    const second = await refresh(sim, 'Atzr|unknown');
    expect(second.status).toBe(200);
    const third = await refresh(sim, 'Atzr|unknown');
    expect(third.status).toBe(400);
  });

  it('forgets queued faults on clearFaults', async () => {
    const sim = await start();
    sim.fail({ kind: 'status', status: 500, times: 3 });
    sim.clearFaults();
    expect((await refresh(sim, sim.issueRefreshToken())).status).toBe(200);
  });

  it('refuses a fault with a non-positive times', async () => {
    const sim = await start();
    expect(() => sim.fail({ kind: 'drop', times: 0 })).toThrow(RangeError);
  });
});

describe('LwaSimulator counters and latency', () => {
  it('counts token requests per grant type, failed and faulted ones included', async () => {
    let now = 42_000;
    const sim = await start({ now: () => now });
    const code = sim.issueCode();
    const form = (params: Record<string, string>): Promise<Response> =>
      fetch(sim.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: sim.clientId, client_secret: sim.clientSecret, ...params }).toString(),
      });
    await (await form({ grant_type: 'authorization_code', code, redirect_uri: 'https://localhost' })).text();
    now = 43_000;
    await (await form({ grant_type: 'authorization_code', code, redirect_uri: 'https://localhost' })).text();
    sim.fail({ kind: 'status', status: 500 });
    await (await form({ grant_type: 'refresh_token', refresh_token: sim.issueRefreshToken() })).text();
    await (await form({ grant_type: 'password' })).text();
    expect(sim.counts).toEqual({ authorization_code: 2, refresh_token: 1, total: 4 });
    expect(sim.requests).toEqual([
      { grantType: 'authorization_code', status: 200, at: 42_000, grant: expect.stringMatching(/^Atzr\|/) as string }, // the grant the exchange started
      { grantType: 'authorization_code', status: 400, at: 43_000 },
      { grantType: 'refresh_token', status: 500, at: 43_000, grant: expect.stringMatching(/^Atzr\|/) as string }, // the grant of the refresh token sent
      { grantType: 'password', status: 400, at: 43_000 },
    ]);
    sim.resetCounts();
    expect(sim.counts).toEqual({ authorization_code: 0, refresh_token: 0, total: 0 });
    expect(sim.requests).toEqual([]);
  });

  it('counts a request that is not form-encoded with an empty grant type', async () => {
    const sim = await start();
    await (await fetch(sim.tokenUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'grant_type=refresh_token' })).text();
    expect(sim.counts).toEqual({ authorization_code: 0, refresh_token: 0, total: 1 });
    expect(sim.requests[0]).toMatchObject({ grantType: '', status: 400 });
  });

  it('waits the configured latency before answering', async () => {
    const sim = await start({ latencyMs: 300 });
    const token = sim.issueRefreshToken();
    let started = Date.now();
    expect((await refresh(sim, token)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    sim.setLatency(600);
    started = Date.now();
    expect((await refresh(sim, token)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
    expect(() => sim.setLatency(-1)).toThrow(RangeError);
  });

  it('stops while a delayed answer is pending', async () => {
    const sim = await start({ latencyMs: 60_000 });
    const pending = refreshRequest(sim, sim.issueRefreshToken(), AbortSignal.timeout(15_000));
    await waitFor(() => sim.counts.total === 1);
    await sim.stop();
    await expect(pending).rejects.toThrow(TypeError);
  });

  it('can be stopped twice', async () => {
    const sim = await start();
    await sim.stop();
    await expect(sim.stop()).resolves.toBeUndefined();
  });
});
