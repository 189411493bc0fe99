// Cost of sealing and opening one token record, next to a JSON.stringify/parse baseline measured
// in the same run. Run with `pnpm --filter @ads-token/core bench` after a build.
import { createRecordSealer, generateEncryptionKey, storeKey } from '../dist/index.js';

const KEY = storeKey('amzn1.application-oa2-client.bench', 'default');
const record = {
  accessToken: `Atza|${'a'.repeat(380)}`,
  refreshToken: `Atzr|${'r'.repeat(380)}`,
  expiresAt: Date.now() + 3_600_000,
  consentedAt: Date.now(),
  grantId: 'default',
};
const text = JSON.stringify(record);
const MIN_MS = 1000;

async function measure(name, fn) {
  for (let i = 0; i < 50; i++) await fn(); // warm up
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < MIN_MS) {
    for (let i = 0; i < 100; i++) await fn();
    ops += 100;
    elapsed = performance.now() - start;
  }
  return { name, opsPerSec: (ops / elapsed) * 1000, usPerOp: (elapsed * 1000) / ops };
}

const rows = [];
rows.push(await measure('baseline JSON.stringify+parse', async () => JSON.parse(JSON.stringify(record))));
const baseline = rows[0].usPerOp;

const sealers = {
  raw: createRecordSealer({ encryptionKey: { raw: generateEncryptionKey() }, clientSecret: 'unused' }),
  'client secret (default)': createRecordSealer({ clientSecret: 'amzn1.oa2-cs.v1.bench-secret' }),
  'passphrase (600k, cached)': createRecordSealer({ encryptionKey: { passphrase: 'bench passphrase' }, clientSecret: 'unused' }),
};

let firstDerivationMs = 0;
for (const [kind, sealer] of Object.entries(sealers)) {
  const t0 = performance.now();
  const sealed = await sealer.seal(KEY, text);
  if (kind.startsWith('passphrase')) firstDerivationMs = performance.now() - t0;
  rows.push(await measure(`seal ${kind}`, () => sealer.seal(KEY, text)));
  rows.push(await measure(`open ${kind}`, () => sealer.open(KEY, sealed)));
}

console.log(`record: ${text.length} characters of JSON; sealed: ${(await sealers.raw.seal(KEY, text)).length} characters`);
console.log('operation'.padEnd(40), 'ops/sec'.padStart(12), 'µs/op'.padStart(10), 'x baseline'.padStart(12));
for (const row of rows) {
  console.log(
    row.name.padEnd(40),
    row.opsPerSec.toFixed(0).padStart(12),
    row.usPerOp.toFixed(1).padStart(10),
    (row.usPerOp / baseline).toFixed(1).padStart(12),
  );
}
console.log(`first PBKDF2-SHA256 derivation (600000 iterations, once per process and salt): ${firstDerivationMs.toFixed(0)} ms`);
