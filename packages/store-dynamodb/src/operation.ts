import { StoreUnavailableError } from '@ads-token/core';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Limits of one request: the caller's signal and the operation timeout. */
export interface OperationLimits {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** True for the answer to a conditional write whose condition did not hold. */
export function isConditionFailed(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ConditionalCheckFailedException';
}

/**
 * Sends `command` bounded by the limits. A caller's abort rejects with the signal's reason; a
 * failed condition passes through (see {@link isConditionFailed}); anything else becomes
 * StoreUnavailableError naming the request and the error's type (never its data).
 */
export async function sendCommand<T>(client: DynamoDBClient, what: string, command: object, limits: OperationLimits): Promise<T> {
  limits.signal?.throwIfAborted();
  const timeout = AbortSignal.timeout(Math.max(1, Math.ceil(limits.timeoutMs)));
  const abortSignal = limits.signal === undefined ? timeout : AbortSignal.any([limits.signal, timeout]);
  try {
    // Any command class of the client's package fits; the overloads of send() cannot express that.
    return (await client.send(command as never, { abortSignal })) as T;
  } catch (error) {
    if (limits.signal?.aborted === true) throw limits.signal.reason;
    if (isConditionFailed(error)) throw error;
    if (timeout.aborted) {
      throw new StoreUnavailableError(`DynamoDB ${what} timed out after ${limits.timeoutMs} ms`, { cause: error });
    }
    throw new StoreUnavailableError(`DynamoDB ${what} failed: ${describe(error)}`, { cause: error });
  }
}

/**
 * The error's type; for errors raised before DynamoDB answered (no region, no credentials, network),
 * also its code or message, which name hosts and settings but never request data. DynamoDB's own
 * answers are named by type only.
 */
function describe(error: unknown): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; code?: unknown; message?: unknown; $metadata?: unknown };
  const name = typeof e.name === 'string' && e.name !== '' ? e.name : 'Error';
  if (name === 'ResourceNotFoundException') return `${name} (does the table exist? see createTable())`;
  const answered = typeof e.$metadata === 'object' && e.$metadata !== null && (e.$metadata as { httpStatusCode?: unknown }).httpStatusCode !== undefined;
  if (answered) return name;
  const detail = typeof e.code === 'string' ? e.code : typeof e.message === 'string' ? e.message.slice(0, 200) : '';
  return detail === '' || detail === name ? name : `${name}: ${detail}`;
}
