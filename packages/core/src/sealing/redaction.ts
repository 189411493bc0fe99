const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const DENO_INSPECT = Symbol.for('Deno.customInspect');

/** Makes `target` show `summary` instead of its fields in JSON.stringify, util.inspect and Deno.inspect. */
export function redactWith<T extends object>(target: T, summary: () => Record<string, unknown>): T {
  const show = (): Record<string, unknown> => summary();
  for (const key of ['toJSON', INSPECT, DENO_INSPECT] as const) {
    Object.defineProperty(target, key, { value: show, enumerable: false, configurable: false, writable: false });
  }
  return target;
}
