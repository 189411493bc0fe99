import { describe, expect, it } from 'vitest';
import {
  AdsTokenError,
  ConfigurationError,
  HttpTransportError,
  InvalidGrantError,
  StoreUnavailableError,
  TokenRefreshError,
  isAdsTokenError,
} from '../src/index.js';

/** An error as another copy of this package makes it: same brand, same names, other classes. */
function foreignCopy() {
  class AdsTokenError extends Error {
    readonly code: string;
    constructor(code: string, message: string) {
      super(message);
      this.code = code;
      this.name = new.target.name;
      Object.defineProperty(this, Symbol.for('ads-token.error'), { value: true });
    }
  }
  class TokenRefreshError extends AdsTokenError {}
  class InvalidGrantError extends TokenRefreshError {}
  class StoreUnavailableError extends AdsTokenError {}
  class ConfigurationError extends AdsTokenError {}
  class UnsafeTokenFileError extends ConfigurationError {}
  return {
    grant: new InvalidGrantError('INVALID_GRANT', 'Token refresh failed'),
    unavailable: new StoreUnavailableError('STORE_UNAVAILABLE', 'down'),
    configuration: new ConfigurationError('CONFIGURATION', 'bad'),
    unsafe: new UnsafeTokenFileError('CONFIGURATION', 'unsafe'),
  };
}

describe('errors across copies of the package', () => {
  it('isAdsTokenError recognises the brand and, when asked, the code', () => {
    const own = new HttpTransportError('reset');
    expect(isAdsTokenError(own)).toBe(true);
    expect(isAdsTokenError(own, 'HTTP_TRANSPORT')).toBe(true);
    expect(isAdsTokenError(own, 'CONFIGURATION')).toBe(false);
    expect(isAdsTokenError(foreignCopy().grant, 'INVALID_GRANT')).toBe(true);
    for (const other of [new Error('x'), { code: 'CONFIGURATION' }, null, undefined, 'CONFIGURATION']) expect(isAdsTokenError(other)).toBe(false);
  });

  it("instanceof sees another copy's errors as what they are, and nothing more", () => {
    const { grant, unavailable, configuration, unsafe } = foreignCopy();
    expect(grant).toBeInstanceOf(AdsTokenError);
    expect(grant).toBeInstanceOf(TokenRefreshError);
    expect(grant).toBeInstanceOf(InvalidGrantError);
    expect(grant).not.toBeInstanceOf(StoreUnavailableError);
    expect(unavailable).toBeInstanceOf(StoreUnavailableError);
    expect(unavailable).not.toBeInstanceOf(TokenRefreshError);
    expect(configuration).toBeInstanceOf(ConfigurationError);
    expect(unsafe).toBeInstanceOf(ConfigurationError);
    expect(new Error('plain')).not.toBeInstanceOf(AdsTokenError);
  });

  it('a subclass in another package is told apart from its base class', () => {
    class UnsafeTokenFileError extends ConfigurationError {}
    const { configuration, unsafe } = foreignCopy();
    expect(unsafe).toBeInstanceOf(UnsafeTokenFileError);
    expect(configuration).not.toBeInstanceOf(UnsafeTokenFileError);
    expect(new ConfigurationError('bad')).not.toBeInstanceOf(UnsafeTokenFileError);
    expect(new UnsafeTokenFileError('bad')).toBeInstanceOf(UnsafeTokenFileError);
  });

  it('a same-named error without the brand, or with a code its class never carries, is not one of ours', () => {
    class StoreUnavailableError2 extends Error {}
    Object.defineProperty(StoreUnavailableError2, 'name', { value: 'StoreUnavailableError' });
    expect(new StoreUnavailableError2('x')).not.toBeInstanceOf(StoreUnavailableError);
    const { configuration } = foreignCopy();
    (configuration as { code: string }).code = 'STORE_UNAVAILABLE';
    expect(configuration).not.toBeInstanceOf(ConfigurationError);
  });
});
