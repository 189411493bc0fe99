import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, HttpTransportError } from '@ads-token/core';
import type { HttpRequest } from '@ads-token/core';
import { LwaSimulator } from '@ads-token/testing';
import { FetchHttpClient } from '../src/index.js';

const SECRET = 'amzn1.oa2-cs.v1.very-secret-client-secret';
const REFRESH = 'Atzr|very-secret-refresh-token';
const secretBody = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: REFRESH, client_secret: SECRET }).toString();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A loopback test server; stopped (with every connection) after the test. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

async function simulator(): Promise<LwaSimulator> {
  const lwa = await LwaSimulator.start();
  cleanups.push(() => lwa.stop());
  return lwa;
}

function tokenRequest(url: string, extra: Partial<HttpRequest> = {}): HttpRequest {
  return {
    method: 'POST',
    url: `${url}/auth/o2/token?client_secret=${encodeURIComponent(SECRET)}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: secretBody,
    ...extra,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

function expectNoSecrets(error: unknown): void {
  const shown = [String(error), JSON.stringify(error), inspect(error, { depth: 10 }), (error as Error).message];
  for (const text of shown) {
    expect(text).not.toContain('very-secret');
    expect(text).not.toContain(encodeURIComponent(SECRET));
  }
}

describe('FetchHttpClient against LwaSimulator', () => {
  it('exchanges a code and returns status, lower-cased headers and the body text', async () => {
    const lwa = await simulator();
    const client = new FetchHttpClient();
    const response = await client.send({
      method: 'POST',
      url: lwa.tokenUrl,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: lwa.issueCode(),
        redirect_uri: 'https://localhost',
        client_id: lwa.clientId,
        client_secret: lwa.clientSecret,
      }).toString(),
    });
    expect(response.status).toBe(200);
    expect(response.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers['content-type']).toContain('application/json');
    expect(Object.keys(response.headers).every((name) => name === name.toLowerCase())).toBe(true);
    const body = JSON.parse(response.body) as { access_token: string; refresh_token: string };
    expect(lwa.isValidAccessToken(body.access_token)).toBe(true);
    expect(body.refresh_token).toMatch(/^Atzr\|/);
  });

  it('returns LWA error answers as responses, not errors', async () => {
    const lwa = await simulator();
    const response = await new FetchHttpClient().send({
      method: 'POST',
      url: lwa.tokenUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'Atzr|x', client_id: lwa.clientId, client_secret: lwa.clientSecret }).toString(),
    });
    expect(response.status).toBe(400);
    expect((JSON.parse(response.body) as { error: string }).error).toBe('invalid_grant');
  });

  it('turns a dropped connection into HttpTransportError without secrets', async () => {
    const lwa = await simulator();
    lwa.fail({ kind: 'drop' });
    const error = await rejection(new FetchHttpClient().send(tokenRequest(lwa.url)));
    expect(error).toBeInstanceOf(HttpTransportError);
    expect((error as HttpTransportError).timeout).toBe(false);
    expect((error as HttpTransportError).code).toBe('HTTP_TRANSPORT');
    expectNoSecrets(error);
  });

  it('turns a hanging LWA into a timeout HttpTransportError', async () => {
    const lwa = await simulator();
    lwa.fail({ kind: 'hang' });
    const error = await rejection(new FetchHttpClient({ timeoutMs: 200 }).send(tokenRequest(lwa.url)));
    expect(error).toBeInstanceOf(HttpTransportError);
    expect((error as HttpTransportError).timeout).toBe(true);
    expectNoSecrets(error);
  });
});

describe('FetchHttpClient against misbehaving servers', () => {
  it('times out on a server that never answers, within a bounded time', async () => {
    const url = await serve(() => undefined);
    const started = Date.now();
    const error = await rejection(new FetchHttpClient({ timeoutMs: 250 }).send(tokenRequest(url)));
    expect(error).toBeInstanceOf(HttpTransportError);
    expect((error as HttpTransportError).timeout).toBe(true);
    expect((error as Error).message).toContain('timed out after 250 ms');
    expect((error as Error).message).toContain(`${url}/auth/o2/token`);
    expect(Date.now() - started).toBeLessThan(10_000);
    expectNoSecrets(error);
  });

  it('times out while the body is still dripping in', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
    });
    const error = await rejection(new FetchHttpClient({ timeoutMs: 250 }).send(tokenRequest(url)));
    expect(error).toBeInstanceOf(HttpTransportError);
    expect((error as HttpTransportError).timeout).toBe(true);
  });

  it('turns a reset connection into HttpTransportError without secrets', async () => {
    const url = await serve((req) => req.socket.destroy());
    const error = await rejection(new FetchHttpClient().send(tokenRequest(url)));
    expect(error).toBeInstanceOf(HttpTransportError);
    expect((error as HttpTransportError).timeout).toBe(false);
    expect((error as Error).message).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/auth\/o2\/token failed: /);
    expectNoSecrets(error);
  });

  it('turns a refused connection into HttpTransportError', async () => {
    const url = await serve(() => undefined);
    await cleanups.pop()!();
    const error = await rejection(new FetchHttpClient().send(tokenRequest(url)));
    expect(error).toBeInstanceOf(HttpTransportError);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expectNoSecrets(error);
  });

  it('waits for a slow answer that comes within the timeout', async () => {
    const url = await serve((_req, res) => {
      setTimeout(() => res.writeHead(200, { 'X-Slow': 'yes' }).end('finally'), 300);
    });
    const response = await new FetchHttpClient({ timeoutMs: 10_000 }).send(tokenRequest(url));
    expect(response).toEqual({ status: 200, headers: expect.objectContaining({ 'x-slow': 'yes' }) as unknown, body: 'finally' });
  });

  it("rejects with the caller's abort reason, not HttpTransportError", async () => {
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const url = await serve(() => arrived());
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const pending = rejection(new FetchHttpClient({ timeoutMs: 10_000 }).send(tokenRequest(url, { signal: controller.signal })));
    await arrival;
    controller.abort(reason);
    expect(await pending).toBe(reason);
  });

  it('does not send when the caller signal is already aborted', async () => {
    let hits = 0;
    const url = await serve((_req, res) => {
      hits += 1;
      res.end('x');
    });
    const reason = new Error('too late');
    const error = await rejection(new FetchHttpClient().send(tokenRequest(url, { signal: AbortSignal.abort(reason) })));
    expect(error).toBe(reason);
    expect(hits).toBe(0);
  });

  it('reports a timeout (not an abort) when the caller signal is still live', async () => {
    const url = await serve(() => undefined);
    const controller = new AbortController();
    const error = await rejection(new FetchHttpClient({ timeoutMs: 200 }).send(tokenRequest(url, { signal: controller.signal })));
    expect(error).toBeInstanceOf(HttpTransportError);
    expect((error as HttpTransportError).timeout).toBe(true);
    expect(controller.signal.aborted).toBe(false);
  });
});

describe('FetchHttpClient requests', () => {
  it('sends method, headers and body intact, and a User-Agent when configured', async () => {
    const seen: { method?: string; headers: IncomingMessage['headers']; body: string }[] = [];
    const url = await serve((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        seen.push({ method: req.method, headers: req.headers, body });
        res.end('ok');
      });
    });
    const client = new FetchHttpClient({ userAgent: 'my-app/1.0' });
    await client.send({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', 'X-Extra': 'a' }, body: 'a=1&b=%7C' });
    await client.send({ method: 'GET', url, headers: { 'User-Agent': 'their-agent' } });
    expect(seen[0]).toMatchObject({ method: 'POST', body: 'a=1&b=%7C' });
    expect(seen[0]!.headers['x-extra']).toBe('a');
    expect(seen[0]!.headers['user-agent']).toBe('my-app/1.0');
    expect(seen[1]).toMatchObject({ method: 'GET', body: '' });
    expect(seen[1]!.headers['user-agent']).toBe('their-agent');
  });

  it('uses the fetch it is given', async () => {
    const calls: string[] = [];
    const ownFetch: typeof fetch = async (input, init) => {
      calls.push(`${init?.method} ${input instanceof Request ? input.url : input.toString()}`);
      return new Response('hello', { status: 201, headers: { 'X-Own': '1' } });
    };
    const response = await new FetchHttpClient({ fetch: ownFetch }).send({ method: 'GET', url: 'https://example.invalid/x', headers: {} });
    expect(calls).toEqual(['GET https://example.invalid/x']);
    expect(response).toEqual({ status: 201, headers: { 'content-type': 'text/plain;charset=UTF-8', 'x-own': '1' }, body: 'hello' });
  });

  it('wraps a failing fetch without echoing the URL query or body', async () => {
    const ownFetch: typeof fetch = async (input) => {
      throw new TypeError(`fetch failed for ${input instanceof Request ? input.url : input.toString()} with ${secretBody}`);
    };
    const error = await rejection(new FetchHttpClient({ fetch: ownFetch }).send(tokenRequest('https://lwa.example')));
    expect(error).toBeInstanceOf(HttpTransportError);
    expect((error as Error).message).toContain('https://lwa.example/auth/o2/token');
    expectNoSecrets(error);
  });

  it('refuses a timeout that is not a positive number', () => {
    expect(() => new FetchHttpClient({ timeoutMs: 0 })).toThrow(ConfigurationError);
    expect(() => new FetchHttpClient({ timeoutMs: Number.NaN })).toThrow(ConfigurationError);
  });
});
