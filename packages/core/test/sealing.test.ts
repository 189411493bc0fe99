import { inspect } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  DecryptionError,
  clientSecretKey,
  createRecordSealer,
  generateEncryptionKey,
  storeKey,
} from '../src/index.js';
import type { RecordSealer } from '../src/index.js';
import { passphraseCacheInternals } from '../src/sealing/passphrase-cache.js';

const KEY = storeKey('amzn1.application-oa2-client.test', 'default');
const OTHER_KEY = storeKey('amzn1.application-oa2-client.test', 'other');
const CLIENT_SECRET = 'amzn1.oa2-cs.v1.client-secret-5f1d0c7e9a';
const PASSPHRASE = 'correct horse battery staple passphrase 7c4e';
const RAW_A = generateEncryptionKey();
const RAW_B = generateEncryptionKey();
const RECORD = JSON.stringify({
  accessToken: 'Atza|IwEBIaccess-token-value-0123456789',
  refreshToken: 'Atzr|IwEBIrefresh-token-value-9876543210',
  expiresAt: 1_700_000_000_000,
});
// Fast passphrase keys for tests that derive many times; the default count is covered separately.
const FAST = 100_000;

function keyIdOf(data: string): string {
  return data.split('.')[2]!;
}

async function openError(sealer: RecordSealer, key: string, data: string): Promise<DecryptionError> {
  const error: unknown = await sealer.open(key, data).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DecryptionError);
  return error as DecryptionError;
}

function b64urlChar(c: string): string {
  return c === 'A' ? 'B' : 'A';
}

beforeEach(() => passphraseCacheInternals.reset());

describe('createRecordSealer round trip', () => {
  it('seals and opens with a raw key given as base64, url-safe base64 or bytes', async () => {
    const bytes = Uint8Array.from(atob(RAW_A), (c) => c.charCodeAt(0));
    const urlSafe = RAW_A.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const sealers = [
      createRecordSealer({ encryptionKey: { raw: RAW_A }, clientSecret: CLIENT_SECRET }),
      createRecordSealer({ encryptionKey: { raw: `${urlSafe}\n` }, clientSecret: CLIENT_SECRET }),
      createRecordSealer({ encryptionKey: { raw: bytes }, clientSecret: CLIENT_SECRET }),
    ];
    for (const sealer of sealers) {
      const sealed = await sealer.seal(KEY, RECORD);
      expect(sealed).toMatch(/^ats1\.h\.[A-Za-z0-9_-]{11}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
      for (const other of sealers) expect(await other.open(KEY, sealed)).toBe(RECORD);
    }
  });

  it('seals and opens with a passphrase, the client-secret default, and any text', async () => {
    const texts = ['', 'ü€😀 \n\u0000', RECORD, 'x'.repeat(100_000)];
    for (const sealer of [
      createRecordSealer({ encryptionKey: { passphrase: PASSPHRASE }, clientSecret: CLIENT_SECRET }),
      createRecordSealer({ clientSecret: CLIENT_SECRET }),
    ]) {
      for (const text of texts) expect(await sealer.open(KEY, await sealer.seal(KEY, text))).toBe(text);
    }
    const sealed = await createRecordSealer({ encryptionKey: { passphrase: PASSPHRASE }, clientSecret: CLIENT_SECRET }).seal(KEY, RECORD);
    expect(sealed).toMatch(/^ats1\.p\.[A-Za-z0-9_-]{11}\.600000\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
  });

  it('never shows the plaintext, and seals the same text differently each time', async () => {
    const sealer = createRecordSealer({ clientSecret: CLIENT_SECRET });
    const a = await sealer.seal(KEY, RECORD);
    const b = await sealer.seal(KEY, RECORD);
    expect(a).not.toBe(b);
    for (const sealed of [a, b]) {
      expect(sealed).not.toContain('Atza|');
      expect(sealed).not.toContain('Atzr|');
      expect(sealed).not.toContain('access-token-value');
      expect(sealed).not.toContain(btoa(RECORD).slice(0, 20));
    }
  });

  it('uses the client-secret key when no encryptionKey is given, the same as clientSecretKey()', async () => {
    const byDefault = createRecordSealer({ clientSecret: CLIENT_SECRET });
    const explicit = createRecordSealer({ encryptionKey: clientSecretKey(CLIENT_SECRET), clientSecret: 'unused' });
    const sealed = await byDefault.seal(KEY, RECORD);
    expect(await explicit.open(KEY, sealed)).toBe(RECORD);
    expect(keyIdOf(await explicit.seal(KEY, RECORD))).toBe(keyIdOf(sealed));
    // The same bytes as a raw key make a different key: each kind has its own labels.
    const secret32 = 'abcdefghijklmnopqrstuvwxyz012345';
    const asSecret = await createRecordSealer({ clientSecret: secret32 }).seal(KEY, RECORD);
    const asRaw = createRecordSealer({ encryptionKey: { raw: new TextEncoder().encode(secret32) }, clientSecret: 'x' });
    expect(keyIdOf(await asRaw.seal(KEY, RECORD))).not.toBe(keyIdOf(asSecret));
    await openError(asRaw, KEY, asSecret);
  });
});

describe('what does not open', () => {
  it('a record moved to another store key', async () => {
    const sealer = createRecordSealer({ encryptionKey: { raw: RAW_A }, clientSecret: CLIENT_SECRET });
    const sealed = await sealer.seal(KEY, RECORD);
    const error = await openError(sealer, OTHER_KEY, sealed);
    expect(error.code).toBe('DECRYPTION_FAILED');
    expect(error.keyId).toBe(keyIdOf(sealed));
    expect(error.message).toContain(keyIdOf(sealed));
    const passphrase = createRecordSealer({ encryptionKey: { passphrase: PASSPHRASE, iterations: FAST }, clientSecret: CLIENT_SECRET });
    await openError(passphrase, OTHER_KEY, await passphrase.seal(KEY, RECORD));
  });

  it('a record sealed with another key, naming the key id of the record', async () => {
    const a = createRecordSealer({ encryptionKey: { raw: RAW_A }, clientSecret: CLIENT_SECRET });
    const b = createRecordSealer({ encryptionKey: { raw: RAW_B }, clientSecret: CLIENT_SECRET });
    const sealed = await a.seal(KEY, RECORD);
    const error = await openError(b, KEY, sealed);
    expect(error.keyId).toBe(keyIdOf(sealed));
    expect(error.message).toContain(`key id ${keyIdOf(sealed)}`);
    const p1 = createRecordSealer({ encryptionKey: { passphrase: PASSPHRASE, iterations: FAST }, clientSecret: CLIENT_SECRET });
    const p2 = createRecordSealer({ encryptionKey: { passphrase: `${PASSPHRASE}!`, iterations: FAST }, clientSecret: CLIENT_SECRET });
    const sealedP = await p1.seal(KEY, RECORD);
    const errorP = await openError(p2, KEY, sealedP);
    expect(errorP.keyId).toBe(keyIdOf(sealedP));
    // A raw-key sealer cannot open a passphrase record and the other way round.
    expect((await openError(a, KEY, sealedP)).keyId).toBe(keyIdOf(sealedP));
    expect((await openError(p1, KEY, sealed)).keyId).toBe(keyIdOf(sealed));
  });

  it('a record with any field changed, or truncated', async () => {
    const raw = createRecordSealer({ encryptionKey: [{ raw: RAW_A }, { raw: RAW_B }], clientSecret: CLIENT_SECRET });
    const pass = createRecordSealer({ encryptionKey: { passphrase: PASSPHRASE, iterations: FAST }, clientSecret: CLIENT_SECRET });
    const otherKid = keyIdOf(await createRecordSealer({ encryptionKey: { raw: RAW_B }, clientSecret: 'x' }).seal(KEY, ''));
    for (const sealer of [raw, pass]) {
      const sealed = await sealer.seal(KEY, RECORD);
      const parts = sealed.split('.');
      const variants: string[] = [];
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i]!;
        for (const at of [0, Math.floor(part.length / 2), part.length - 1]) {
          const changed = [...parts];
          changed[i] = part.slice(0, at) + b64urlChar(part[at]!) + part.slice(at + 1);
          variants.push(changed.join('.'));
        }
      }
      variants.push(sealed.replace(keyIdOf(sealed), otherKid));
      variants.push(sealed.replace('.h.', '.p.'), sealed.replace('.p.', '.h.'), sealed.replace('.600000.', '.100001.'));
      variants.push(sealed.replace(`.${FAST}.`, `.${FAST + 1}.`), sealed.replace(`.${FAST}.`, `.0${FAST}.`));
      for (let n = 0; n < sealed.length; n += 7) variants.push(sealed.slice(0, n));
      variants.push(sealed.slice(0, -1), `${sealed}A`, `${sealed}.`, `${sealed}.AAAA`, sealed.replace(/\.([^.]+)$/, '.$1AAAA'));
      for (const variant of new Set(variants)) {
        if (variant === sealed) continue;
        await openError(sealer, KEY, variant);
      }
      expect(await sealer.open(KEY, sealed)).toBe(RECORD);
    }
  });

  it('foreign formats, with no key id', async () => {
    const sealer = createRecordSealer({ clientSecret: CLIENT_SECRET });
    const foreign = [
      '',
      '{}',
      'plain',
      RECORD,
      'gAAAAABnXb1o2Q0YgpbWzUeQf3oJbq6kR0wqxP2z0M3lS8Kjz3wF2XQk9vO1fH6d5kQ7m7ZfRk3Yw5Ty9vZ8Z0O_L8jH3lXq1n0Qq2tRZ5yU=',
      'ats1',
      'ats1.',
      'ats1.h',
      'ATS1.h.AAAAAAAAAAA.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA',
    ];
    for (const data of foreign) {
      const error = await openError(sealer, KEY, data);
      expect(error.keyId).toBeUndefined();
      expect(error.code).toBe('DECRYPTION_FAILED');
    }
    const unknownKind = await openError(sealer, KEY, 'ats1.x.AAAAAAAAAAA.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA');
    expect(unknownKind.message).toContain('malformed');
    const future = await openError(sealer, KEY, 'ats2.z.whatever');
    expect(future.message).toContain('ats2');
  });
});

describe('key rotation', () => {
  it('opens records of an old key in the list and seals with the first', async () => {
    const old = createRecordSealer({ encryptionKey: { raw: RAW_A }, clientSecret: CLIENT_SECRET });
    const oldRecord = await old.seal(KEY, RECORD);
    const rotated = createRecordSealer({ encryptionKey: [{ raw: RAW_B }, { raw: RAW_A }], clientSecret: CLIENT_SECRET });
    expect(await rotated.open(KEY, oldRecord)).toBe(RECORD);
    const newRecord = await rotated.seal(KEY, RECORD);
    expect(keyIdOf(newRecord)).not.toBe(keyIdOf(oldRecord));
    const onlyNew = createRecordSealer({ encryptionKey: { raw: RAW_B }, clientSecret: CLIENT_SECRET });
    expect(await onlyNew.open(KEY, newRecord)).toBe(RECORD);
    expect((await openError(onlyNew, KEY, oldRecord)).keyId).toBe(keyIdOf(oldRecord));
  });

  it('moves from a passphrase or an old client secret to a new key', async () => {
    const pass = createRecordSealer({ encryptionKey: { passphrase: PASSPHRASE, iterations: FAST }, clientSecret: CLIENT_SECRET });
    const oldSecret = createRecordSealer({ clientSecret: CLIENT_SECRET });
    const fromPass = await pass.seal(KEY, 'p');
    const fromSecret = await oldSecret.seal(KEY, 's');
    const rotated = createRecordSealer({
      encryptionKey: [clientSecretKey('new-client-secret'), { passphrase: PASSPHRASE, iterations: FAST }, clientSecretKey(CLIENT_SECRET)],
      clientSecret: 'new-client-secret',
    });
    expect(await rotated.open(KEY, fromPass)).toBe('p');
    expect(await rotated.open(KEY, fromSecret)).toBe('s');
    const fresh = await rotated.seal(KEY, 'n');
    expect(await createRecordSealer({ clientSecret: 'new-client-secret' }).open(KEY, fresh)).toBe('n');
    await openError(oldSecret, KEY, fresh);
  });
});

describe('passphrase derivation', () => {
  it('runs PBKDF2 once per process for sealing, shared by every sealer with that passphrase', async () => {
    const a = createRecordSealer({ encryptionKey: { passphrase: PASSPHRASE }, clientSecret: CLIENT_SECRET });
    const b = createRecordSealer({ encryptionKey: [{ passphrase: PASSPHRASE }], clientSecret: 'other' });
    const sealed = await Promise.all([a.seal(KEY, '1'), a.seal(KEY, '2'), b.seal(KEY, '3')]);
    sealed.push(await a.seal(OTHER_KEY, '4'));
    expect(passphraseCacheInternals.derivations()).toBe(1);
    expect(new Set(sealed.map((s) => s.split('.')[4])).size).toBe(1);
    expect(await b.open(KEY, sealed[0])).toBe('1');
    expect(passphraseCacheInternals.derivations()).toBe(1);
  });

  it('derives once for a record with another salt, and seals with the salt of the first record it opened', async () => {
    const options = { encryptionKey: { passphrase: PASSPHRASE, iterations: FAST }, clientSecret: CLIENT_SECRET };
    const first = await createRecordSealer(options).seal(KEY, 'first');
    passphraseCacheInternals.reset(); // as if in another process
    const second = await createRecordSealer(options).seal(KEY, 'second');
    const saltOf = (s: string): string => s.split('.')[4]!;
    expect(saltOf(first)).not.toBe(saltOf(second));
    const sealer = createRecordSealer(options);
    expect(await sealer.open(KEY, first)).toBe('first');
    expect(await sealer.open(KEY, first)).toBe('first');
    expect(await sealer.open(KEY, second)).toBe('second');
    expect(passphraseCacheInternals.derivations()).toBe(2);

    passphraseCacheInternals.reset();
    const fresh = createRecordSealer(options);
    expect(await fresh.open(KEY, first)).toBe('first');
    expect(saltOf(await fresh.seal(KEY, 'third'))).toBe(saltOf(first));
    expect(passphraseCacheInternals.derivations()).toBe(1);
  });

  it('key ids of passphrase keys are no plain hash of the passphrase', async () => {
    const options = { encryptionKey: { passphrase: PASSPHRASE, iterations: FAST }, clientSecret: CLIENT_SECRET };
    const first = await createRecordSealer(options).seal(KEY, '');
    passphraseCacheInternals.reset();
    const second = await createRecordSealer(options).seal(KEY, '');
    // The id depends on the PBKDF2 output (so on the salt), never on the passphrase alone.
    expect(keyIdOf(first)).not.toBe(keyIdOf(second));
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(PASSPHRASE)));
    const plain = btoa(String.fromCharCode(...digest.subarray(0, 8))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect([keyIdOf(first), keyIdOf(second)]).not.toContain(plain);
  });
});

describe('configuration', () => {
  const bad: unknown[] = [
    { raw: btoa('x'.repeat(31)) },
    { raw: btoa('x'.repeat(33)) },
    { raw: new Uint8Array(16) },
    { raw: 'not base64 at all!' },
    { raw: 42 },
    { passphrase: '' },
    { passphrase: PASSPHRASE, iterations: 1000 },
    { passphrase: PASSPHRASE, iterations: 1.5 },
    { passphrase: PASSPHRASE, iterations: 20_000_000 },
    { clientSecret: '' },
    { raw: RAW_A, passphrase: PASSPHRASE },
    {},
    [],
    [{ raw: RAW_A }, { passphrase: '' }],
    null,
    'a string',
  ];

  it('throws ConfigurationError synchronously for bad keys', () => {
    for (const encryptionKey of bad) {
      expect(() => createRecordSealer({ encryptionKey: encryptionKey as never, clientSecret: CLIENT_SECRET })).toThrow(ConfigurationError);
    }
    expect(() => createRecordSealer({ clientSecret: '' })).toThrow(ConfigurationError);
    expect(() => clientSecretKey('')).toThrow(ConfigurationError);
    expect(() => createRecordSealer({ encryptionKey: { passphrase: PASSPHRASE, iterations: 100_000 }, clientSecret: '' })).not.toThrow();
  });

  it('generateEncryptionKey makes distinct base64 keys of 32 bytes', () => {
    const keys = new Set(Array.from({ length: 20 }, () => generateEncryptionKey()));
    expect(keys.size).toBe(20);
    for (const key of keys) {
      expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(atob(key)).toHaveLength(32);
    }
  });
});

describe('secret hygiene', () => {
  it('no passphrase, raw key or client secret in errors, JSON or inspect output', async () => {
    const secrets = [PASSPHRASE, RAW_A, RAW_B, CLIENT_SECRET, 'old-client-secret-4242'];
    const shown: string[] = [];
    const show = (value: unknown): void => {
      shown.push(JSON.stringify(value) ?? '', inspect(value, { showHidden: true, depth: 10, getters: true }), String(value));
      if (value instanceof Error) shown.push(value.message, value.stack ?? '');
    };
    const sealer = createRecordSealer({
      encryptionKey: [{ raw: RAW_A }, { passphrase: PASSPHRASE, iterations: FAST }, clientSecretKey('old-client-secret-4242')],
      clientSecret: CLIENT_SECRET,
    });
    const byDefault = createRecordSealer({ clientSecret: CLIENT_SECRET });
    show(sealer);
    show(byDefault);
    show(clientSecretKey('old-client-secret-4242'));
    const sealed = [await sealer.seal(KEY, RECORD), await byDefault.seal(KEY, RECORD)];
    shown.push(...sealed);
    show(await openError(byDefault, KEY, sealed[0]!));
    show(await openError(sealer, OTHER_KEY, sealed[0]!));
    show(await openError(sealer, KEY, `${sealed[1]!.slice(0, -2)}AA`));
    for (const encryptionKey of [{ raw: `${RAW_A}${RAW_B}` }, { raw: RAW_A.slice(0, 40) }, { raw: PASSPHRASE }, { passphrase: PASSPHRASE, iterations: 1 }]) {
      try {
        createRecordSealer({ encryptionKey, clientSecret: CLIENT_SECRET });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        show(error);
      }
    }
    expect(inspect(sealer)).toContain('AES-256-GCM');
    const all = shown.join('\n');
    for (const secret of secrets) {
      expect(all).not.toContain(secret);
      expect(all).not.toContain(secret.slice(0, 12));
    }
    expect(all).not.toContain('Atza|');
  });
});
