import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidResponseError, TokenManager } from '@ads-token/core';
import { LwaSimulator } from '@ads-token/testing';
import { FetchHttpClient, HttpRedirectError, createAdsFetch } from '../src/index.js';

const SECRET = 'amzn1.oa2-cs.v1.very-secret-client-secret';
const REFRESH = 'Atzr|very-secret-refresh-token';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

/** A loopback server that records what it received; stopped (with every connection) after the test. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end('{}')): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
      handler(req, res);
    });
  });
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
  return { url: `http://127.0.0.1:${address.port}`, seen };
}

function redirectTo(status: number, location: string) {
  return (_req: IncomingMessage, res: ServerResponse) => res.writeHead(status, { location }).end();
}

const tokenBody = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: REFRESH, client_id: 'c', client_secret: SECRET }).toString();

describe('FetchHttpClient never follows a redirect', () => {
  for (const status of [301, 302, 303, 307, 308]) {
    it(`a ${status} from the token URL is HttpRedirectError naming the status; the other server receives nothing`, async () => {
      const other = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"Atza|planted","expires_in":3600}'));
      const lwa = await serve(redirectTo(status, `${other.url}/steal?x=1`));
      const error = await new FetchHttpClient().send({ method: 'POST', url: `${lwa.url}/auth/o2/token`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: tokenBody }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(HttpRedirectError);
      expect(error).toBeInstanceOf(InvalidResponseError);
      const redirect = error as HttpRedirectError;
      expect(redirect.status).toBe(status);
      expect(redirect.code).toBe('INVALID_RESPONSE');
      expect(redirect.location).toBe(`${other.url}/steal`);
      expect(redirect.message).toContain(`HTTP ${status}`);
      expect(redirect.message).not.toContain('very-secret');
      expect(lwa.seen).toHaveLength(1);
      expect(other.seen).toHaveLength(0);
    });
  }

  it('a GET follows a redirect within its origin, with its headers', async () => {
    const api = await serve((req, res) => (req.url === '/v2/profiles' ? res.writeHead(302, { location: '/v2/profiles/moved' }).end() : res.end('[]')));
    const response = await new FetchHttpClient().send({ method: 'GET', url: `${api.url}/v2/profiles`, headers: { authorization: 'Bearer Atza|x' } });
    expect(response.status).toBe(200);
    expect(response.body).toBe('[]');
    expect(api.seen.map((s) => [s.url, s.authorization])).toEqual([
      ['/v2/profiles', 'Bearer Atza|x'],
      ['/v2/profiles/moved', 'Bearer Atza|x'],
    ]);
  });

  it('a GET redirected to another origin is HttpRedirectError; the other server receives nothing', async () => {
    const other = await serve();
    const api = await serve(redirectTo(307, `${other.url}/elsewhere`));
    const error = await new FetchHttpClient().send({ method: 'GET', url: `${api.url}/v2/profiles`, headers: { authorization: 'Bearer Atza|x' } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpRedirectError);
    expect((error as HttpRedirectError).status).toBe(307);
    expect(other.seen).toHaveLength(0);
  });

  it('a GET stops following after 20 redirects', async () => {
    const api = await serve((_req, res) => res.writeHead(302, { location: `/loop/${api.seen.length}` }).end());
    const error = await new FetchHttpClient().send({ method: 'GET', url: `${api.url}/loop`, headers: {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpRedirectError);
    expect(api.seen).toHaveLength(21);
  });

  it('a redirecting LWA fails the refresh with InvalidResponseError; the client secret never reaches the other server', async () => {
    const real = await LwaSimulator.start();
    cleanups.push(() => real.stop());
    const lwa = await serve(redirectTo(307, `${real.tokenUrl}`));
    const manager = new TokenManager({ clientId: real.clientId, clientSecret: real.clientSecret, http: new FetchHttpClient(), endpoints: { tokenUrl: `${lwa.url}/auth/o2/token` }, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
    cleanups.push(() => manager.close());
    await manager.setRefreshToken(real.issueRefreshToken());
    await expect(manager.getAccessToken()).rejects.toBeInstanceOf(InvalidResponseError);
    expect(real.counts.total).toBe(0);
    expect(lwa.seen).toHaveLength(1);
  });
});

describe('createAdsFetch and redirects', () => {
  async function manager(): Promise<TokenManager> {
    const lwa = await LwaSimulator.start();
    cleanups.push(() => lwa.stop());
    const m = new TokenManager({ clientId: lwa.clientId, clientSecret: lwa.clientSecret, http: new FetchHttpClient(), endpoints: { tokenUrl: lwa.tokenUrl } });
    cleanups.push(() => m.close());
    await m.setRefreshToken(lwa.issueRefreshToken());
    return m;
  }

  it('follows a same-origin redirect with the same headers', async () => {
    const api = await serve((req, res) => {
      if (req.url === '/v2/profiles') res.writeHead(307, { location: '/v2/profiles/moved' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    const adsFetch = createAdsFetch(await manager(), { baseUrl: api.url, profileId: '123' });
    const response = await adsFetch('/v2/profiles');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([]);
    expect(api.seen.map((s) => s.url)).toEqual(['/v2/profiles', '/v2/profiles/moved']);
    expect(api.seen[1]!.authorization).toMatch(/^Bearer Atza\|/);
  });

  it('keeps a POST body through a same-origin 307 and turns a 303 into a GET without body', async () => {
    const api = await serve((req, res) => {
      if (req.url === '/a') res.writeHead(307, { location: '/b' }).end();
      else if (req.url === '/b') res.writeHead(303, { location: '/c' }).end();
      else res.end('done');
    });
    const adsFetch = createAdsFetch(await manager(), { baseUrl: api.url });
    const response = await adsFetch('/a', { method: 'POST', body: '{"x":1}', headers: { 'content-type': 'application/json' } });
    expect(await response.text()).toBe('done');
    expect(api.seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ['POST', '/a', '{"x":1}'],
      ['POST', '/b', '{"x":1}'],
      ['GET', '/c', ''],
    ]);
  });

  for (const status of [302, 307]) {
    it(`does not follow a ${status} to another origin: the caller gets the redirect, the other server receives nothing`, async () => {
      const other = await serve();
      const api = await serve(redirectTo(status, `${other.url}/report.json`));
      const adsFetch = createAdsFetch(await manager(), { baseUrl: api.url });
      const response = await adsFetch('/v2/reports/1/download');
      expect(response.status).toBe(status);
      expect(response.headers.get('location')).toBe(`${other.url}/report.json`);
      expect(other.seen).toHaveLength(0);
      expect(api.seen).toHaveLength(1);
    });
  }

  it("honours the caller's redirect: 'manual'", async () => {
    const api = await serve((req, res) => (req.url === '/a' ? res.writeHead(302, { location: '/b' }).end() : res.end('b')));
    const adsFetch = createAdsFetch(await manager(), { baseUrl: api.url });
    const response = await adsFetch('/a', { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(api.seen).toHaveLength(1);
  });

  it('stops after 20 same-origin redirects', async () => {
    const api = await serve((req, res) => res.writeHead(302, { location: `/loop/${api.seen.length}` }).end());
    const adsFetch = createAdsFetch(await manager(), { baseUrl: api.url });
    const response = await adsFetch('/loop');
    expect(response.status).toBe(302);
    expect(api.seen).toHaveLength(21);
  });
});
