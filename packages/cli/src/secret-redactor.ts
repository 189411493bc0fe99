import type { TextSink } from './cli-io.js';

/** Replaces known secrets (client secret, keys, refresh tokens, Redis passwords) in any text the CLI writes. */
export class SecretRedactor {
  readonly #secrets = new Set<string>();

  /** Remembers a secret; short strings are ignored (they would redact ordinary words). */
  add(secret: string | undefined): void {
    if (secret !== undefined && secret.length >= 6) this.#secrets.add(secret);
  }

  /** `text` with every known secret replaced by `[redacted]`. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.#secrets) out = out.split(secret).join('[redacted]');
    return out;
  }

  /** A sink that redacts before writing to `sink`. */
  wrap(sink: TextSink): TextSink {
    return { write: (text: string) => sink.write(this.redact(text)) };
  }
}
