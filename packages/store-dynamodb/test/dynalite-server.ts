// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- dynalite has no types; this also serves the CLI tests that import this file
/// <reference path="./dynalite.d.ts" />
// Starts dynalite (an in-memory DynamoDB implementation) in this process on a free loopback port,
// and makes clients that can only reach it: fixed fake credentials and region, loopback endpoint.
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createTable } from '../src/index.js';

/** A running dynalite server and what it was asked. */
export interface DynaliteServer {
  readonly port: number;
  readonly endpoint: string;
  /** Requests by operation (`GetItem`, `PutItem`, ...) since the last reset. */
  readonly counts: Map<string, number>;
  /** Total requests since the last reset. */
  total(): number;
  resetCounts(): void;
  stop(): Promise<void>;
}

/** Starts dynalite on 127.0.0.1 and a free port; `stop()` closes it. */
export async function startDynalite(): Promise<DynaliteServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const counts = new Map<string, number>();
  server.on('request', (request: { headers: Record<string, string | string[] | undefined> }) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.indexOf('.') + 1) || 'unknown';
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    resetCounts: () => counts.clear(),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A client that talks only to `endpoint`, with fake credentials: no profile, no instance metadata. */
export function loopbackClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOOPBACKTEST', secretAccessKey: 'loopback-test-secret' },
    maxAttempts: 2,
  });
}

/** Creates `tableName` on the server (idempotent). */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = loopbackClient(endpoint);
  try {
    await createTable({ client, tableName, waitMs: 10_000 });
  } finally {
    client.destroy();
  }
}
