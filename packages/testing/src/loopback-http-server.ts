import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Answers one request of a {@link LoopbackHttpServer}. */
export type LoopbackRequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A node:http server on 127.0.0.1 (free port) that tracks its connections and delayed answers,
 * so {@link LoopbackHttpServer.stop} ends everything, hanging requests included.
 */
export class LoopbackHttpServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private listeningPort = 0;
  private stopped: Promise<void> | undefined;

  /** A server that is not listening yet: call {@link listen}. */
  constructor(handler: LoopbackRequestHandler) {
    this.server = createServer(handler);
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** The port it listens on (0 before {@link listen}). */
  get port(): number {
    return this.listeningPort;
  }

  /** Base URL, `http://127.0.0.1:PORT`. */
  get url(): string {
    return `http://127.0.0.1:${this.listeningPort}`;
  }

  /** Listens on 127.0.0.1 on a free port. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        const address = this.server.address();
        if (address === null || typeof address === 'string') {
          reject(new Error('The simulator has no TCP address'));
          return;
        }
        this.listeningPort = address.port;
        resolve();
      });
    });
  }

  /**
   * Runs `run` after `delayMs` (at once when `delayMs <= 0`) through a timer {@link stop} clears.
   * With `res`, skips `run` once `res` is destroyed or answered, and clears the timer when `res` closes.
   */
  later(delayMs: number, run: () => void, res?: ServerResponse): void {
    const guarded =
      res === undefined
        ? run
        : (): void => {
            if (!res.destroyed && !res.headersSent) run();
          };
    if (delayMs <= 0) {
      guarded();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      guarded();
    }, delayMs);
    this.timers.add(timer);
    res?.once('close', () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    });
  }

  /** Clears pending delayed answers, closes the server and destroys every open connection. Safe to call twice. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
    return this.stopped;
  }
}

/** Reads a request body as UTF-8; rejects once it exceeds `maxBytes`. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) reject(new Error('Body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
