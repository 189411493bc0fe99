import type { TokenEvent, TokenEventListener, TokenManager } from '@ads-token/core';
import { instrument, type Instrumentation } from '@ads-token/otel';
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';

/**
 * `pnpm demo --metrics`: the fleet's events, relayed from every worker over IPC, recorded by
 * `@ads-token/otel` on one MeterProvider (the gauges read the shared store through the demo's own
 * manager), printed at the end through the OpenTelemetry console exporter.
 */
export class FleetMetrics {
  readonly #listeners = new Set<TokenEventListener>();
  readonly #provider: MeterProvider;
  readonly #instrumentation: Instrumentation;

  /** Starts recording; `manager` is the demo's own manager of the grant (for the gauges). */
  constructor(manager: TokenManager) {
    const reader = new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter(), exportIntervalMillis: 3_600_000 });
    this.#provider = new MeterProvider({ readers: [reader] });
    const fleet = {
      addListener: (listener: TokenEventListener) => {
        this.#listeners.add(listener);
        return () => {
          this.#listeners.delete(listener);
        };
      },
      getTokenInfo: () => manager.getTokenInfo(),
    };
    this.#instrumentation = instrument(fleet, { meterProvider: this.#provider, spans: false });
  }

  /** Records one event a worker relayed. */
  record(event: TokenEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  /** Exports what was recorded through the console exporter (to stdout), once, and stops. */
  async print(): Promise<void> {
    await this.#provider.shutdown(); // the reader's last collection and export
    this.#instrumentation.close();
  }

  /** Stops without printing. */
  async discard(): Promise<void> {
    this.#instrumentation.close();
    await this.#provider.shutdown().catch(() => undefined);
  }
}
