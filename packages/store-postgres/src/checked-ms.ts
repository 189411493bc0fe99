import { ConfigurationError } from '@ads-token/core';

/** `value` (or `fallback` when undefined) if it is a positive finite number; ConfigurationError naming `option` otherwise. */
export function checkedMs(value: number | undefined, fallback: number, option: string): number {
  const ms = value ?? fallback;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new ConfigurationError(`${option} must be a positive, finite number of milliseconds`);
  }
  return ms;
}
