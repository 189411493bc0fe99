import type { RefreshFailedEvent, RefreshedEvent, TokenEvent } from '@ads-token/core';
import { SpanStatusCode, context, trace, type Attributes, type Link, type Tracer } from '@opentelemetry/api';
import { ATTRIBUTE_NAMES as A, REFRESH_SPAN_NAME } from './names.js';

/** What happened so far in a refresh that has not ended yet. */
interface Pending {
  lockWaitMs?: number;
  retries: { at: number; attributes: Attributes }[];
}

/**
 * One span per refresh, built from its events once it ends (`refreshed` or `refresh_failed`):
 * started at `at - durationMs`, with the lock wait and LWA retries it saw, and a link to the span
 * that was active in the caller that started the refresh, when there is one.
 */
export class RefreshSpans {
  readonly #tracer: Tracer;
  /** Per grant: a manager runs one refresh at a time. */
  readonly #pending = new Map<string, Pending>();

  /** Records spans through `tracer`. */
  constructor(tracer: Tracer) {
    this.#tracer = tracer;
  }

  /** Takes in one event; ends a span on `refreshed` and `refresh_failed`. */
  record(event: TokenEvent): void {
    switch (event.type) {
      case 'lock_waited':
        this.#of(event.grantId).lockWaitMs = event.waitedMs;
        break;
      case 'retry': {
        const attributes: Attributes = { attempt: event.attempt, 'delay_ms': event.delayMs };
        if (event.status !== undefined) attributes[A.httpStatus] = event.status;
        else attributes[A.errorType] = 'transport';
        if (event.requestId !== undefined) attributes[A.requestId] = event.requestId;
        this.#of(event.grantId).retries.push({ at: event.at, attributes });
        break;
      }
      case 'refreshed':
      case 'refresh_failed':
        this.#end(event);
        break;
      case 'authenticated':
      case 'record_unreadable':
        // Retries of a code exchange belong to no refresh; an unreadable record starts none.
        this.#pending.delete(event.grantId);
        break;
      default:
        break;
    }
  }

  #of(grantId: string): Pending {
    let pending = this.#pending.get(grantId);
    if (pending === undefined) {
      pending = { retries: [] };
      this.#pending.set(grantId, pending);
    }
    return pending;
  }

  #end(event: RefreshedEvent | RefreshFailedEvent): void {
    const pending = this.#pending.get(event.grantId) ?? { retries: [] };
    this.#pending.delete(event.grantId);
    const attributes: Attributes = { [A.grantId]: event.grantId, [A.retries]: pending.retries.length };
    if (event.type === 'refreshed') {
      attributes[A.outcome] = 'success';
      attributes[A.source] = event.source;
      attributes[A.rotated] = event.rotated;
    } else {
      attributes[A.outcome] = 'failure';
      attributes[A.errorCode] = event.code;
      attributes[A.background] = event.background;
    }
    if (event.requestId !== undefined) attributes[A.requestId] = event.requestId;
    if (pending.lockWaitMs !== undefined) attributes[A.lockWaitMs] = pending.lockWaitMs;
    // Listeners run in the async context of the call that started the refresh.
    const caller = trace.getSpanContext(context.active());
    const links: Link[] = caller !== undefined && trace.isSpanContextValid(caller) ? [{ context: caller }] : [];
    const span = this.#tracer.startSpan(REFRESH_SPAN_NAME, { startTime: event.at - event.durationMs, attributes, links, root: true });
    for (const retry of pending.retries) span.addEvent('ads_token.lwa.retry', retry.attributes, retry.at);
    if (event.type === 'refresh_failed') span.setStatus({ code: SpanStatusCode.ERROR, message: `${event.code}: ${event.message}` });
    span.end(event.at);
  }
}
