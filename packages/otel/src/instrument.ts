import type { TokenEvent } from '@ads-token/core';
import { metrics, trace } from '@opentelemetry/api';
import { EventMetrics } from './event-metrics.js';
import { GrantGauges, grantReader } from './grant-gauges.js';
import type { InstrumentOptions, InstrumentTarget, Instrumentation } from './instrument-options.js';
import { SCOPE_NAME } from './names.js';
import { RefreshSpans } from './refresh-spans.js';

/**
 * Records OpenTelemetry metrics and spans for a `TokenManager` (or any target with `addListener`,
 * and `getTokenInfo()` or `status()` for the per-grant gauges), on the given providers or the
 * global ones. Returns a handle whose `close()` stops recording.
 */
export function instrument(target: InstrumentTarget, options: InstrumentOptions = {}): Instrumentation {
  if (typeof target?.addListener !== 'function') throw new TypeError('instrument needs a target with addListener (a TokenManager or a TokenPool)');
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE_NAME);
  const eventMetrics = new EventMetrics(meter);
  const spans = options.spans === false ? undefined : new RefreshSpans((options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE_NAME));
  const read = options.perGrantGauges === false ? undefined : grantReader(target);
  const gauges = read === undefined ? undefined : new GrantGauges(meter, read);
  const remove = target.addListener((event: TokenEvent) => {
    eventMetrics.record(event);
    spans?.record(event);
  });
  let closed = false;
  return {
    close() {
      if (closed) return;
      closed = true;
      remove();
      gauges?.close();
    },
  };
}
