import type { TokenEvent, TokenEventType } from '@ads-token/core';

/** What a field holds: a primitive type, or one of the listed strings. */
export type FieldKind = 'string' | 'number' | 'boolean' | readonly string[];

type Of<T extends TokenEventType> = Extract<TokenEvent, { type: T }>;

/** A field's spec; `optional` must be set exactly for the fields the type marks optional. */
type FieldSpec<E, K extends keyof E> = object extends Pick<E, K> ? { kind: FieldKind; optional: true } : { kind: FieldKind; optional?: false };

/**
 * The runtime schema of every event. Typed against {@link TokenEvent}: a field added to or removed
 * from an event, or made optional, fails the typecheck until this schema (and the docs) follow.
 */
export type EventSchema = { [T in TokenEventType]: { [K in Exclude<keyof Of<T>, 'type'>]-?: FieldSpec<Of<T>, K> } };

const ERROR_CODE = 'string' as const;

export const EVENT_SCHEMA: EventSchema = {
  refreshed: {
    grantId: { kind: 'string' },
    at: { kind: 'number' },
    source: { kind: ['lwa', 'store'] },
    rotated: { kind: 'boolean' },
    durationMs: { kind: 'number' },
    requestId: { kind: 'string', optional: true },
    expiresInSeconds: { kind: 'number' },
  },
  refresh_failed: {
    grantId: { kind: 'string' },
    at: { kind: 'number' },
    code: { kind: ERROR_CODE },
    message: { kind: 'string' },
    durationMs: { kind: 'number' },
    requestId: { kind: 'string', optional: true },
    background: { kind: 'boolean' },
  },
  retry: {
    grantId: { kind: 'string' },
    at: { kind: 'number' },
    attempt: { kind: 'number' },
    delayMs: { kind: 'number' },
    status: { kind: 'number', optional: true },
    requestId: { kind: 'string', optional: true },
  },
  revoked: {
    grantId: { kind: 'string' },
    at: { kind: 'number' },
    description: { kind: 'string', optional: true },
    requestId: { kind: 'string', optional: true },
  },
  lock_waited: { grantId: { kind: 'string' }, at: { kind: 'number' }, waitedMs: { kind: 'number' } },
  lock_unavailable: { grantId: { kind: 'string' }, at: { kind: 'number' }, message: { kind: 'string' } },
  authenticated: {
    grantId: { kind: 'string' },
    at: { kind: 'number' },
    method: { kind: ['code', 'refresh_token'] },
    requestId: { kind: 'string', optional: true },
  },
  commit_pending: {
    grantId: { kind: 'string' },
    at: { kind: 'number' },
    code: { kind: ERROR_CODE },
    message: { kind: 'string' },
    attempt: { kind: 'number' },
  },
  commit_recovered: { grantId: { kind: 'string' }, at: { kind: 'number' }, attempts: { kind: 'number' }, pendingMs: { kind: 'number' } },
  record_unreadable: { grantId: { kind: 'string' }, at: { kind: 'number' }, code: { kind: ERROR_CODE }, message: { kind: 'string' } },
  cleared: { grantId: { kind: 'string' }, at: { kind: 'number' } },
};

/** Problems of one event against {@link EVENT_SCHEMA}: unknown type, missing, extra or mistyped fields. Empty when it conforms. */
export function schemaProblems(event: unknown): string[] {
  if (typeof event !== 'object' || event === null) return ['not an object'];
  const record = event as Record<string, unknown>;
  const type = record['type'];
  if (typeof type !== 'string' || !Object.hasOwn(EVENT_SCHEMA, type)) return [`unknown type ${String(type)}`];
  const spec = EVENT_SCHEMA[type as TokenEventType] as Record<string, { kind: FieldKind; optional?: boolean }>;
  const problems: string[] = [];
  for (const key of Object.keys(record)) {
    if (key !== 'type' && !Object.hasOwn(spec, key)) problems.push(`${type}: unexpected field ${key}`);
  }
  for (const [key, field] of Object.entries(spec)) {
    const value = record[key];
    if (value === undefined) {
      if (field.optional !== true) problems.push(`${type}: missing ${key}`);
      continue;
    }
    const ok = Array.isArray(field.kind) ? field.kind.includes(value) : typeof value === field.kind;
    if (!ok) problems.push(`${type}: ${key} is ${JSON.stringify(value)}, not ${JSON.stringify(field.kind)}`);
    if (typeof value === 'number' && !Number.isFinite(value)) problems.push(`${type}: ${key} is not finite`);
  }
  return problems;
}
