import type { Options, TokenEventListener, TokenInfo } from '@ads-token/core';
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';

/** One grant as the per-grant gauges read it: a `TokenInfo`, or a `TokenPool`'s `GrantStatus` (whose status may also be `unreadable`). */
export type GrantInfo = Omit<TokenInfo, 'status'> & { status: TokenInfo['status'] | 'unreadable' };

/**
 * What `instrument` can observe: anything with `addListener` (a `TokenManager` or a `TokenPool`),
 * and for the per-grant gauges something that yields grant infos: `getTokenInfo()` (a manager's
 * one grant) or `status()` (a pool's every stored grant).
 */
export interface InstrumentTarget {
  /** Adds an event listener; returns its remover. */
  addListener(listener: TokenEventListener): () => void;
  /** Status of the one grant (a `TokenManager`'s). */
  getTokenInfo?: (options?: Options) => Promise<TokenInfo>;
  /** Status of every grant the target holds. Used instead of `getTokenInfo` when present. */
  status?: (options?: Options) => Promise<readonly GrantInfo[]>;
}

/** Options of `instrument`. */
export interface InstrumentOptions {
  /** Where metrics go. @default the global provider (`metrics.getMeterProvider()`) */
  meterProvider?: MeterProvider;
  /** Where spans go. @default the global provider (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider;
  /**
   * Record the observable gauges (seconds until expiry, consent age, revoked) per grant, with the
   * grant id as an attribute. Each collection reads the store once (`getTokenInfo` or `status`).
   * Turn off for high-cardinality setups. @default true
   */
  perGrantGauges?: boolean;
  /** Record a span per refresh. @default true */
  spans?: boolean;
}

/** What `instrument` returns. */
export interface Instrumentation {
  /** Stops recording: removes the listener and the gauges' callback. Idempotent. */
  close(): void;
}
