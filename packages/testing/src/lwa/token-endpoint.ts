import type { LwaGrantBook } from './lwa-grant-book.js';
import type { LwaErrorResponse, LwaTokenResponse } from './types.js';

/** What the token endpoint needs to know about the simulator's configuration. */
export interface TokenEndpointConfig {
  clientId: string;
  clientSecret: string;
  tokenLifetimeSeconds: number;
  rotateRefreshTokens: boolean;
  omitRefreshTokenOnRefresh: boolean;
}

/** A token-endpoint request, already read. */
export interface TokenRequest {
  method: string;
  contentType: string;
  authorization: string;
  form: URLSearchParams | undefined;
}

/** The answer to send. */
export interface TokenAnswer {
  status: number;
  body: LwaTokenResponse | LwaErrorResponse;
}

/** True for `application/x-www-form-urlencoded` (with or without parameters). */
export function isFormContentType(contentType: string): boolean {
  return contentType.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

function error(status: number, code: string, description: string, requestId?: string): TokenAnswer {
  const body: LwaErrorResponse = { error: code, error_description: description };
  if (requestId !== undefined) body.request_id = requestId;
  return { status, body };
}

function basicCredentials(authorization: string): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(authorization);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

/** Answers one token request the way LWA does. */
export function answerTokenRequest(
  book: LwaGrantBook,
  config: TokenEndpointConfig,
  request: TokenRequest,
  requestId: string,
): TokenAnswer {
  const form = request.form;
  if (request.method !== 'POST' || !form || !isFormContentType(request.contentType)) {
    return error(400, 'invalid_request', 'The request must be a POST with Content-Type application/x-www-form-urlencoded');
  }
  const basic = basicCredentials(request.authorization);
  const clientId = form.get('client_id') ?? basic?.id;
  const clientSecret = form.get('client_secret') ?? basic?.secret;
  if (clientId !== config.clientId || clientSecret !== config.clientSecret) {
    return error(401, 'invalid_client', 'Client authentication failed', requestId);
  }
  const grantType = form.get('grant_type');
  if (!grantType) return error(400, 'invalid_request', 'The request is missing a required parameter : grant_type');
  if (grantType === 'authorization_code') return exchangeCode(book, config, form, requestId);
  if (grantType === 'refresh_token') return refresh(book, config, form, requestId);
  return error(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server');
}

function exchangeCode(book: LwaGrantBook, config: TokenEndpointConfig, form: URLSearchParams, requestId: string): TokenAnswer {
  const code = form.get('code');
  if (!code) return error(400, 'invalid_request', 'The request is missing a required parameter : code');
  const refusal = book.redeemCode(code, form.get('redirect_uri'), form.get('code_verifier'));
  if (refusal === 'redirect_uri') {
    return error(400, 'invalid_grant', 'The request has an invalid grant parameter : redirect_uri', requestId);
  }
  if (refusal === 'code_verifier') {
    return error(400, 'invalid_grant', 'The request has an invalid grant parameter : code_verifier', requestId);
  }
  if (refusal !== undefined) {
    return error(400, 'invalid_grant', 'The request has an invalid grant parameter : code', requestId);
  }
  const refreshToken = book.newGrant();
  return {
    status: 200,
    body: {
      access_token: book.newAccessToken(config.tokenLifetimeSeconds, refreshToken),
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: config.tokenLifetimeSeconds,
    },
  };
}

function refresh(book: LwaGrantBook, config: TokenEndpointConfig, form: URLSearchParams, requestId: string): TokenAnswer {
  const token = form.get('refresh_token');
  if (!token) return error(400, 'invalid_request', 'The request is missing a required parameter : refresh_token');
  if (!book.isUsableRefreshToken(token)) {
    return error(400, 'invalid_grant', 'The request has an invalid grant parameter : refresh_token', requestId);
  }
  const body: LwaTokenResponse = {
    access_token: book.newAccessToken(config.tokenLifetimeSeconds, token),
    token_type: 'bearer',
    expires_in: config.tokenLifetimeSeconds,
  };
  if (!config.omitRefreshTokenOnRefresh) {
    body.refresh_token = config.rotateRefreshTokens ? book.rotate(token) : token;
  }
  return { status: 200, body };
}
