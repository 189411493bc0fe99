/** A Redis reply (string, Buffer or number) as a string; undefined for nil. */
export function replyString(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return undefined;
}
