import { describe, expectTypeOf, it } from 'vitest';
import type { AdsTokenErrorCode, TokenEvent, TokenEventListener, TokenEventType, TokenManagerOptions } from '../src/index.js';

/**
 * The event schema is a public API. These checks are exact: adding, removing, renaming or
 * retyping a field fails `tsc` (the package's typecheck). Update docs/observability.md with them.
 */
type Of<T extends TokenEventType> = Extract<TokenEvent, { type: T }>;
/** The event as a plain object type, so interfaces and intersections compare equal. */
type Shape<T> = { [K in keyof T]: T[K] };
type Code = AdsTokenErrorCode | 'UNKNOWN';

describe('TokenEvent schema (types)', () => {
  it('has exactly these event types', () => {
    expectTypeOf<TokenEventType>().toEqualTypeOf<
      | 'refreshed'
      | 'refresh_failed'
      | 'retry'
      | 'revoked'
      | 'lock_waited'
      | 'lock_unavailable'
      | 'authenticated'
      | 'commit_pending'
      | 'commit_recovered'
      | 'record_unreadable'
      | 'cleared'
    >();
  });

  it('gives each event exactly these fields', () => {
    expectTypeOf<Shape<Of<'refreshed'>>>().toEqualTypeOf<{
      type: 'refreshed';
      grantId: string;
      at: number;
      source: 'lwa' | 'store';
      rotated: boolean;
      durationMs: number;
      requestId?: string;
      expiresInSeconds: number;
    }>();
    expectTypeOf<Shape<Of<'refresh_failed'>>>().toEqualTypeOf<{
      type: 'refresh_failed';
      grantId: string;
      at: number;
      code: Code;
      message: string;
      durationMs: number;
      requestId?: string;
      background: boolean;
    }>();
    expectTypeOf<Shape<Of<'retry'>>>().toEqualTypeOf<{
      type: 'retry';
      grantId: string;
      at: number;
      attempt: number;
      delayMs: number;
      status?: number;
      requestId?: string;
    }>();
    expectTypeOf<Shape<Of<'revoked'>>>().toEqualTypeOf<{
      type: 'revoked';
      grantId: string;
      at: number;
      description?: string;
      requestId?: string;
    }>();
    expectTypeOf<Shape<Of<'lock_waited'>>>().toEqualTypeOf<{ type: 'lock_waited'; grantId: string; at: number; waitedMs: number }>();
    expectTypeOf<Shape<Of<'lock_unavailable'>>>().toEqualTypeOf<{ type: 'lock_unavailable'; grantId: string; at: number; message: string }>();
    expectTypeOf<Shape<Of<'authenticated'>>>().toEqualTypeOf<{
      type: 'authenticated';
      grantId: string;
      at: number;
      method: 'code' | 'refresh_token';
      requestId?: string;
    }>();
    expectTypeOf<Shape<Of<'commit_pending'>>>().toEqualTypeOf<{
      type: 'commit_pending';
      grantId: string;
      at: number;
      code: Code;
      message: string;
      attempt: number;
    }>();
    expectTypeOf<Shape<Of<'commit_recovered'>>>().toEqualTypeOf<{
      type: 'commit_recovered';
      grantId: string;
      at: number;
      attempts: number;
      pendingMs: number;
    }>();
    expectTypeOf<Shape<Of<'record_unreadable'>>>().toEqualTypeOf<{
      type: 'record_unreadable';
      grantId: string;
      at: number;
      code: AdsTokenErrorCode | 'UNKNOWN';
      message: string;
    }>();
    expectTypeOf<Shape<Of<'cleared'>>>().toEqualTypeOf<{ type: 'cleared'; grantId: string; at: number }>();
  });

  it('accepts one listener or several as onEvent', () => {
    expectTypeOf<TokenEventListener>().toEqualTypeOf<(event: TokenEvent) => void>();
    expectTypeOf<TokenManagerOptions['onEvent']>().toEqualTypeOf<TokenEventListener | readonly TokenEventListener[] | undefined>();
  });
});
