/** Base64url without padding. */
export function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** `n` random bytes from Web Crypto, base64url-encoded. */
export function randomId(n = 16): string {
  return base64url(globalThis.crypto.getRandomValues(new Uint8Array(n)));
}
