import { ConfigurationError } from './errors.js';

/** A non-empty string without whitespace, else {@link ConfigurationError} naming the option. */
export function requireText(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0) throw new ConfigurationError(`${name} must be a non-empty string`);
  if (/\s/.test(value)) throw new ConfigurationError(`${name} must not contain whitespace`);
  return value;
}

/** An absolute URL, else {@link ConfigurationError} naming the option. */
export function requireUrl(name: string, value: string): string {
  try {
    new URL(value);
  } catch (cause) {
    throw new ConfigurationError(`${name} is not a valid URL`, { cause });
  }
  return value;
}

/** OAuth scope-token characters (RFC 6749 section 3.3). */
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;

/** An OAuth scope: scope tokens separated by single spaces, else {@link ConfigurationError}. */
export function requireScope(value: unknown): string {
  if (typeof value !== 'string' || !SCOPE.test(value)) {
    throw new ConfigurationError('scope must be one or more scope tokens separated by single spaces');
  }
  return value;
}

/**
 * `value` (or `fallback` when undefined) as a finite number within `min`..`max`, and an integer
 * when asked; else {@link ConfigurationError} naming the option and its range.
 */
export function requireNumber(name: string, value: unknown, fallback: number, min: number, max: number, integer = false): number {
  const n = value === undefined ? fallback : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new ConfigurationError(`${name} must be ${integer ? 'an integer' : 'a finite number'} from ${min} to ${max}`);
  }
  return n;
}
