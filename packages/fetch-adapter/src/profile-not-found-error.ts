import { AdsTokenError } from '@ads-token/core';
import type { AdsTokenErrorOptions } from '@ads-token/core';

/**
 * No grant of the pool reaches this advertising profile: the profile directory, refreshed, does not
 * list it (or could not list the grants that might). Code `PROFILE_NOT_FOUND`.
 */
export class ProfileNotFoundError extends AdsTokenError {
  /** The profile id that was asked for, as digits. */
  readonly profileId: string;

  /** Creates the error for `profileId`; `detail` says what was tried. */
  constructor(profileId: string, detail?: string, options?: AdsTokenErrorOptions) {
    super('PROFILE_NOT_FOUND', `No grant has advertising profile ${profileId}${detail ? `: ${detail}` : ''}`, options);
    this.profileId = profileId;
  }
}
