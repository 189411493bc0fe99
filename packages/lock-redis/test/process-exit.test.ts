import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../redis-common/test/redis-server.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

it('a held lease never keeps the process alive (renewal timers are unreferenced)', async () => {
  const script = fileURLToPath(new URL('./fixtures/hold-and-exit.mjs', import.meta.url));
  const child = spawn(process.execPath, [script], { env: { ...process.env, REDIS_PORT: String(redis.port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('still running after 15 s');
    }, 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code ?? 'killed');
    });
  });
  expect(out).toContain('held');
  expect(err).toBe('');
  expect(exit).toBe(0);
  // The lease was never released: it is still in Redis, waiting to expire.
  expect(Number(await redis.cli('PTTL', 'refresh:exit-test'))).toBeGreaterThan(0);
}, 30_000);
