import type { LwaGrantBook } from './lwa-grant-book.js';
import type { LwaConsentBehaviour } from './types.js';

/** What the consent endpoint answers: a redirect, or an error page when the redirect URI cannot be trusted. */
export type ConsentAnswer = { status: 302; location: string } | { status: 400; message: string };

/** Answers `GET /ap/oa?...` like LWA's consent page after the user decided. */
export function answerConsent(
  book: LwaGrantBook,
  config: { clientId: string; redirectUris: readonly string[]; consent: LwaConsentBehaviour },
  params: URLSearchParams,
): ConsentAnswer {
  if (params.get('client_id') !== config.clientId) return { status: 400, message: 'Unknown client_id' };
  const redirectUri = params.get('redirect_uri');
  if (redirectUri === null || !config.redirectUris.includes(redirectUri)) {
    return { status: 400, message: 'The redirect_uri is not registered for this client' };
  }
  const back = new URL(redirectUri);
  const state = params.get('state');
  const redirect = (values: Record<string, string>): ConsentAnswer => {
    for (const [name, value] of Object.entries(values)) back.searchParams.set(name, value);
    if (state !== null) back.searchParams.set('state', state);
    return { status: 302, location: back.toString() };
  };
  if (params.get('response_type') !== 'code') {
    return redirect({ error: 'unsupported_response_type', error_description: 'response_type must be code' });
  }
  const scope = params.get('scope');
  if (!scope) return redirect({ error: 'invalid_scope', error_description: 'The scope is missing' });
  const challenge = params.get('code_challenge') ?? undefined;
  if (challenge !== undefined && params.get('code_challenge_method') !== 'S256') {
    return redirect({ error: 'invalid_request', error_description: 'code_challenge_method must be S256' });
  }
  const consent = config.consent;
  if (consent !== 'approve') {
    return redirect({ error: consent.error, ...(consent.description === undefined ? {} : { error_description: consent.description }) });
  }
  return redirect({ code: book.issueCode(redirectUri, scope, challenge), scope });
}
