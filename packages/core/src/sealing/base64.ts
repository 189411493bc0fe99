import { base64url } from '../random.js';

export { base64url as encodeBase64url };

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64_ANY = /^[A-Za-z0-9+/_-]*={0,2}$/;

function decodeLoose(text: string): Uint8Array | undefined {
  if (!BASE64_ANY.test(text)) return undefined;
  const body = text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  if (body.length % 4 === 1) return undefined;
  let binary: string;
  try {
    binary = atob(body + '='.repeat((4 - (body.length % 4)) % 4));
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Strict base64url (no padding, canonical): undefined for anything else, so one value has one spelling. */
export function decodeBase64url(text: string): Uint8Array | undefined {
  if (!BASE64URL.test(text)) return undefined;
  const bytes = decodeLoose(text);
  return bytes !== undefined && base64url(bytes) === text ? bytes : undefined;
}

/** Standard or url-safe base64, padded or not (the spellings a key in an env var may have); undefined when invalid. */
export function decodeBase64Any(text: string): Uint8Array | undefined {
  return decodeLoose(text);
}

/** Standard padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
