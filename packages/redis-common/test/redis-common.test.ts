import { ConfigurationError, StoreUnavailableError } from '@ads-token/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RedisScript,
  SubscriptionHub,
  boundedOperation,
  checkKeyPrefix,
  detectRedisConnection,
  escapeGlob,
  runScript,
} from '../src/index.js';
import { openClient, openClusterClient, type ClientKind, type OpenedClient } from './redis-clients.js';
import { startRedis, startRedisCluster, type RedisCluster, type RedisServer } from './redis-server.js';

describe('boundedOperation', () => {
  it('turns a failure into StoreUnavailableError with the cause, and a hang into a timeout', async () => {
    const cause = new Error('ECONNREFUSED');
    const failed = (await boundedOperation('GET', { timeoutMs: 1000 }, () => Promise.reject(cause)).catch((e: unknown) => e)) as Error;
    expect(failed).toBeInstanceOf(StoreUnavailableError);
    expect(failed.cause).toBe(cause);
    const hung = await boundedOperation('GET', { timeoutMs: 20 }, () => new Promise(() => undefined)).catch((e: unknown) => e);
    expect(hung).toBeInstanceOf(StoreUnavailableError);
  });

  it("rejects with the caller's abort reason, and swallows the late failure", async () => {
    const controller = new AbortController();
    const reason = new Error('caller left');
    let fail: (error: unknown) => void = () => undefined;
    const pending = boundedOperation('GET', { timeoutMs: 5000, signal: controller.signal }, () => new Promise((_, reject) => (fail = reject)));
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    fail(new Error('late'));
  });
});

describe('key prefixes', () => {
  it('refuses braces and escapes glob characters', () => {
    expect(() => checkKeyPrefix('a{')).toThrow(ConfigurationError);
    expect(checkKeyPrefix(undefined)).toBe('');
    expect(escapeGlob('a*b?[c]\\')).toBe('a\\*b\\?\\[c\\]\\\\');
  });
});

for (const topology of ['standalone', 'cluster'] as const) {
  for (const kind of ['node-redis', 'ioredis'] as ClientKind[]) {
    describe(`RedisConnection over ${kind} (${topology})`, () => {
      let server: RedisServer | undefined;
      let cluster: RedisCluster | undefined;
      let opened: OpenedClient;
      beforeAll(async () => {
        if (topology === 'cluster') {
          cluster = await startRedisCluster();
          opened = await openClusterClient(kind, cluster.rootNodes);
        } else {
          server = await startRedis();
          opened = await openClient(kind, server.port);
        }
      }, 60_000);
      afterAll(async () => {
        await opened?.close();
        await server?.stop();
        await cluster?.stop();
      });

      it('detects the library and topology', () => {
        const connection = detectRedisConnection(opened.client);
        expect(connection.library).toBe(kind);
        expect(connection.isCluster).toBe(topology === 'cluster');
      });

      it('runs a script never loaded before (NOSCRIPT fallback), then by EVALSHA', async () => {
        const connection = detectRedisConnection(opened.client);
        const script = new RedisScript(`return redis.call('INCRBY', KEYS[1], ARGV[1]) -- ${kind} ${Math.random()}`);
        expect(Number(await runScript(connection, script, ['{t}:n'], ['2']))).toBe(2);
        expect(Number(await runScript(connection, script, ['{t}:n'], ['3']))).toBe(5);
      });

      it('scans keys on every master', async () => {
        const connection = detectRedisConnection(opened.client);
        const keys = Array.from({ length: 40 }, (_, i) => `scan:{k${i}}`);
        for (const key of keys) await connection.command(key, ['SET', key, '1']);
        const seen = new Set<string>();
        for await (const key of connection.scan(['MATCH', 'scan:*', 'COUNT', '10'])) seen.add(key);
        expect([...seen].sort()).toEqual([...keys].sort());
      });

      it('delivers messages to every listener of a channel over one subscriber connection', async () => {
        const connection = detectRedisConnection(opened.client);
        const hub = new SubscriptionHub(connection, 5000);
        let a = 0;
        let b = 0;
        const stopA = await hub.add('chan:{x}', () => void a++);
        const stopB = await hub.add('chan:{x}', () => void b++);
        await connection.command('chan:{x}', ['PUBLISH', 'chan:{x}', 'hi']);
        await expect.poll(() => a + b, { timeout: 5000 }).toBe(2);
        await stopA();
        await connection.command('chan:{x}', ['PUBLISH', 'chan:{x}', 'hi']);
        await expect.poll(() => b, { timeout: 5000 }).toBe(2);
        expect(a).toBe(1);
        await stopB();
        await hub.close();
        await expect(hub.add('chan:{x}', () => undefined)).rejects.toBeInstanceOf(StoreUnavailableError);
      });
    });
  }
}
