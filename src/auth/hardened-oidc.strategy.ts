import { createHash, randomBytes } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import OpenIDConnectStrategy from 'passport-openidconnect';
import { AppError } from '../common/app.errors';
import { ProviderConfig } from '../config/app-config';
import { ProviderMetadata } from '../tokens/provider-metadata';
import { OidcStateStore } from './oidc-state.store';
import { requestTokens, TokenEndpointError, TokenResponse } from './token-endpoint';

/** What the authorization request asks for beyond the defaults (re-authentication for sensitive actions). */
export interface LoginRequestOptions {
  readonly returnTo?: string;
  readonly prompt?: 'login';
  readonly maxAge?: number;
}

/** One app's client at one provider: everything app-specific a login needs, handed in on each request. */
export interface OidcClient {
  readonly provider: ProviderConfig;
  readonly metadata: ProviderMetadata;
  /** APP_URL/auth/callback of the app this request reached. */
  readonly callbackURL: string;
  readonly states: OidcStateStore;
}

/** The authenticate options the guards pass: `login` for an authorization request, none for a callback. */
export interface OidcAuthenticateOptions {
  readonly session: false;
  readonly client: OidcClient;
  readonly login?: LoginRequestOptions;
}

/** What the token endpoint (and userinfo) answered, checked so far only by the library. */
export interface ProviderAnswer {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly params: TokenResponse;
  readonly userinfoSub?: string;
}

export const strategyName = (provider: string): string => `oidc:${provider}`;

type OAuthCallback = (err: unknown, ...results: unknown[]) => void;

/** The parts of the `oauth` client that passport-openidconnect 0.1.2 reads or calls. */
interface OAuth2Calls {
  readonly _authorizeUrl: string;
  readonly _accessTokenUrl: string;
  readonly _clientId: string;
  getOAuthAccessToken(code: string, params: Record<string, string>, callback: OAuthCallback): void;
  get(url: string, accessToken: string, callback: OAuthCallback): void;
}

/** passport-openidconnect 0.1.2's fields that name a client (lib/strategy.js): set per request, below. */
interface ClientFields {
  _issuer: string;
  _oauth2: OAuth2Calls;
  _stateStore: OidcStateStore;
  _userInfoURL: string | undefined;
  _skipUserProfile: boolean;
}

const USERINFO_TIMEOUT_MS = 10_000;
/** Never resolves (RFC 6761 .invalid): nothing can be sent to the constructor's placeholder client. */
const NO_CLIENT = 'https://client-per-request.invalid';

/** passport-openidconnect, named for its provider before PassportStrategy registers it under that name. */
class NamedOpenIDConnectStrategy extends OpenIDConnectStrategy {
  constructor(name: string, verify: OpenIDConnectStrategy.VerifyFunction) {
    // The library insists on a client here; every request replaces it with its app's (authenticate).
    super(
      {
        issuer: NO_CLIENT,
        authorizationURL: NO_CLIENT,
        tokenURL: NO_CLIENT,
        clientID: NO_CLIENT,
        clientSecret: NO_CLIENT,
        callbackURL: NO_CLIENT,
        userInfoURL: NO_CLIENT,
        nonce: 'true',
        passReqToCallback: true,
      },
      verify,
    );
    this.name = name;
  }
}

/**
 * One provider's browser login, registered on passport's singleton as `oidc:<provider>` (what
 * @nestjs/passport's AuthGuard looks up). passport-openidconnect 0.1.x with its gaps closed: PKCE
 * S256 on every login (the verifier lives in the session's pending login and goes on the token
 * request), a strict session-bound state store, and bounded HTTP calls to the provider. The ID
 * token's signature and every claim are then checked by the app's guard through `tokens/`.
 *
 * Several Nest apps in one process share that singleton, and may well name their providers alike
 * (`default`): the last one to register `oidc:default` owns the name. So the registered strategy
 * holds nothing of any app. Each request brings its app's client (issuer, endpoints, credentials,
 * callback URL, state store) in the authenticate options, and it is set on the object passport
 * makes for that request alone (`Object.create(strategy)`), never on the registered one.
 */
export class HardenedOidcStrategy extends PassportStrategy(NamedOpenIDConnectStrategy, undefined, 10) {
  constructor(provider: string) {
    super(strategyName(provider));
  }

  /** passport-openidconnect passes ten arguments (it dispatches on the arity, fixed above). */
  validate(
    _req: Request,
    _issuer: string,
    userinfo: { id?: string } | undefined,
    _idProfile: unknown,
    _context: unknown,
    idToken: string,
    accessToken: string,
    refreshToken: string | undefined,
    params: TokenResponse,
  ): ProviderAnswer {
    return { idToken, accessToken, refreshToken, params, userinfoSub: userinfo?.id };
  }

  override authenticate(req: Request, options: OpenIDConnectStrategy.AuthenticateOptions = {}): void {
    const { client, login } = options as Partial<OidcAuthenticateOptions>;
    // A request not prepared by an app's guard has no client to talk to: refused, never defaulted.
    if (!client) return this.error(new AppError('INTERNAL', `${this.name}: no client in the authenticate options`));
    // The library decides by the query whether this is a callback; the route decides here, so a
    // login URL carrying a code cannot become a token request, nor a callback without one a login.
    const callback = req.query?.code !== undefined || req.query?.error !== undefined;
    if (callback === (login !== undefined)) {
      const detail = login ? 'a login request carrying a code or error' : 'a callback without a code or error';
      return this.error(new AppError('BAD_REQUEST', detail));
    }
    this.useClient(req, client);
    const common = {
      ...options,
      callbackURL: client.callbackURL,
      // The library puts `openid` first itself.
      scope: client.provider.scopes.filter((s) => s !== 'openid'),
    };
    if (!login) {
      super.authenticate(req, common);
      return;
    }
    const codeVerifier = randomBytes(32).toString('base64url');
    super.authenticate(req, {
      ...common,
      prompt: login.prompt,
      maxAge: login.maxAge,
      tenantId: client.provider.fusionAuth?.tenantId,
      codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      state: { provider: client.provider.name, codeVerifier, returnTo: login.returnTo, maxAge: login.maxAge },
    } as OpenIDConnectStrategy.AuthenticateOptions);
  }

  /**
   * The library reads its client from these fields, now and when the provider answers. `this` is
   * passport's object for this request: every request sets its own before the library runs, so
   * no request can see another's (or another app's) client.
   */
  private useClient(req: Request, client: OidcClient): void {
    const fields: ClientFields = {
      _issuer: client.provider.issuer,
      _oauth2: providerCalls(req, client),
      _stateStore: client.states,
      _userInfoURL: client.metadata.userinfo_endpoint,
      _skipUserProfile: !client.metadata.userinfo_endpoint,
    };
    Object.assign(this, fields);
  }

  override authorizationParams(options: Record<string, unknown>): object {
    return {
      code_challenge: options.codeChallenge,
      code_challenge_method: 'S256',
      ...(typeof options.maxAge === 'number' ? { max_age: String(options.maxAge) } : {}),
      // FusionAuth picks the login page's theme by tenant; with several tenants it needs the id to.
      ...(typeof options.tenantId === 'string' ? { tenantId: options.tenantId } : {}),
    };
  }
}

/** The client's calls to the provider for this request: the token request sends this login's PKCE verifier. */
function providerCalls(req: Request, client: OidcClient): OAuth2Calls {
  const { provider, metadata, states } = client;
  return {
    _authorizeUrl: metadata.authorization_endpoint,
    _accessTokenUrl: metadata.token_endpoint,
    _clientId: provider.clientId,
    getOAuthAccessToken: (code, params, callback) => {
      const login = states.verifiedLogin(req);
      if (!login) return callback({ statusCode: 400, data: JSON.stringify({ error: 'invalid_request' }) });
      requestTokens(provider, metadata.token_endpoint, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: params.redirect_uri ?? '',
        code_verifier: login.codeVerifier,
      }).then(
        (tokens) => callback(null, tokens.access_token, tokens.refresh_token, tokens),
        (error: unknown) => callback(asOAuthError(error)),
      );
    },
    get: (url, accessToken, callback) => {
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
    },
  };
}

/** The shape the library turns into TokenError (an OAuth error) or InternalOAuthError (anything else). */
function asOAuthError(error: unknown): unknown {
  if (error instanceof TokenEndpointError) {
    return { statusCode: error.status, data: JSON.stringify({ error: error.error }) };
  }
  return error;
}
