import { MemoryTokenStore, TokenManager, type TokenEvent, type TokenManagerOptions } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { LwaSimulator, type LwaSimulatorOptions } from '@ads-token/testing';

/** A simulator, an HTTP client and a factory of managers that share one store; stop() ends them all. */
export interface Harness {
  lwa: LwaSimulator;
  http: FetchHttpClient;
  store: MemoryTokenStore;
  events: TokenEvent[];
  manager(options?: Partial<TokenManagerOptions>): TokenManager;
  stop(): Promise<void>;
}

export async function startHarness(options: LwaSimulatorOptions = {}): Promise<Harness> {
  const lwa = await LwaSimulator.start(options);
  const http = new FetchHttpClient({ timeoutMs: 5000 });
  const store = new MemoryTokenStore();
  const events: TokenEvent[] = [];
  const managers: TokenManager[] = [];
  return {
    lwa,
    http,
    store,
    events,
    manager(extra = {}) {
      const m = new TokenManager({
        clientId: lwa.clientId,
        clientSecret: lwa.clientSecret,
        http,
        store,
        endpoints: { tokenUrl: lwa.tokenUrl, authorizationUrl: lwa.authorizationUrl },
        retry: { baseDelayMs: 5, maxDelayMs: 50 },
        onEvent: (e) => events.push(e),
        ...extra,
      });
      managers.push(m);
      return m;
    },
    async stop() {
      await Promise.all(managers.map((m) => m.close()));
      await lwa.stop();
    },
  };
}

/** Follows the simulator's consent page and returns the URL it redirected to. */
export async function consent(url: string): Promise<string> {
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || location === null) throw new Error(`consent answered ${response.status}`);
  return location;
}
