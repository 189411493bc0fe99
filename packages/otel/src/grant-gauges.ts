import type { BatchObservableCallback, Meter, ObservableGauge } from '@opentelemetry/api';
import type { GrantInfo, InstrumentTarget } from './instrument-options.js';
import { ATTRIBUTE_NAMES as A, METRIC_NAMES as M } from './names.js';

/** How the gauges read the grants: `status()` when the target has it, else `getTokenInfo()`. */
export function grantReader(target: InstrumentTarget): (() => Promise<readonly GrantInfo[]>) | undefined {
  const { status, getTokenInfo } = target;
  if (typeof status === 'function') return () => status.call(target);
  if (typeof getTokenInfo === 'function') return async () => [await getTokenInfo.call(target)];
  return undefined;
}

/** The per-grant observable gauges: seconds until expiry, consent age, revoked. One read per collection. */
export class GrantGauges {
  readonly #meter: Meter;
  readonly #gauges: ObservableGauge[];
  readonly #callback: BatchObservableCallback;

  /** Registers the gauges on `meter`; `read` yields the grants on each collection. */
  constructor(meter: Meter, read: () => Promise<readonly GrantInfo[]>, now: () => number = Date.now) {
    this.#meter = meter;
    const expiresIn = meter.createObservableGauge(M.expiresIn, { description: 'Seconds until the stored access token expires (0 when expired or absent)', unit: 's' });
    const consentAge = meter.createObservableGauge(M.consentAge, { description: 'Seconds since the advertiser consented', unit: 's' });
    const revoked = meter.createObservableGauge(M.revoked, { description: '1 when the grant is revoked and needs a new consent, else 0' });
    this.#gauges = [expiresIn, consentAge, revoked];
    this.#callback = async (result) => {
      let grants: readonly GrantInfo[];
      try {
        grants = await read();
      } catch {
        return; // a store that cannot be read yields no observation, not a failed collection
      }
      for (const info of grants) {
        const attributes = { [A.grantId]: info.grantId };
        result.observe(expiresIn, info.expiresInSeconds, attributes);
        result.observe(revoked, info.status === 'revoked' ? 1 : 0, attributes);
        if (info.consentedAt !== undefined) result.observe(consentAge, Math.max(0, Math.floor((now() - info.consentedAt.getTime()) / 1000)), attributes);
      }
    };
    meter.addBatchObservableCallback(this.#callback, this.#gauges);
  }

  /** Stops observing. */
  close(): void {
    this.#meter.removeBatchObservableCallback(this.#callback, this.#gauges);
  }
}
