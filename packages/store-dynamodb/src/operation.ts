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
    const raw = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
    const name = typeof raw === 'string' && raw !== '' ? raw : 'Error';
    const hint = name === 'ResourceNotFoundException' ? ' (does the table exist? see createTable())' : '';
    throw new StoreUnavailableError(`DynamoDB ${what} failed: ${name}${hint}`, { cause: error });
  }
}
