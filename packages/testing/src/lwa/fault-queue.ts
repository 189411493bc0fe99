import type { LwaFault } from './types.js';

/** Faults waiting for the next token requests, each for `times` requests. */
export class FaultQueue {
  private readonly queue: { fault: LwaFault; left: number }[] = [];

  /** Queues a fault after the ones already waiting. */
  push(fault: LwaFault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new RangeError('fault.times must be a positive integer');
    this.queue.push({ fault, left: times });
  }

  /** The fault for the next request, if any (uses one of its `times`). */
  take(): LwaFault | undefined {
    const head = this.queue[0];
    if (!head) return undefined;
    head.left -= 1;
    if (head.left === 0) this.queue.shift();
    return head.fault;
  }

  /** Forgets every waiting fault. */
  clear(): void {
    this.queue.length = 0;
  }
}

/** The `error` field LWA-like servers put in a body for a status. */
export function defaultErrorFor(status: number): string {
  if (status === 503) return 'temporarily_unavailable';
  if (status >= 500) return 'server_error';
  if (status === 429) return 'too_many_requests';
  if (status === 401) return 'invalid_client';
  return 'invalid_request';
}

/** The body a fault answers with (for faults that answer at all). */
export function faultBody(fault: LwaFault, requestId: string): { status: number; contentType: string; body: string } {
  switch (fault.kind) {
    case 'status': {
      const error = fault.error ?? defaultErrorFor(fault.status);
      const body = { error, error_description: fault.description ?? `Simulated ${fault.status} ${error}`, request_id: requestId };
      return { status: fault.status, contentType: 'application/json;charset=UTF-8', body: JSON.stringify(body) };
    }
    case 'html':
      return {
        status: fault.status ?? 200,
        contentType: 'text/html;charset=UTF-8',
        body: '<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>Something went wrong</h1></body></html>',
      };
    case 'invalid-json':
      return { status: 200, contentType: 'application/json;charset=UTF-8', body: '{"access_token":"Atza|trunc' };
    case 'missing-access-token':
      return {
        status: 200,
        contentType: 'application/json;charset=UTF-8',
        body: JSON.stringify({ token_type: 'bearer', expires_in: 3600 }),
      };
    case 'bad-expires-in':
      return {
        status: 200,
        contentType: 'application/json;charset=UTF-8',
        body: JSON.stringify({ access_token: 'Atza|simulated-bad-expiry', token_type: 'bearer', expires_in: 'soon' }),
      };
    default:
      throw new Error(`Fault ${fault.kind} has no body`);
  }
}
