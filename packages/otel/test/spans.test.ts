import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { SpanStatusCode, context } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REFRESH_SPAN_NAME, instrument } from '../src/index.js';
import { secretsIn, startWorld, type World } from './support/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});
// Spans link to the caller's span through the active context: Node's needs AsyncLocalStorage.
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});

function refreshSpans(w: World) {
  return w.spans().filter((s) => s.name === REFRESH_SPAN_NAME);
}

describe('instrument: a span per refresh', () => {
  it('records grant id, source, outcome and the LWA request id the simulator sent, linked to the caller span', async () => {
    world = await startWorld({ latencyMs: 30 });
    const w = world;
    const manager = w.manager();
    instrument(manager, { meterProvider: w.meterProvider, tracerProvider: w.tracerProvider });
    w.lwa.fail({ kind: 'status', status: 503 });
    await manager.authenticateWithCode(w.lwa.issueCode());
    expect(refreshSpans(w)).toHaveLength(0); // an authentication is not a refresh, and its retry is not the next refresh's

    const tracer = w.tracerProvider.getTracer('app');
    const callerContext = await tracer.startActiveSpan('handle request', async (span) => {
      await manager.refreshAccessToken();
      span.end();
      return span.spanContext();
    });
    await manager.getAccessToken(); // served from memory: no refresh, no span

    const spans = refreshSpans(w);
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    const answer = w.answers.at(-1)!;
    expect(answer.status).toBe(200);
    // Taking a free lock can take a millisecond on a busy machine: then the wait is on the span too.
    const waited = w.events.find((e) => e.type === 'lock_waited');
    expect(span.attributes).toEqual({
      'ads_token.grant_id': 'default',
      'ads_token.outcome': 'success',
      'ads_token.source': 'lwa',
      'ads_token.rotated': false,
      'ads_token.lwa.request_id': answer.requestId,
      'ads_token.lwa.retries': 0,
      ...(waited?.type === 'lock_waited' ? { 'ads_token.lock.wait_ms': waited.waitedMs } : {}),
    });
    expect(span.links.map((l) => l.context.spanId)).toEqual([callerContext.spanId]);
    expect(span.links[0]!.context.traceId).toBe(callerContext.traceId);
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    const event = w.events.find((e) => e.type === 'refreshed')!;
    const durationMs = span.duration[0] * 1000 + span.duration[1] / 1e6;
    expect(event.type === 'refreshed' && Math.abs(durationMs - event.durationMs)).toBeLessThan(1);
    expect(durationMs).toBeGreaterThanOrEqual(25);
  });

  it('a refresh with no caller span has no link; retries become span events; a failure sets an error status', async () => {
    world = await startWorld();
    const w = world;
    const manager = w.manager({ retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 } });
    instrument(manager, { meterProvider: w.meterProvider, tracerProvider: w.tracerProvider });
    await manager.setRefreshToken(w.lwa.issueRefreshToken());
    w.lwa.fail({ kind: 'status', status: 503, times: 3 });
    await expect(manager.getAccessToken()).rejects.toMatchObject({ code: 'TOKEN_REFRESH_FAILED' });
    w.lwa.fail({ kind: 'status', status: 429, retryAfter: '0' });
    await manager.getAccessToken();

    const [failed, succeeded] = refreshSpans(w);
    expect(failed!.links).toEqual([]);
    expect(failed!.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed!.status.message).toMatch(/^TOKEN_REFRESH_FAILED: /);
    expect(failed!.attributes).toMatchObject({ 'ads_token.outcome': 'failure', 'ads_token.error_code': 'TOKEN_REFRESH_FAILED', 'ads_token.lwa.retries': 2 });
    expect(failed!.events.map((e) => e.attributes?.['http.response.status_code'])).toEqual([503, 503]);
    const failedIds = w.answers.filter((a) => a.status === 503).map((a) => a.requestId);
    expect(failed!.events.map((e) => e.attributes?.['ads_token.lwa.request_id'])).toEqual(failedIds.slice(0, 2));
    expect(succeeded!.attributes).toMatchObject({ 'ads_token.outcome': 'success', 'ads_token.lwa.retries': 1 });
    expect(succeeded!.events).toHaveLength(1);
    expect(succeeded!.events[0]!.attributes).toMatchObject({ 'http.response.status_code': 429, attempt: 1 });
  });

  it('no span attribute, event or status holds a token or the client secret', async () => {
    world = await startWorld({ rotateRefreshTokens: true });
    const w = world;
    const manager = w.manager();
    instrument(manager, { meterProvider: w.meterProvider, tracerProvider: w.tracerProvider });
    await manager.authenticateWithCode(w.lwa.issueCode());
    await manager.refreshAccessToken();
    w.lwa.fail({ kind: 'status', status: 500 });
    await manager.refreshAccessToken();
    const gone = w.manager({ grantId: 'gone' });
    instrument(gone, { meterProvider: w.meterProvider, tracerProvider: w.tracerProvider });
    const refused = w.lwa.issueRefreshToken();
    await gone.setRefreshToken(refused);
    w.lwa.revoke(refused);
    await gone.getAccessToken().catch(() => undefined);

    const spans = refreshSpans(w);
    expect(spans).toHaveLength(3);
    const text = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })));
    expect(w.answers.flatMap((a) => a.tokens).length).toBeGreaterThanOrEqual(4);
    expect(secretsIn(text, w)).toEqual([]);
  });
});
