import { ProviderConfig } from '../config/app-config';

export interface TokenResponse {
  readonly access_token: string;
  readonly token_type?: string;
  readonly expires_in?: number;
  readonly id_token?: string;
  readonly refresh_token?: string;
  readonly refresh_token_id?: string;
  readonly scope?: string;
}

/** The token endpoint answered, but not with tokens: `error` is the OAuth error code when it gave one. */
export class TokenEndpointError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
  ) {
    super(`token endpoint answered ${status} ${error}`);
    this.name = 'TokenEndpointError';
  }

  /**
   * The provider refuses our client credentials (RFC 6749, 5.2): our configuration is wrong, not
   * the user's grant, so this is an outage and never a reason to end a session.
   */
  get clientRefused(): boolean {
    return this.error === 'invalid_client';
  }
}

const TIMEOUT_MS = 10_000;
const MAX_BYTES = 64 * 1024;

/**
 * POST to a token endpoint with the client's credentials in HTTP Basic (RFC 6749, 2.3.1), bounded in
 * time and size. Network failures and timeouts throw as they are; bad answers as TokenEndpointError.
 */
export async function requestTokens(
  provider: ProviderConfig,
  tokenEndpoint: string,
  form: Record<string, string>,
): Promise<TokenResponse> {
  const credentials = `${encodeURIComponent(provider.clientId)}:${encodeURIComponent(provider.clientSecret)}`;
  const res = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await res.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = text.length <= MAX_BYTES ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok)
    throw new TokenEndpointError(res.status, typeof body?.error === 'string' ? body.error : 'invalid_response');
  if (
    !body ||
    typeof body.access_token !== 'string' ||
    (body.id_token !== undefined && typeof body.id_token !== 'string')
  ) {
    throw new TokenEndpointError(res.status, 'invalid_response');
  }
  return body as unknown as TokenResponse;
}
