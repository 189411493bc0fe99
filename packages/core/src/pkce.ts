import { base64url, randomId } from './random.js';

/** A PKCE pair: keep `codeVerifier` secret until the code exchange; send `codeChallenge` in the consent URL. */
export interface PkcePair {
  /** 43 characters of base64url randomness. */
  codeVerifier: string;
  /** base64url(SHA-256(codeVerifier)). */
  codeChallenge: string;
  /** Always `S256`. */
  codeChallengeMethod: 'S256';
}

/** The S256 challenge of a verifier. */
export async function pkceChallenge(codeVerifier: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier));
  return base64url(new Uint8Array(digest));
}

/** Makes a random PKCE verifier and its S256 challenge. */
export async function createPkcePair(): Promise<PkcePair> {
  const codeVerifier = randomId(32);
  return { codeVerifier, codeChallenge: await pkceChallenge(codeVerifier), codeChallengeMethod: 'S256' };
}

/** A random `state` value for the consent URL. */
export function createState(): string {
  return randomId(24);
}
