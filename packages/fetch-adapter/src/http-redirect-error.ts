import { InvalidResponseError } from '@ads-token/core';

/**
 * The server answered a request of {@link FetchHttpClient} with a redirect (3xx) it does not follow:
 * any redirect of a token request (re-sent elsewhere, it would hand over the client secret and
 * refresh token, and a redirected answer could plant another server's token), and a GET's redirect
 * to another origin. Code `INVALID_RESPONSE`.
 */
export class HttpRedirectError extends InvalidResponseError {
  /** Where the redirect pointed (origin and path only), when it named a valid location. */
  readonly location: string | undefined;

  /** Creates the error for `target` (method, origin and path) answered with `status`. */
  constructor(target: string, status: number, location: string | undefined) {
    super(`${target} answered with a redirect${location === undefined ? '' : ` to ${location}`}, which is not followed`, { status });
    this.location = location;
  }
}
