import { CONSENT_LIMIT_DAYS, type GrantStatus } from '@ads-token/core';

/** Why `status --check` flags a grant. */
export type GrantProblemCode = 'revoked' | 'unreadable' | 'expired_without_refresh_token' | 'consent_expiring';

/** One reason a grant needs attention, with what to do (never a token). */
export interface GrantProblem {
  code: GrantProblemCode;
  message: string;
}

/**
 * What is wrong with a grant, judged from the store alone (no LWA call): revoked, unreadable,
 * access token expired with no working refresh token, or within 30 days (`CONSENT_WARNING_DAYS`) of
 * the {@link CONSENT_LIMIT_DAYS}-day consent limit. Empty when the grant is fine.
 */
export function grantProblems(s: GrantStatus): GrantProblem[] {
  const grant = s.grantId;
  if (s.status === 'unreadable') {
    return [
      {
        code: 'unreadable',
        message: `the stored record does not open (${s.unreadableCode ?? 'UNKNOWN'}): use the key it was sealed with (ADS_ENCRYPTION_KEY), or 'ads-token logout --grant ${grant}'`,
      },
    ];
  }
  const problems: GrantProblem[] = [];
  if (s.status === 'revoked') {
    problems.push({ code: 'revoked', message: `LWA refused its refresh token: the advertiser must consent again ('ads-token login --grant ${grant}')` });
  } else if (s.isExpired && !s.hasRefreshToken) {
    problems.push({
      code: 'expired_without_refresh_token',
      message: `no valid access token and no refresh token to get one: 'ads-token login --grant ${grant}' or 'ads-token import --grant ${grant}'`,
    });
  }
  if (s.consentExpiringSoon && s.consentAgeDays !== undefined) {
    const left = CONSENT_LIMIT_DAYS - s.consentAgeDays;
    const when = left > 0 ? `${left} days before the ${CONSENT_LIMIT_DAYS}-day consent limit` : `past the ${CONSENT_LIMIT_DAYS}-day consent limit`;
    problems.push({
      code: 'consent_expiring',
      message: `consented ${s.consentAgeDays} days ago, ${when}: ask the advertiser to consent again ('ads-token login --grant ${grant}')`,
    });
  }
  return problems;
}
