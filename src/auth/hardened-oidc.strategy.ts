import { createHash, randomBytes } from 'node:crypto';
import type { Request } from 'express';
import OpenIDConnectStrategy from 'passport-openidconnect';
import { ProviderConfig } from '../config/app-config';
import { ProviderMetadata } from '../tokens/provider-metadata';
import { OidcStateStore } from './oidc-state.store';
import { requestTokens, TokenEndpointError } from './token-endpoint';

/** What the authorization request asks for beyond the defaults (re-authentication for sensitive actions). */
export interface LoginRequestOptions {
  readonly returnTo?: string;
  readonly prompt?: 'login';
  readonly maxAge?: number;
}

type OAuthCallback = (err: unknown, ...results: unknown[]) => void;

/** The parts of the `oauth` client that passport-openidconnect calls once per login. */
interface OAuth2Calls {
  getOAuthAccessToken(code: string, params: Record<string, string>, callback: OAuthCallback): void;
  get(url: string, accessToken: string, callback: OAuthCallback): void;
}

const USERINFO_TIMEOUT_MS = 10_000;

/**
 * passport-openidconnect 0.1.x with its two gaps closed: PKCE S256 on every login (the verifier
 * lives in the session's pending login and goes on the token request), and bounded, verified HTTP
 * calls to the provider. The ID token's signature and every claim are checked by `tokens/` in the
 * verify callback; the library itself only decodes it.
 */
export class HardenedOidcStrategy extends OpenIDConnectStrategy {
  constructor(
    private readonly provider: ProviderConfig,
    metadata: ProviderMetadata,
    callbackURL: string,
    private readonly states: OidcStateStore,
    // The library dispatches on the verify function's arity; ours takes all ten arguments.
    verify: (...args: never[]) => void,
  ) {
    super(
      {
        issuer: provider.issuer,
        authorizationURL: metadata.authorization_endpoint,
        tokenURL: metadata.token_endpoint,
        userInfoURL: metadata.userinfo_endpoint ?? '',
        clientID: provider.clientId,
        clientSecret: provider.clientSecret,
        callbackURL,
        // The library puts `openid` first itself.
        scope: provider.scopes.filter((s) => s !== 'openid'),
        nonce: 'true',
        store: states,
        passReqToCallback: true,
        skipUserProfile: !metadata.userinfo_endpoint,
      },
      verify as unknown as OpenIDConnectStrategy.VerifyFunction,
    );
    this.name = `oidc:${provider.name}`;
  }

  override authenticate(req: Request, options: Record<string, unknown> = {}): void {
    if (req.query?.code !== undefined) {
      // Per request (passport gives each request its own strategy object): the token request
      // sends this login's PKCE verifier.
      this._oauth2 = this.providerCalls(req) as unknown as typeof this._oauth2;
      super.authenticate(req, options);
      return;
    }
    const login = (options.login ?? {}) as LoginRequestOptions;
    const codeVerifier = randomBytes(32).toString('base64url');
    const authorizeOptions = {
      ...options,
      prompt: login.prompt,
      maxAge: login.maxAge,
      codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      state: { provider: this.provider.name, codeVerifier, returnTo: login.returnTo, maxAge: login.maxAge },
    };
    super.authenticate(req, authorizeOptions);
  }

  override authorizationParams(options: Record<string, unknown>): object {
    return {
      code_challenge: options.codeChallenge,
      code_challenge_method: 'S256',
      ...(typeof options.maxAge === 'number' ? { max_age: String(options.maxAge) } : {}),
    };
  }

  private providerCalls(req: Request): OAuth2Calls {
    const base = this._oauth2 as unknown as OAuth2Calls & { _accessTokenUrl: string };
    const calls = Object.create(base) as OAuth2Calls;
    calls.getOAuthAccessToken = (code, params, callback) => {
      const login = this.states.verifiedLogin(req);
      if (!login) return callback({ statusCode: 400, data: JSON.stringify({ error: 'invalid_request' }) });
      requestTokens(this.provider, base._accessTokenUrl, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: params.redirect_uri ?? '',
        code_verifier: login.codeVerifier,
      }).then(
        (tokens) => callback(null, tokens.access_token, tokens.refresh_token, tokens),
        (error: unknown) => callback(asOAuthError(error)),
      );
    };
    calls.get = (url, accessToken, callback) => {
      fetch(url, {
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(USERINFO_TIMEOUT_MS),
      })
        .then(async (res) => {
          const body = await res.text();
          if (!res.ok) return callback({ statusCode: res.status, data: body });
          callback(null, body, res);
        })
        .catch((error: unknown) => callback(error));
    };
    return calls;
  }
}

/** The shape the library turns into TokenError (an OAuth error) or InternalOAuthError (anything else). */
function asOAuthError(error: unknown): unknown {
  if (error instanceof TokenEndpointError) {
    return { statusCode: error.status, data: JSON.stringify({ error: error.error }) };
  }
  return error;
}
