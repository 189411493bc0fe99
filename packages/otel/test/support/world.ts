import { MemoryTokenStore, TokenManager, type HttpClient, type TokenEvent, type TokenManagerOptions } from '@ads-token/core';
import { FetchHttpClient } from '@ads-token/fetch-adapter';
import { LwaSimulator, type LwaSimulatorOptions } from '@ads-token/testing';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** A token-endpoint answer as the HTTP client saw it: what the simulator sent back. */
export interface SeenAnswer {
  status: number;
  requestId: string | undefined;
  /** Every token in the body (access and refresh). */
  tokens: string[];
}

/** The LWA simulator, managers on one store, and the real OpenTelemetry SDK with in-memory exporters. */
export interface World {
  lwa: LwaSimulator;
  store: MemoryTokenStore;
  events: TokenEvent[];
  answers: SeenAnswer[];
  meterProvider: MeterProvider;
  tracerProvider: BasicTracerProvider;
  manager(options?: Partial<TokenManagerOptions>): TokenManager;
  /** Collects and returns every metric recorded so far (cumulative). */
  collect(): Promise<MetricData[]>;
  spans(): ReadableSpan[];
  stop(): Promise<void>;
}

export async function startWorld(options: LwaSimulatorOptions = {}): Promise<World> {
  const lwa = await LwaSimulator.start(options);
  const inner = new FetchHttpClient({ timeoutMs: 5000 });
  const answers: SeenAnswer[] = [];
  const http: HttpClient = {
    async send(request) {
      const response = await inner.send(request);
      const tokens = [...response.body.matchAll(/"(?:access|refresh)_token"\s*:\s*"([^"]+)"/g)].map((m) => m[1]!);
      answers.push({ status: response.status, requestId: response.headers['x-amzn-requestid'], tokens });
      return response;
    },
  };
  const store = new MemoryTokenStore();
  const events: TokenEvent[] = [];
  const managers: TokenManager[] = [];
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  return {
    lwa,
    store,
    events,
    answers,
    meterProvider,
    tracerProvider,
    manager(extra = {}) {
      const manager = new TokenManager({
        clientId: lwa.clientId,
        clientSecret: lwa.clientSecret,
        http,
        store,
        endpoints: { tokenUrl: lwa.tokenUrl, authorizationUrl: lwa.authorizationUrl },
        retry: { baseDelayMs: 5, maxDelayMs: 50 },
        onEvent: (event) => events.push(event),
        ...extra,
      });
      managers.push(manager);
      return manager;
    },
    async collect() {
      metricExporter.reset();
      await reader.forceFlush();
      return metricExporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
    },
    spans: () => spanExporter.getFinishedSpans(),
    async stop() {
      await Promise.all(managers.map((m) => m.close()));
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
      await lwa.stop();
    },
  };
}

/** The data points of one metric (none when it was not recorded). */
export function points(metrics: MetricData[], name: string): { attributes: Record<string, unknown>; value: unknown }[] {
  return metrics.filter((m) => m.descriptor.name === name).flatMap((m): { attributes: Record<string, unknown>; value: unknown }[] => m.dataPoints);
}

/** The summed value of a counter's points whose attributes include `attributes`. */
export function counterValue(metrics: MetricData[], name: string, attributes: Record<string, unknown> = {}): number {
  let sum = 0;
  for (const m of metrics) {
    if (m.descriptor.name !== name || m.dataPointType !== DataPointType.SUM) continue;
    for (const p of m.dataPoints) {
      if (Object.entries(attributes).every(([k, v]) => p.attributes[k] === v)) sum += p.value;
    }
  }
  return sum;
}

/** How many values a histogram recorded whose attributes include `attributes`. */
export function histogramCount(metrics: MetricData[], name: string, attributes: Record<string, unknown> = {}): number {
  let count = 0;
  for (const m of metrics) {
    if (m.descriptor.name !== name || m.dataPointType !== DataPointType.HISTOGRAM) continue;
    for (const p of m.dataPoints) {
      if (Object.entries(attributes).every(([k, v]) => p.attributes[k] === v)) count += (p.value as { count: number }).count;
    }
  }
  return count;
}

/** The value of a gauge for one grant, or undefined. */
export function gaugeValue(metrics: MetricData[], name: string, grantId: string): number | undefined {
  const point = points(metrics, name).find((p) => p.attributes['ads_token.grant_id'] === grantId);
  return point?.value as number | undefined;
}

/** Fails when any attribute, span name, event or status message holds a token the simulator issued, a token-shaped string, or the client secret. */
export function secretsIn(text: string, world: World): string[] {
  const found: string[] = [];
  if (/Atz[ar]\|/.test(text)) found.push('a token-shaped string');
  if (text.includes(world.lwa.clientSecret)) found.push('the client secret');
  for (const answer of world.answers) for (const token of answer.tokens) if (text.includes(token)) found.push('an issued token');
  return found;
}
