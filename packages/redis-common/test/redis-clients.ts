// Opens node-redis or ioredis clients (standalone or Cluster) for tests and benches.
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';

/** Which client library and topology a test runs against. */
export type ClientKind = 'node-redis' | 'ioredis';

/** A connected client and how to close it. */
export interface OpenedClient {
  readonly client: object;
  close(): Promise<void>;
}

function ignore(): void {
  // Tests assert what callers see; connection errors surface there.
}

/** Opens a standalone client of `kind` to `port` on 127.0.0.1. */
export async function openClient(kind: ClientKind, port: number): Promise<OpenedClient> {
  if (kind === 'node-redis') {
    const client = createClient({
      socket: { host: '127.0.0.1', port, connectTimeout: 1000, reconnectStrategy: () => 100 },
      disableOfflineQueue: true,
    });
    client.on('error', ignore);
    await client.connect();
    return {
      client,
      close: async () => {
        client.destroy();
      },
    };
  }
  const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => 100 });
  client.on('error', ignore);
  await client.connect();
  return {
    client,
    close: async () => {
      client.disconnect();
    },
  };
}

/** Opens a Cluster client of `kind` given the masters' addresses. */
export async function openClusterClient(kind: ClientKind, rootNodes: { host: string; port: number }[]): Promise<OpenedClient> {
  if (kind === 'node-redis') {
    const cluster = createCluster({ rootNodes: rootNodes.map((n) => ({ socket: { host: n.host, port: n.port } })) });
    cluster.on('error', ignore);
    await cluster.connect();
    return {
      client: cluster,
      close: async () => {
        cluster.destroy();
      },
    };
  }
  const cluster = new Cluster(rootNodes, { lazyConnect: true });
  cluster.on('error', ignore);
  await cluster.connect();
  return {
    client: cluster,
    close: async () => {
      cluster.disconnect();
    },
  };
}
