/** What stands in for a secret removed from a text that came from the network. */
export const REDACTED = '[redacted]';

/** LWA token shapes (`Atza|...`, `Atzr|...`, `Atzc|...`), whoever they belong to. */
const LWA_TOKEN = /Atz[a-z]\|[^\s"',;&<>]+/g;

/** True when `text` holds a control character (C0, DEL or C1): never sent in a header, never served. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/**
 * Removes every secret this process knows (and anything shaped like an LWA token) from a text that
 * came from the network, before it reaches an error message, an event or a stored record.
 */
export function redactNetworkText(text: string | undefined, secrets: readonly (string | undefined)[]): string | undefined {
  if (text === undefined) return undefined;
  let out = text;
  for (const secret of secrets) {
    // Short strings would redact ordinary words; every real secret is long.
    if (secret !== undefined && secret.length >= 8) out = out.split(secret).join(REDACTED);
  }
  return out.replace(LWA_TOKEN, REDACTED);
}
