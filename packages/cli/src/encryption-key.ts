import { ConfigurationError, createRecordSealer } from '@ads-token/core';

/**
 * Checks the configured raw encryption key once, before any store is opened, so a malformed key is
 * one clear usage error (exit 2) instead of every grant reading as unreadable. `source` names where
 * the key came from. The key itself is never shown.
 */
export function checkEncryptionKey(key: string | undefined, source: string, clientSecret: string): string | undefined {
  if (key === undefined) return undefined;
  try {
    createRecordSealer({ encryptionKey: { raw: key }, clientSecret });
  } catch (cause) {
    throw new ConfigurationError(
      `${source} is malformed: it must be 32 random bytes in base64 (44 characters), ` +
        `for example from: node -e "console.log(require('node:crypto').randomBytes(32).toString('base64'))"`,
      { cause },
    );
  }
  return key;
}
