// The smoke test every runtime runs: core and FetchHttpClient from their built dist, against a
// Login with Amazon simulator reached over loopback. Only web platform globals are used here.
import {
  MIN_PASSPHRASE_ITERATIONS,
  MemoryTokenStore,
  TokenManager,
  clientSecretKey,
  createRecordSealer,
  storeKey,
} from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';

/** Which runtime runs this code, as the runtime itself says. */
export function runtimeName() {
  const g = globalThis;
  if (typeof g.Deno?.version?.deno === 'string') return `deno ${g.Deno.version.deno}`;
  if (typeof g.Bun?.version === 'string') return `bun ${g.Bun.version}`;
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return 'workerd';
  if (typeof g.process?.versions?.node === 'string') return `node ${g.process.versions.node}`;
  return 'unknown';
}

/** The runtime's own inspection of `value` (Deno.inspect, Bun.inspect, node:util inspect), else JSON. */
function inspectWithRuntime(value) {
  const g = globalThis;
  if (typeof g.Deno?.inspect === 'function') return g.Deno.inspect(value, { depth: 8, showHidden: true });
  if (typeof g.Bun?.inspect === 'function') return g.Bun.inspect(value, { depth: 8 });
  const util = g.process?.getBuiltinModule?.('node:util');
  if (util !== undefined) return util.inspect(value, { depth: 8, showHidden: true });
  return JSON.stringify(value);
}

async function caught(promise) {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error;
  }
}

async function errorCode(promise) {
  try {
    await promise;
    return 'none';
  } catch (error) {
    return `${error?.name}:${error?.code}`;
  }
}

/**
 * Exchanges `code`, reads the access token, forces one refresh, then checks the sealed record and
 * a sealing round trip. Returns what the test checks against the simulator.
 * @param {{ tokenUrl: string, clientId: string, clientSecret: string, code: string, backgroundRefresh?: boolean }} config
 */
export async function runSmoke(config) {
  const { tokenUrl, clientId, clientSecret, code } = config;
  const store = new MemoryTokenStore();
  const manager = new TokenManager({
    clientId,
    clientSecret,
    http: new FetchHttpClient({ timeoutMs: 10_000 }),
    store,
    endpoints: { tokenUrl },
    backgroundRefresh: config.backgroundRefresh ?? true,
  });
  try {
    const info = await manager.authenticateWithCode(code);
    const accessToken = await manager.getAccessToken();
    const refreshedAccessToken = await manager.refreshAccessToken();
    const currentAccessToken = await manager.getAccessToken();

    const key = storeKey(clientId, 'default');
    const keys = [];
    for await (const k of store.list('')) keys.push(k);
    const record = await store.get(key);
    if (record === undefined) throw new Error(`no record under the grant's store key; keys: ${keys.length}`);

    const sealer = createRecordSealer({ clientSecret });
    const opened = await sealer.open(key, record.data);
    const plaintext = `ads-token smoke on ${runtimeName()}`;
    const sealed = await sealer.seal(key, plaintext);
    const reopened = await sealer.open(key, sealed);
    const movedRecord = await errorCode(sealer.open(storeKey(clientId, 'another-grant'), sealed));
    const wrongKey = await errorCode(createRecordSealer({ clientSecret: `${clientSecret}-other` }).open(key, sealed));

    const passphraseSealer = createRecordSealer({
      clientSecret,
      encryptionKey: { passphrase: 'smoke passphrase', iterations: MIN_PASSPHRASE_ITERATIONS },
    });
    const passphraseSealed = await passphraseSealer.seal(key, plaintext);
    const passphraseReopened = await passphraseSealer.open(key, passphraseSealed);

    // Everything that holds a secret, as this runtime shows it and as JSON.
    const shown = {
      manager,
      sealer,
      passphraseSealer,
      key: clientSecretKey(clientSecret),
      errors: [
        await caught(createRecordSealer({ clientSecret: `${clientSecret}-other` }).open(key, record.data)),
        await caught(passphraseSealer.open(storeKey(clientId, 'another-grant'), passphraseSealed)),
      ],
    };
    const inspected = `${inspectWithRuntime(shown)}\n${JSON.stringify(shown)}\n${shown.errors.map((e) => String(e?.stack)).join('\n')}`;

    return {
      runtime: runtimeName(),
      hasRefreshToken: info.hasRefreshToken,
      accessToken,
      refreshedAccessToken,
      currentAccessToken,
      storeKeys: keys,
      storedData: record.data,
      storedRecordOpens: opened.includes(refreshedAccessToken),
      sealed,
      sealRoundTrip: reopened === plaintext,
      movedRecord,
      wrongKey,
      passphraseSealed,
      passphraseRoundTrip: passphraseReopened === plaintext,
      inspected,
    };
  } finally {
    await manager.close();
  }
}

/** A failure as plain JSON: name, code and message (core's messages never hold a secret). */
export function describeError(error) {
  return { name: error?.name, code: error?.code, message: String(error?.message ?? error) };
}
