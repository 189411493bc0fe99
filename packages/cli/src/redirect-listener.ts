import { createServer, type Server, type ServerResponse } from 'node:http';
import { CliError } from './cli-error.js';
import { EXIT_CODES } from './exit-codes.js';

/** A callback request that carries `code` or `error`, waiting for its answer page. */
export interface RedirectRequest {
  /** The full redirect URL (redirect URI origin + path + query). */
  url: string;
  /** Answers the browser with a small HTML page. */
  respond(status: number, title: string, message: string): void;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True when `redirectUri` is `http://` on a loopback host: the CLI can receive the redirect itself. */
export function isListenableRedirect(redirectUri: URL): boolean {
  return redirectUri.protocol === 'http:' && LOOPBACK_HOSTS.has(redirectUri.hostname);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(res: ServerResponse, status: number, title: string, message: string): void {
  const body =
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body style="font-family:sans-serif;max-width:40em;margin:4em auto"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
  res.end(body);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * An HTTP listener on the redirect URI's loopback port that hands over the first request to its path
 * carrying `code` or `error`; other requests get a short page. `close` stops it and drops connections.
 */
export class RedirectListener {
  readonly #servers: Server[];
  readonly #path: string;
  readonly #origin: string;
  #waiter: ((request: RedirectRequest) => void) | undefined;
  #pending: RedirectRequest | undefined;
  #taken = false;

  private constructor(redirectUri: URL, servers: Server[]) {
    this.#servers = servers;
    this.#path = redirectUri.pathname;
    this.#origin = redirectUri.origin;
    for (const server of servers) server.on('request', (req, res) => this.#handle(req.url ?? '/', req.method ?? 'GET', res));
  }

  /** Listens on the redirect URI's port (localhost: on 127.0.0.1 and ::1 when available). */
  static async start(redirectUri: URL): Promise<RedirectListener> {
    const port = redirectUri.port === '' ? 80 : Number(redirectUri.port);
    const hosts = redirectUri.hostname === 'localhost' ? ['127.0.0.1', '::1'] : [redirectUri.hostname.replace(/^\[|\]$/g, '')];
    const servers: Server[] = [];
    for (const [index, host] of hosts.entries()) {
      const server = createServer();
      try {
        await listen(server, port, host);
        servers.push(server);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        // ::1 is a bonus for browsers that resolve localhost to IPv6; a host without IPv6 is fine.
        if (index > 0 && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) continue;
        await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
        const reason = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' : String(code ?? error);
        throw new CliError(
          `Cannot listen on ${redirectUri.origin} for the redirect: ${reason}`,
          EXIT_CODES.usage,
          'Choose another port in --redirect-uri (it must also be registered in the security profile), or use --manual to paste the URL.',
        );
      }
    }
    return new RedirectListener(redirectUri, servers);
  }

  /** The first callback request; rejects when `signal` aborts. */
  next(signal?: AbortSignal): Promise<RedirectRequest> {
    signal?.throwIfAborted();
    if (this.#pending !== undefined) return Promise.resolve(this.#pending);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiter = undefined;
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiter = (request) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(request);
      };
    });
  }

  #handle(rawUrl: string, method: string, res: ServerResponse): void {
    const url = new URL(rawUrl, this.#origin);
    if (method !== 'GET' || url.pathname !== this.#path) {
      page(res, 404, 'Not found', 'This address only receives the Login with Amazon redirect.');
      return;
    }
    if (!url.searchParams.has('code') && !url.searchParams.has('error')) {
      page(res, 400, 'No authorization code', 'This request carries neither a code nor an error. Open the consent URL printed by ads-token.');
      return;
    }
    if (this.#taken) {
      page(res, 409, 'Already received', 'ads-token has already received a redirect; look at the terminal.');
      return;
    }
    this.#taken = true;
    const request: RedirectRequest = {
      url: url.href,
      respond: (status, title, message) => page(res, status, title, message),
    };
    if (this.#waiter !== undefined) this.#waiter(request);
    else this.#pending = request;
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    await Promise.all(
      this.#servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            // Answers end with `connection: close`; anything still open after a second is cut.
            const force = setTimeout(() => server.closeAllConnections(), 1000);
            server.close(() => {
              clearTimeout(force);
              resolve();
            });
            server.closeIdleConnections();
          }),
      ),
    );
  }
}
